import datetime
from decimal import Decimal as D

from salesops.crm.grading import grading_measures, grading_run
from salesops.sales import services
from salesops.sales.grading import invoiced_sales_measure
from salesops.sales.tests.factories import make_customer
from salesops.sales.tests.test_orders import new_order


def invoiced(shop, customer, quantity, issue_date=None):
    order = new_order(shop, customer=customer, lines=[{"product": shop["p1"].pk, "quantity": str(quantity)}])
    services.order_submit(order=order, actor=shop["org"]["rep1"])
    delivery = services.delivery_issue(order=order, actor=shop["org"]["warehouse"])
    return services.invoice_create(deliveries=[delivery], actor=shop["org"]["finance"], issue_date=issue_date)


def test_sales_amount_is_the_registered_default_measure():
    assert grading_measures()["sales_amount"] is invoiced_sales_measure


def test_invoiced_sales_in_the_period_rank_the_customers(shop):
    big = make_customer(owner=shop["org"]["rep1"], limit="5000.00")
    today = datetime.date.today()
    invoiced(shop, big, 50)  # 500.00
    invoiced(shop, shop["customer"], 20)  # 200.00
    invoiced(shop, shop["customer"], 30, issue_date=today - datetime.timedelta(days=400))  # outside the period

    values = invoiced_sales_measure(start=today - datetime.timedelta(days=364), end=today)
    assert values == {big.pk: D("500.00"), shop["customer"].pk: D("200.00")}

    grading_run(measure="sales_amount", period_days=365, cutoffs=(D("40"), D("80")))
    big.refresh_from_db()
    shop["customer"].refresh_from_db()
    shop["no_credit"].refresh_from_db()
    assert (big.grade, shop["customer"].grade, shop["no_credit"].grade) == ("A", "B", "C")
