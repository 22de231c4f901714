"""The performance demo: a year of targets split to reps, a finished commission run, budgets
with claims, a profit plan and a held business review; loading it again adds nothing."""

import datetime

import pytest
from django.apps import apps

from salesops.demo.loader import DemoContext, load_demo
from salesops.planning.periods import add_months
from salesops.sales.tests.factories import make_product, make_warehouse
from salesops.targets.models import BusinessReview, CommissionRun, ExpenseClaim, ProfitPlan, Target, TargetPlan
from salesops.targets.tests.conftest import sell


def _counts():
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label == "targets"}


@pytest.mark.django_db
def test_the_demo_has_every_part_and_loads_once():
    load_demo(progress=lambda _text: None, only={"core", "crm"})
    from salesops.core.models import User
    from salesops.credit.models import CreditFile
    from salesops.crm.models import Customer

    today = DemoContext().today
    product = make_product(price="100.00", stock="10000", warehouse=make_warehouse())
    last_month = add_months(today.replace(day=1), -1)
    for username in ("rep1", "rep3", "rep7"):
        rep = User.objects.get(username=username)
        customer = Customer.objects.filter(owner=rep).order_by("pk").first()
        CreditFile.objects.get_or_create(customer=customer, defaults={"limit": 10**9})
        sell(rep=rep, customer=customer, product=product, quantity="20", on=last_month + datetime.timedelta(days=4))
    load_demo(progress=lambda _text: None, only={"targets"})
    first = _counts()
    load_demo(progress=lambda _text: None, only={"targets"})
    assert _counts() == first
    plan = TargetPlan.objects.get(year=today.year)
    assert plan.status == TargetPlan.Status.APPROVED
    assert Target.objects.filter(plan=plan, level="rep").values("rep").distinct().count() == 10
    assert Target.objects.filter(plan=plan, level="customer").exists()
    assert CommissionRun.objects.get(month=last_month).status == CommissionRun.Status.APPROVED
    assert ExpenseClaim.objects.filter(status="approved").count() >= 4
    assert ExpenseClaim.objects.filter(status="pending_approval", over_budget=True).exists()
    assert ProfitPlan.objects.filter(submitted_at__isnull=False).count() == 1
    assert BusinessReview.objects.get(month=last_month).status == BusinessReview.Status.HELD
