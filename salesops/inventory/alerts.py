"""Reorder warnings (库存预警) as notifications: a periodic job opens one alert per product and
warehouse when it falls below its warning level and tells the planners and purchasing; the
alert stays open (no repeated notifications) until the stock is back at or above the level,
when it is closed — a later fall notifies again."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from salesops.core.models import User
from salesops.core.roles import Role
from salesops.core.services import lazy_message, notify
from salesops.inventory.models import ReorderAlert, ReorderLevel
from salesops.inventory.selectors import reorder_warnings


@transaction.atomic
def reorder_level_set(*, product, warehouse, level, actor=None) -> ReorderLevel:
    from salesops.core.audit import audit_record
    from salesops.core.models import AuditEvent

    row, _created = ReorderLevel.objects.update_or_create(
        product=product, warehouse=warehouse, defaults={"level": level}
    )
    audit_record(
        instance=product,
        action=AuditEvent.Action.UPDATE,
        actor=actor,
        changes={f"reorder_level@{warehouse.code}": [None, str(level)]},
    )
    return row


@transaction.atomic
def reorder_alerts_run(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    low = {(w.product_id, w.warehouse_id): w for w in reorder_warnings()}
    open_alerts = {
        (a.product_id, a.warehouse_id): a
        for a in ReorderAlert.objects.select_for_update().filter(cleared_at__isnull=True)
    }
    cleared = [a for key, a in open_alerts.items() if key not in low]
    for alert in cleared:
        alert.cleared_at = now
    ReorderAlert.objects.bulk_update(cleared, ["cleared_at"])
    new = [w for key, w in low.items() if key not in open_alerts]
    ReorderAlert.objects.bulk_create(
        [
            ReorderAlert(
                product_id=w.product_id,
                warehouse_id=w.warehouse_id,
                raised_at=now,
                available=w.available_qty,
                level=w.level,
            )
            for w in new
        ]
    )
    if new:
        people = User.objects.filter(
            is_active=True, role_assignments__role__in=[Role.PLANNER, Role.PURCHASING]
        ).distinct()
        url = reverse("reorder-warnings")
        for person in people:
            names = ", ".join(f"{w.product.sku} @ {w.warehouse.code}" for w in new[:8])
            notify(
                user=person,
                title=lazy_message(gettext_lazy("%(n)d products below their warning level"), n=len(new)),
                body=names + ("…" if len(new) > 8 else ""),
                url=url,
                kind="reorder",
            )
    return {"raised": len(new), "cleared": len(cleared)}
