"""The order page says in the reader's language what an order waiting for approval waits for."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from salesops.credit.models import CreditFile
from salesops.sales import services


def _over_limit_order(shop):
    CreditFile.objects.filter(customer=shop["customer"]).update(limit=Decimal("5.00"))
    order = services.order_create(
        actor=shop["org"]["rep1"],
        customer=shop["customer"],
        payment="credit",
        lines=[{"product": shop["p1"].pk, "quantity": "2"}],
        warehouse=shop["warehouse"],
    )
    order = services.order_submit(order=order, actor=shop["org"]["rep1"])
    assert order.status == "pending_approval" and order.approval_reason == "over_limit"
    return order


def test_the_reason_is_shown_in_english_and_chinese(shop, client):
    order = _over_limit_order(shop)
    client.force_login(shop["org"]["rep1"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("sales-order", args=[order.pk])).content.decode()
    assert "Waiting for: approval above the credit limit" in page and "Waiting for: over_limit" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("sales-order", args=[order.pk])).content.decode()
    assert "等待: 超信用额度审批" in page
