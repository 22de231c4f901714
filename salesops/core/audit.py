"""The audit trail: services record who changed what, when, in the same transaction.

`model_update` is the one way services change fields of an existing record: it validates,
saves only the changed fields and records the before/after values.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from salesops.core.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, decimal.Decimal | datetime.date | datetime.time | datetime.datetime):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(item) for item in value]
    return value


def audit_record(
    *,
    instance: models.Model,
    action: str,
    actor=None,
    changes: dict | None = None,
    note: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        changes={key: _plain(value) for key, value in (changes or {}).items()},
        note=str(note)[:500],
    )


def field_values(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = _plain(getattr(instance, field.attname))
    return values


@transaction.atomic
def model_create(*, instance: models.Model, actor=None, note: str = "") -> models.Model:
    instance.full_clean()
    instance.save()
    concrete = [f.name for f in instance._meta.concrete_fields if not f.primary_key]
    audit_record(
        instance=instance,
        action=AuditEvent.Action.CREATE,
        actor=actor,
        changes={name: [None, value] for name, value in field_values(instance, concrete).items()},
        note=note,
    )
    return instance


@transaction.atomic
def model_update(
    *, instance: models.Model, fields: Iterable[str], data: dict[str, Any], actor=None, note: str = ""
) -> tuple[models.Model, bool]:
    """Apply `data` to the listed `fields`; returns (instance, whether anything changed)."""
    fields = [name for name in fields if name in data]
    before = field_values(instance, fields)
    for name in fields:
        setattr(instance, name, data[name])
    after = field_values(instance, fields)
    changed = {name: [before[name], after[name]] for name in fields if before[name] != after[name]}
    if not changed:
        return instance, False
    instance.full_clean()
    instance.save(update_fields=list(changed))
    audit_record(instance=instance, action=AuditEvent.Action.UPDATE, actor=actor, changes=changed, note=note)
    return instance, True


@transaction.atomic
def model_delete(*, instance: models.Model, actor=None, note: str = "") -> None:
    audit_record(instance=instance, action=AuditEvent.Action.DELETE, actor=actor, note=note)
    instance.delete()


def history_for(instance: models.Model):
    """Audit events of one record, newest first (the caller has already checked visibility)."""
    return AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
    ).select_related("actor")
