import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.models import Notification
from salesops.inventory import alerts
from salesops.inventory.models import ReorderAlert
from salesops.inventory.selectors import reorder_warnings, slow_moving, stock_value_at
from salesops.inventory.services import Reference, StockLine, stock_issue
from salesops.inventory.tests.factories import make_product, make_warehouse, receive

pytestmark = pytest.mark.django_db


def test_reorder_warning_notifies_once_while_low_and_again_after_recovery(org):
    wh = make_warehouse()
    oil = make_product("OIL")
    receive(wh, oil, 5)
    alerts.reorder_level_set(product=oil, warehouse=wh, level=Decimal("10"), actor=org["planner"])
    assert [w.product.sku for w in reorder_warnings(user=org["planner"])] == ["OIL"]
    assert alerts.reorder_alerts_run() == {"raised": 1, "cleared": 0}
    assert alerts.reorder_alerts_run() == {"raised": 0, "cleared": 0}
    notified = Notification.objects.filter(kind="reorder")
    assert sorted(n.user.username for n in notified) == ["planner", "purchasing"]
    receive(wh, oil, 10)
    assert alerts.reorder_alerts_run() == {"raised": 0, "cleared": 1}
    stock_issue(warehouse=wh, lines=[StockLine(oil.pk, Decimal("12"))], reference=Reference("order", 1), actor=None)
    assert alerts.reorder_alerts_run() == {"raised": 1, "cleared": 0}
    assert Notification.objects.filter(kind="reorder").count() == 4
    assert ReorderAlert.objects.filter(cleared_at__isnull=True).count() == 1
    assert reorder_warnings(user=org["rep1"]).count() == 0


def test_slow_moving_ages_by_last_issue_and_receipt(org):
    wh = make_warehouse()
    old, fresh = make_product("OLD", cost=Decimal("5")), make_product("FRESH")
    now = timezone.now()
    receive(wh, old, 10, "5", at=now - datetime.timedelta(days=400))
    stock_issue(
        warehouse=wh,
        lines=[StockLine(old.pk, Decimal("2"))],
        reference=Reference("o"),
        actor=None,
        at=now - datetime.timedelta(days=200),
    )
    receive(wh, fresh, 10, "1", at=now - datetime.timedelta(days=3))
    rows = slow_moving(user=org["warehouse"])
    assert [
        (r["product"].sku, r["days_since_issue"], r["days_since_receipt"], r["bucket"], r["value"]) for r in rows
    ] == [
        ("OLD", 200, 400, "181–365", Decimal("40.00")),
        ("FRESH", None, 3, "0–30", Decimal("10.00")),
    ]
    assert [r["product"].sku for r in slow_moving(user=org["warehouse"], min_days=90)] == ["OLD"]
    assert slow_moving(user=org["rep1"]) == []


def test_stock_value_at_a_past_date_comes_from_the_ledger(org):
    wh = make_warehouse()
    flour = make_product("FLOUR")
    now = timezone.now()
    receive(wh, flour, 10, "4", at=now - datetime.timedelta(days=10))
    receive(wh, flour, 10, "6", at=now - datetime.timedelta(days=5))
    stock_issue(
        warehouse=wh,
        lines=[StockLine(flour.pk, Decimal("5"))],
        reference=Reference("o"),
        actor=None,
        at=now - datetime.timedelta(days=1),
    )
    [before] = stock_value_at(user=org["finance"], at=now - datetime.timedelta(days=7))
    assert (before["quantity"], before["value"]) == (Decimal("10"), Decimal("40.00"))
    [today] = stock_value_at(user=org["finance"], at=now)
    assert (today["quantity"], today["value"]) == (Decimal("15"), Decimal("75.00"))  # 100 − 5 × 5 (average)
    assert stock_value_at(user=org["rep1"], at=now) == []
