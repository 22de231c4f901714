"""Credit at the point of sale: the order form, the draft's page, the customer page and the API
show the customer's limit, exposure, available and overdue amounts, and say before the submit
what the order will meet. Only to those who may see the customer."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from salesops.credit.models import CreditFile
from salesops.sales import selectors, services
from salesops.sales.models import Invoice

D = Decimal
URL = "/sales/orders/credit/"


def form_query(customer=None, lines=(), payment="credit"):
    data = {
        "payment": payment,
        "lines-TOTAL_FORMS": str(max(len(lines), 1)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    if customer is not None:
        data["customer"] = str(customer.pk)
    for index, (product, quantity) in enumerate(lines):
        data[f"lines-{index}-product"] = str(product.pk)
        data[f"lines-{index}-quantity"] = str(quantity)
    return data


def draft(shop, quantity, customer=None, payment="credit"):
    return services.order_create(
        actor=shop["org"]["rep1"],
        customer=customer or shop["customer"],
        payment=payment,
        lines=[{"product": shop["p1"].pk, "quantity": str(quantity)}],
        warehouse=shop["warehouse"],
    )


def test_the_url_is_named():
    assert reverse("sales-order-credit") == URL


@pytest.mark.parametrize(
    ("who", "status"),
    [("rep1", 200), ("supervisor1", 200), ("rep3", 404), ("finance", 200), ("warehouse", 404), ("norole", 404)],
)
def test_the_figures_are_for_those_who_may_see_the_customer(shop, client, who, status):
    client.force_login(shop["org"][who])
    response = client.get(URL, form_query(shop["customer"], [(shop["p1"], 5)]))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert 'data-testid="credit-limit">¥1,000.00' in page
        assert 'data-testid="credit-available">¥1,000.00' in page


def test_within_the_limit_says_what_remains(shop, client):
    client.force_login(shop["org"]["rep1"])
    page = client.get(URL, form_query(shop["customer"], [(shop["p1"], 5)])).content.decode()
    assert 'data-outcome="within_limit"' in page
    assert 'data-testid="credit-order-amount">¥50.00' in page
    assert "after it, ¥950.00 remains available" in page


def test_a_draft_over_the_available_credit_is_announced_with_the_amount_over(shop, client):
    """Limit 1,000; an open invoice of 300 and a confirmed order of 200 leave 500 available; a
    form for 60 × 10.00 = 600 is 100.00 over: approval or prepayment."""
    customer = shop["customer"]
    confirmed = services.order_submit(order=draft(shop, 20), actor=shop["org"]["rep1"])
    assert confirmed.status == "confirmed"
    Invoice.objects.create(
        number="INV-T-1",
        customer=customer,
        rep=shop["org"]["rep1"],
        team=confirmed.team,
        issue_date=timezone.localdate(),
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        total=D("300.00"),
    )
    client.force_login(shop["org"]["rep1"])
    page = client.get(URL, form_query(customer, [(shop["p1"], 60)])).content.decode()
    assert 'data-testid="credit-exposure">¥500.00' in page
    assert 'data-testid="credit-available">¥500.00' in page
    assert 'data-outcome="over_limit"' in page
    assert (
        "This order is ¥100.00 over the credit limit: on submit it needs approval above the credit limit, "
        "or the customer pays ¥100.00 in advance (prepayment)."
    ) in page


def test_the_outlook_is_what_the_submit_decides(shop):
    order = draft(shop, 120)  # 1,200 against 1,000
    outlook = selectors.order_credit_outlook(
        customer=shop["customer"], amount=order.total, payment="credit", order_id=order.pk
    )
    assert (outlook.outcome, outlook.excess, outlook.needs_decision) == ("over_limit", D("200.00"), True)
    order = services.order_submit(order=order, actor=shop["org"]["rep1"])
    assert (order.status, order.approval_reason) == ("pending_approval", "over_limit")


def test_overdue_blocked_missing_file_and_cash_are_said(shop, client):
    client.force_login(shop["org"]["rep1"])
    page = client.get(URL, form_query(shop["no_credit"], [(shop["p1"], 1)])).content.decode()
    assert 'data-outcome="no_file"' in page and "This customer has no credit file." in page
    page = client.get(URL, form_query(shop["no_credit"], [(shop["p1"], 3)], payment="cash")).content.decode()
    assert 'data-outcome="cash"' in page and "payment of ¥30.00" in page
    CreditFile.objects.filter(customer=shop["customer"]).update(active=False)
    page = client.get(URL, form_query(shop["customer"], [(shop["p1"], 1)])).content.decode()
    assert 'data-outcome="credit_blocked"' in page


def test_no_customer_yet_and_no_lines_yet(shop, client):
    client.force_login(shop["org"]["rep1"])
    response = client.get(URL, form_query())
    assert response.status_code == 200 and "Choose a customer" in response.content.decode()
    page = client.get(URL, form_query(shop["customer"])).content.decode()
    assert 'data-outcome=""' in page and "Add lines to see" in page
    assert client.get(URL, {"customer": "x"}).status_code == 404
    assert client.get(URL, {"order": "99999999999"}).status_code == 404


def test_a_changed_order_is_left_out_of_its_own_exposure(shop, client):
    order = draft(shop, 5)
    client.force_login(shop["org"]["rep1"])
    query = form_query(lines=[(shop["p1"], 90)])
    query["order"] = str(order.pk)
    page = client.get(URL, query).content.decode()
    assert 'data-testid="credit-order-amount">¥900.00' in page and 'data-outcome="within_limit"' in page
    client.force_login(shop["org"]["rep3"])
    assert client.get(URL, query).status_code == 404


def test_the_order_form_and_the_edit_page_ask_for_the_panel(shop, client):
    client.force_login(shop["org"]["rep1"])
    page = client.get(reverse("sales-order-new") + f"?customer={shop['customer'].pk}").content.decode()
    assert f'hx-get="{URL}"' in page and 'id="document-form"' in page
    assert f'<option value="{shop["customer"].pk}" selected>' in page
    order = draft(shop, 5)
    page = client.get(reverse("sales-order-edit", args=[order.pk])).content.decode()
    assert f'hx-vals=\'{{"order": "{order.pk}"}}\'' in page
    page = client.get(reverse("sales-quote-new")).content.decode()
    assert URL not in page  # a quote is not a credit decision


def test_the_draft_page_says_before_the_submit(shop, client):
    order = draft(shop, 150)
    client.force_login(shop["org"]["rep1"])
    page = client.get(reverse("sales-order", args=[order.pk])).content.decode()
    assert "This order is ¥500.00 over the credit limit" in page
    assert page.index('data-testid="credit-verdict"') < page.index('data-testid="order-submit"')
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("sales-order", args=[order.pk])).content.decode()
    assert "超出信用额度 ¥500.00" in page
    submitted = services.order_submit(order=order, actor=shop["org"]["rep1"])
    page = client.get(reverse("sales-order", args=[submitted.pk])).content.decode()
    assert 'data-testid="credit-verdict"' not in page


def test_the_customer_page_shows_the_credit_figures(shop, client):
    draft_order = draft(shop, 20)
    services.order_submit(order=draft_order, actor=shop["org"]["rep1"])
    for who in ("rep1", "finance"):
        client.force_login(shop["org"][who])
        page = client.get(reverse("customer-detail", args=[shop["customer"].pk])).content.decode()
        assert 'data-section="credit"' in page
        assert 'data-testid="credit-limit">¥1,000.00' in page and 'data-testid="credit-exposure">¥200.00' in page
        assert 'data-testid="credit-available">¥800.00' in page and 'data-testid="credit-overdue">¥0.00' in page


@pytest.mark.parametrize(("who", "status"), [("rep1", 200), ("rep3", 404), ("finance", 200)])
def test_the_api_says_what_the_order_meets(shop, api, who, status):
    order = draft(shop, 150)
    response = api(shop["org"][who]).get(f"/api/v1/orders/{order.pk}/credit/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["limit"] == "1000.00" and body["available"] == "1000.00" and body["order_amount"] == "1500.00"
        assert (body["outcome"], body["excess"], body["needs_decision"]) == ("over_limit", "500.00", True)


def test_the_schema_documents_the_credit_endpoints(api, org):
    schema = api(org["admin"]).get("/api/schema/?format=json").json()
    assert "/api/v1/orders/{id}/credit/" in schema["paths"]
    assert "/api/v1/customers/{id}/credit/" in schema["paths"]
