"""The audit trail: services record who changed what, when, in the same transaction.

`model_update` is the one way services change fields of an existing record: it validates,
saves only the changed fields and records the before/after values. Both it and `model_create`
validate with `full_clean` below: Django's checks, except that a reference set to an object
the service has read from the database is not looked up again.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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


def loaded_references(instance: models.Model) -> set[str]:
    """The foreign keys of `instance` that hold an object read from the database (and do not
    limit their choices, which only a query can check)."""
    names = set()
    for field in instance._meta.concrete_fields:
        if field.is_relation and field.is_cached(instance) and not field.remote_field.limit_choices_to:
            target = field.get_cached_value(instance)
            if target is not None and not target._state.adding:
                names.add(field.name)
    return names


def full_clean(instance: models.Model) -> None:
    """`Model.full_clean` (fields, `clean`, uniqueness, constraints; every error at once),
    without the existence query of each loaded reference: the database's foreign key still
    refuses a row that has gone."""
    errors: dict = {}

    def collect(check, **kwargs) -> None:
        nonlocal errors
        try:
            check(**kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)

    collect(instance.clean_fields, exclude=loaded_references(instance))
    collect(instance.clean)
    failed = {name for name in errors if name != NON_FIELD_ERRORS}  # as Django: not checked again
    collect(instance.validate_unique, exclude=failed)
    collect(instance.validate_constraints, exclude=failed)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def model_create(*, instance: models.Model, actor=None, note: str = "") -> models.Model:
    full_clean(instance)
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
    full_clean(instance)
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
