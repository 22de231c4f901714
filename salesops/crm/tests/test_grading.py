"""Customer grading: ties by name, history rows for every customer, current grade copied."""

from decimal import Decimal

from salesops.crm.grading import fallback_abc, grading_run, register_grading_measure
from salesops.crm.models import Customer, CustomerGrade
from salesops.crm.tests.factories import make_customer


def test_equal_amounts_are_ranked_by_customer_name_not_by_id(org):
    # created first (lower id) but later by name
    zeta = make_customer(org["rep1"], name="Zeta Trading")
    alpha = make_customer(org["rep1"], name="Alpha Trading")
    small = make_customer(org["rep1"], name="Mid Trading")
    amounts = {zeta.pk: Decimal(10), alpha.pk: Decimal(10), small.pk: Decimal(5)}
    register_grading_measure("test_ties", lambda *, start, end: amounts)

    run = grading_run(measure="test_ties")

    # total 25: Alpha has nothing above it (A); Zeta has 40% above it, not below 40 (B)
    grades = {g.customer_id: g for g in CustomerGrade.objects.filter(run=run)}
    assert grades[alpha.pk].grade == "A" and grades[alpha.pk].cumulative_share == Decimal("40.0000")
    assert grades[zeta.pk].grade == "B" and grades[zeta.pk].cumulative_share == Decimal("80.0000")
    assert grades[small.pk].grade == "C"
    assert Customer.objects.get(pk=alpha.pk).grade == "A" and Customer.objects.get(pk=zeta.pk).grade == "B"


def test_every_customer_gets_a_history_row_and_unknown_ids_are_ignored(org):
    sold = make_customer(org["rep1"])
    idle = make_customer(org["rep2"])
    register_grading_measure("test_unknown", lambda *, start, end: {sold.pk: Decimal("12.345"), 999_999: Decimal(5)})

    run = grading_run(measure="test_unknown")

    rows = {
        g.customer_id: (g.grade, g.value, g.share, g.cumulative_share) for g in CustomerGrade.objects.filter(run=run)
    }
    assert rows == {
        sold.pk: ("A", Decimal("12.35"), Decimal("100.0000"), Decimal("100.0000")),
        idle.pk: ("C", Decimal("0.00"), Decimal("0.0000"), Decimal("100.0000")),
    }
    assert run.customers == 2 and run.total == Decimal("12.35")


def test_only_changed_grades_are_written_and_agree_with_the_reference_rule(org):
    customers = [make_customer(org["rep1"]) for _ in range(12)]
    amounts = {c.pk: Decimal(100 + 37 * i % 50) for i, c in enumerate(customers)}
    register_grading_measure("test_reference", lambda *, start, end: amounts)

    grading_run(measure="test_reference")

    reference = fallback_abc([(str(pk), amount) for pk, amount in amounts.items()], cutoffs=(40, 80))
    current = dict(Customer.objects.values_list("pk", "grade"))
    # names are unique here and in id order, so name and id ties agree with the reference
    assert {int(row["entity"]): row["class"] for row in reference} == current
