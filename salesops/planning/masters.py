"""Writes of the planning master data: work centres (weekly capacity) and routing steps (hours
per unit of a product at a work centre), read by the rough-cut capacity check of MRP."""

from __future__ import annotations

from django.db import transaction

from salesops.core.audit import model_create, model_update
from salesops.core.exceptions import PermissionDenied
from salesops.planning.models import WorkCentre
from salesops.planning.selectors import writes_plans

WORK_CENTRE_FIELDS = ["code", "name", "hours_per_week"]


@transaction.atomic
def work_centre_save(*, actor, work_centre: WorkCentre | None = None, **data) -> WorkCentre:
    """Create a work centre, or change one; audited."""
    if not writes_plans(actor):
        raise PermissionDenied()
    if work_centre is None:
        return model_create(instance=WorkCentre(**{k: data[k] for k in WORK_CENTRE_FIELDS if k in data}), actor=actor)
    work_centre = WorkCentre.objects.select_for_update().get(pk=work_centre.pk)
    work_centre, _changed = model_update(instance=work_centre, fields=WORK_CENTRE_FIELDS, data=data, actor=actor)
    return work_centre
