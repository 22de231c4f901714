"""An action refused on a page says why, not only that something is wrong: clearing a lot
without a reason or with too much, the message names what to fix, in the reader's language."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from salesops.core.selectors import company_date
from salesops.inventory.lots import LotSpec
from salesops.inventory.models import LotBalance, LotDisposal
from salesops.inventory.services import Reference, StockLine, stock_receive
from salesops.inventory.tests.factories import make_product, make_warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired_lot(org):
    today = company_date()
    warehouse = make_warehouse()
    product = make_product("FL-25", lot_tracked=True, shelf_life_days=180, expiry_warning_days=30)
    spec = LotSpec("L-GONE", today - datetime.timedelta(days=200), today - datetime.timedelta(days=1))
    stock_receive(
        warehouse=warehouse,
        lines=[StockLine(product.pk, Decimal("20"), Decimal("3"), lot=spec)],
        reference=Reference("test", None, spec.code),
        actor=None,
    )
    return LotBalance.objects.get(lot__code="L-GONE")


def said(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_clearing_a_lot_without_a_reason_says_the_reason_is_missing(client, org, expired_lot):
    client.force_login(org["warehouse"])
    response = client.post(reverse("lot-dispose", args=[expired_lot.pk]), {"kind": "write_off", "quantity": "5"})
    assert response.status_code == 302
    assert said(response) == ["Say why the lot is cleared."]
    assert not LotDisposal.objects.exists()


def test_clearing_more_than_the_lot_holds_says_the_most(client, org, expired_lot):
    org["warehouse"].language = "zh-hans"
    org["warehouse"].save(update_fields=["language"])
    client.force_login(org["warehouse"])
    response = client.post(
        reverse("lot-dispose", args=[expired_lot.pk]), {"kind": "write_off", "quantity": "21", "reason": "过期"}
    )
    assert response.status_code == 302
    (message,) = said(response)
    assert "20" in message and "Some values are not valid" not in message
    assert not LotDisposal.objects.exists()
