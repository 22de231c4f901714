"""What an approver needs to decide on a document: one typed serializer per document type
(`DocumentType.facts`), returned by `GET /api/v1/approvals/tasks/<id>/` as `facts` and shown on
the approval page.

A facts serializer is a plain DRF serializer of the document, with the reader in its context
(`context["viewer"]`, always given through `facts_for`). Its values are stored values (codes,
Decimals, ids, names as typed); the page displays them from the same serializer in the
reader's language: each field's label, a choice as its label, money with two decimals and a
thousands separator, times in the company's time zone, nested serializers as cards and lists
as tables that stack on a phone. Fields with `style=COST` are left out for readers who may
not see product costs; fields with `style={"display": False}` (ids) are for API clients only.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from salesops.core import formatting
from salesops.core.history import decimal_display

HIDDEN = {"display": False}  # style of a field for API clients only (ids)


def money(label, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, label=label, read_only=True, **kwargs)


def quantity(label, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=3, label=label, read_only=True, **kwargs)


def percent(label, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=7, decimal_places=2, label=label, read_only=True, **kwargs)


class Derived(serializers.DecimalField):
    """A figure computed from the object (`compute(obj)`, a Decimal or None), typed like the
    stored ones: schema, display and rounding alike."""

    def __init__(self, compute, *, label, decimal_places: int = 2, **kwargs):
        self.compute = compute
        super().__init__(
            max_digits=16, decimal_places=decimal_places, label=label, source="*", read_only=True, **kwargs
        )

    def to_representation(self, obj):
        value = self.compute(obj)
        return None if value is None else super().to_representation(value)


COST = {"cost": True}  # style of a field shown only to readers who may see product costs


def sees_costs(viewer) -> bool:
    from salesops.catalog.permissions import sees_costs as catalog_sees_costs

    return viewer is not None and catalog_sees_costs(viewer)


class Facts(serializers.Serializer):
    """Base of every facts serializer and of their nested parts: drops the cost fields for a
    reader who may not see costs (a serializer without a reader, as in schema generation, keeps
    them: they are part of the type)."""

    def get_fields(self):
        fields = super().get_fields()
        context = self.context
        if "viewer" in context and not sees_costs(context["viewer"]):
            fields = {name: f for name, f in fields.items() if not f.style.get("cost")}
        return fields


class DocumentFacts(Facts):
    """The top level of a document's facts: `doc_type` tells which type it is."""

    doc_type = serializers.SerializerMethodField()

    def get_doc_type(self, document) -> str:
        return self.context["doc_type"]


def margin_percent(price: Decimal, cost: Decimal) -> Decimal | None:
    """Margin against cost as a share of the price, or None without a price."""
    if not price:
        return None
    return ((price - cost) / price * 100).quantize(Decimal("0.01"))


# --- credit: the figures an approver of credit decisions reads ---------------------------------------
class PaymentBehaviourFacts(Facts):
    since = serializers.DateField(label=gettext_lazy("Since"), read_only=True)
    until = serializers.DateField(label=gettext_lazy("Until"), read_only=True)
    invoiced_amount = money(gettext_lazy("Invoiced"))
    paid_amount = money(gettext_lazy("Paid"))
    average_days_to_pay = serializers.DecimalField(
        max_digits=7, decimal_places=1, label=gettext_lazy("Average days to pay"), read_only=True
    )
    overdue_incidents = serializers.IntegerField(label=gettext_lazy("Invoices paid late or overdue"), read_only=True)
    max_exposure = money(gettext_lazy("Highest balance owed"))


class CreditFacts(Facts):
    """Limit, exposure, available and overdue of the customer now, what this document takes
    above the limit, and the last 12 months of payment behaviour — all read from credit."""

    grade = serializers.CharField(label=gettext_lazy("Credit grade"), read_only=True)
    limit = money(gettext_lazy("Credit limit"))
    exposure = money(gettext_lazy("Exposure"))
    available = money(gettext_lazy("Available credit"))
    overdue = money(pgettext_lazy("money", "Overdue"))
    amount_over = money(gettext_lazy("Amount over the limit"))
    payment_behaviour = PaymentBehaviourFacts(label=gettext_lazy("Payment behaviour, last 12 months"), read_only=True)


def credit_facts(customer, *, adds: Decimal = Decimal("0.00"), today: datetime.date | None = None) -> dict:
    """The credit figures of `customer` (through credit's selectors), with `adds` — what the
    document would add to the exposure — counted into the amount over the limit."""
    from salesops.credit.ledger import add_months
    from salesops.credit.selectors import credit_summary_for_customer
    from salesops.credit.services import payment_history_for

    today = today or timezone.localdate()
    summary = credit_summary_for_customer(customer=customer)
    credit_file = getattr(customer, "credit_file", None) if summary.has_file else None
    return {
        "grade": credit_file.grade if credit_file else "",
        "limit": summary.limit,
        "exposure": summary.exposure,
        "available": summary.available,
        "overdue": summary.overdue,
        "amount_over": max(summary.exposure + adds - summary.limit, Decimal("0.00")),
        "payment_behaviour": payment_history_for(customer_id=customer.pk, since=add_months(today, -12), until=today),
    }


# --- reading the facts --------------------------------------------------------------------------------
def facts_serializer(doc_type, document, viewer) -> serializers.Serializer | None:
    if doc_type is None or doc_type.facts is None or document is None:
        return None
    return doc_type.facts(document, context={"viewer": viewer, "doc_type": doc_type.key})


def facts_for(doc_type, document, viewer) -> dict | None:
    """The typed facts of a document as `viewer` may read them (None for a type without facts
    or a document that no longer exists)."""
    serializer = facts_serializer(doc_type, document, viewer)
    return serializer.data if serializer is not None else None


def facts_schema() -> PolymorphicProxySerializer:
    """The schema of `facts`: one serializer per registered document type, told by `doc_type`."""
    from salesops.approvals.registry import registered_document_types

    return PolymorphicProxySerializer(
        component_name="ApprovalFacts",
        serializers=lambda: {
            key: doc_type.facts for key, doc_type in sorted(registered_document_types().items()) if doc_type.facts
        },
        resource_type_field_name="doc_type",
        many=False,
    )


# --- the page: facts as people read them -----------------------------------------------------------
@dataclass
class Table:
    label: Any
    headers: list[tuple[str, Any]]  # (field name, label)
    rows: list[list[tuple[Any, str]]]  # per row: (label, displayed value)


@dataclass
class Section:
    label: Any
    rows: list[tuple[Any, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def display_value(serializer_field: serializers.Field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(serializer_field, serializers.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(serializer_field, serializers.ChoiceField):
        return str(dict(serializer_field.choices).get(value, value))
    if isinstance(serializer_field, serializers.DecimalField):
        return decimal_display(value, serializer_field.decimal_places)
    if isinstance(serializer_field, serializers.DateField):
        day = parse_date(value) if isinstance(value, str) else value
        return formatting.date(day, short=True) if isinstance(day, datetime.date) else str(value)
    if isinstance(serializer_field, serializers.DateTimeField):
        moment = parse_datetime(value) if isinstance(value, str) else value
        return formatting.datetime_(moment, short=True) if moment else str(value)
    return str(value)


def _shown(fields: dict) -> dict:
    return {name: f for name, f in fields.items() if f.style.get("display", True) and name != "doc_type"}


def _section(label, serializer: serializers.Serializer, data: dict) -> Section:
    section = Section(label=label)
    for name, child in _shown(serializer.fields).items():
        value = data.get(name)
        if isinstance(child, serializers.ListSerializer):
            columns = _shown(child.child.fields)
            section.tables.append(
                Table(
                    label=child.label,
                    headers=[(key, column.label) for key, column in columns.items()],
                    rows=[
                        [(column.label, display_value(column, item.get(key))) for key, column in columns.items()]
                        for item in value or []
                    ],
                )
            )
        elif isinstance(child, serializers.Serializer):
            if value is not None:
                section.sections.append(_section(child.label, child, value))
        else:
            section.rows.append((child.label, display_value(child, value)))
    return section


def _snapshot_section(doc_type, request) -> Section:
    """A type that declares no facts yet: its stored snapshot under the labels it gives."""
    labels = doc_type.summary_labels if doc_type else {}
    section = Section(label=doc_type.label if doc_type else request.doc_type)
    for key, value in (request.snapshot or {}).items():
        shown = (_("Yes") if value else _("No")) if isinstance(value, bool) else value
        if isinstance(shown, list):
            shown = "\n".join(map(str, shown))
        section.rows.append((labels.get(key, key), "—" if shown in (None, "") else str(shown)))
    return section


def facts_display(doc_type, document, viewer, request=None) -> Section | None:
    """The facts of a document laid out for the page, in the active language (None when the
    document no longer exists)."""
    if document is None:
        return None
    serializer = facts_serializer(doc_type, document, viewer)
    if serializer is None:
        return _snapshot_section(doc_type, request)
    return _section(doc_type.label, serializer, serializer.data)
