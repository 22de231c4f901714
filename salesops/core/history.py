"""The audit trail as a person reads it: field labels in the reader's language, values as the
pages show them (names for references, labels for choices, money with two decimals, times in
the company's time zone to the minute), and nothing the reader may not see.

The trail itself (`core.audit`) stores raw values (ids, codes, Decimals as text, UTC times);
this module only displays them, for the history panel (`{% readable_history %}`) and for
`GET …/<id>/history/`. An area declares the fields of its models that some readers may not
see, once, with `hide_from_history("catalog.Product", {"cost"}, unless=sees_costs)`; fields
that are internal to the software (version hashes, stored snapshots) are hidden from
everyone with `unless=None`.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core import formatting
from salesops.core.models import AuditEvent

EMPTY = "—"
# Keys services record that are not fields of the model.
EXTRA_LABELS = {
    "lines": gettext_lazy("Lines"),
    "steps": gettext_lazy("Approvers"),
    "step": gettext_lazy("Step"),
    "decision": gettext_lazy("Decision"),
}

_hidden: dict[str, list[tuple[frozenset[str], Callable | None]]] = defaultdict(list)


def hide_from_history(model_label: str, fields: Iterable[str], *, unless: Callable | None) -> None:
    """Leave `fields` of `model_label` ("app_label.Model") out of its history for every reader
    for whom `unless(user)` is false (for everyone with `unless=None`)."""
    _hidden[model_label.lower()].append((frozenset(fields), unless))


def hidden_fields(model: type[models.Model], viewer) -> set[str]:
    hidden: set[str] = set()
    for fields, unless in _hidden.get(model._meta.label_lower, ()):
        if unless is None or viewer is None or not unless(viewer):
            hidden |= fields
    return hidden


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime.datetime  # in the active (company) time zone, to the second
    action: str
    action_label: str
    actor: str
    note: str
    changes: list[Change]

    @property
    def when(self) -> str:
        return formatting.datetime_(self.at, short=True)


def _field(model, name: str):
    """The model's own field of that name (not a reverse relation such as an order's `lines`)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if field.concrete else None


def _label(model, name: str) -> str:
    field = _field(model, name)
    if field is not None and hasattr(field, "verbose_name"):
        return capfirst(str(field.verbose_name))
    return str(EXTRA_LABELS.get(name, capfirst(name.replace("_", " "))))


def _reference_id(field, value):
    """The id a recorded reference value stands for, or None: some services record a code or
    a name for a reference instead of its id ("lead", a person's name)."""
    if value in (None, "") or isinstance(value, bool | list | dict):
        return None
    try:
        return field.related_model._meta.pk.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return None


def _referenced(model, events) -> dict[str, dict]:
    """For each reference field changed in `events`, its objects by id (one query a field)."""
    ids: dict[str, set] = defaultdict(set)
    for event in events:
        for name, values in (event.changes or {}).items():
            field = _field(model, name)
            if field is not None and field.many_to_one and isinstance(values, list):
                ids[name] |= {key for value in values if (key := _reference_id(field, value)) is not None}
    return {
        name: field.related_model._default_manager.in_bulk(list(pks))
        for name, pks in ids.items()
        if (field := _field(model, name)) is not None
    }


def decimal_display(value, places: int) -> str:
    """A stored Decimal as people read it: money (2 places) always with its cents, other
    figures (quantities, costs to 4 places) without trailing zeros; thousands grouped."""
    if places != 2:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
        places = min(places, max(0, -exponent))
    return floatformat(value, f"{places}g")


_STORED_DECIMAL = re.compile(r"-?\d+\.\d+")


def _json_number(value) -> str | None:
    """A figure inside a stored JSON payload as people read it, or None when `value` is not
    one: a number with decimals (a float, a Decimal, or a Decimal stored as text) is grouped
    and has at most 2 decimals (``58.803103`` → ``58.80``, ``1234.5`` → ``1,234.5``). Whole
    numbers are left alone: in a payload they are mostly ids, counts and years."""
    if isinstance(value, int):  # bool too
        return None
    if isinstance(value, str) and not _STORED_DECIMAL.fullmatch(value.strip()):
        return None
    if not isinstance(value, float | Decimal | str):
        return None
    number = formatting.as_decimal(value)
    if number is None or number == number.to_integral_value() and not isinstance(value, str):
        return None
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        return formatting.amount(number)
    return formatting.quantity(number, 2)


def json_display(value, *, nested: bool = False) -> str:
    """A stored JSON payload (a JSON field, a list a service recorded) as text, its figures
    written by the formatting helper; the structure as stored."""
    if isinstance(value, dict):
        text = ", ".join(f"{key}: {json_display(item, nested=True)}" for key, item in value.items())
        return f"{{{text}}}" if nested else text
    if isinstance(value, list | tuple):
        text = ", ".join(json_display(item, nested=True) for item in value)
        return f"[{text}]" if nested else text
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    number = _json_number(value)
    return number if number is not None else str(value)


def display(field, value, objects: dict | None = None) -> str:
    """One stored value as the pages show it."""
    if value is None or value == "":
        return EMPTY
    if field is None or isinstance(field, models.JSONField):
        return json_display(value) if isinstance(value, dict | list) else str(value)
    if field.many_to_one:
        key = _reference_id(field, value)
        if key is None:
            return str(value)
        found = (objects or {}).get(key)
        return str(found) if found is not None else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(field, models.DecimalField):
        return decimal_display(value, field.decimal_places)
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(str(value))
        return formatting.datetime_(moment, short=True) if moment else str(value)
    if isinstance(field, models.DateField):
        day = parse_date(str(value)[:10])
        return formatting.date(day, short=True) if day else str(value)
    if isinstance(value, list | dict):
        return json_display(value)
    return str(value)


def readable_history(events: Iterable[AuditEvent], *, viewer) -> list[Entry]:
    """`events` of one model (as `core.audit.history_for` gives them), as `viewer` reads them."""
    events = list(events)
    if not events:
        return []
    model = events[0].content_type.model_class()
    hidden = hidden_fields(model, viewer) if model else set()
    objects = _referenced(model, events) if model else {}
    actions = dict(AuditEvent.Action.choices)
    entries = []
    for event in events:
        changes = []
        for name, values in (event.changes or {}).items():
            if name in hidden:
                continue
            before, after = values if isinstance(values, list) and len(values) == 2 else (None, values)
            field = _field(model, name) if model else None
            changes.append(
                Change(
                    field=name,
                    label=_label(model, name) if model else name,
                    before=display(field, before, objects.get(name)),
                    after=display(field, after, objects.get(name)),
                )
            )
        entries.append(
            Entry(
                id=event.pk,
                at=timezone.localtime(event.at).replace(microsecond=0),
                action=event.action,
                action_label=str(actions.get(event.action, event.action)),
                actor=event.actor.display_name if event.actor_id else _("system"),
                note=event.note,
                changes=changes,
            )
        )
    return entries
