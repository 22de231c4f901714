"""Document types that can be sent for approval: the one small interface other areas use.

An area describes its document once, from its AppConfig.ready()::

    from salesops.approvals.registry import ConditionField, DocumentType, register_document_type

    register_document_type(
        DocumentType(
            key="special_discount",
            label=_("Special discount"),
            model="sales.Quote",
            # fields an administrator may use in rule conditions (name → label, or ConditionField)
            fields={
                "amount": _("Amount"),
                "discount_pct": _("Discount %"),
                "customer_grade": ConditionField(_("Customer grade"), kind="choice", choices=["A", "B", "C"]),
            },
            values=lambda quote: {"amount": quote.total, "discount_pct": quote.max_discount, ...},
            summary=lambda quote: {"number": quote.number, "customer": quote.customer.name, ...},
            requester=lambda quote: quote.owner,
            on_approved=lambda quote, request: quote_mark_approved(quote=quote),
            on_rejected=lambda quote, request: quote_mark_rejected(quote=quote),
            url=lambda quote: reverse("quote-detail", args=[quote.pk]),
        )
    )

and then calls the services of `salesops.approvals.services`:

- `approval_submit(document=quote, doc_type="special_discount", actor=user)` returns the
  ApprovalRequest, or None when no active rule matches (no approval needed: proceed);
- `approval_check_unchanged(document=quote, doc_type=...)` after every edit: a pending request
  whose document changed is cancelled and must be resubmitted;
- `approval_state_for(document=quote, doc_type=...)` tells whether the document is locked
  (pending or approved): nothing approved may be edited without a new approval.

`summary(obj)` is stored as the snapshot of the request and, with `values(obj)`, makes the
document's version (`version(obj)` overrides it): both hold stored values only — codes, ids,
amounts as text, names as typed — never a translated label or a formatted figure, so that the
version is the same whoever computes it, in whatever language (a requester working in English
and an approver in Chinese see the same document). `facts` is the serializer of what an
approver needs to decide (lines, totals, credit figures…), given the document and the reader
in its context; the approval page and `GET /api/v1/approvals/tasks/<id>/` show it, labelled
and displayed in the reader's language (see `salesops.approvals.facts`). The callbacks run
inside the deciding transaction; `on_cancelled` runs when the requester withdraws or an edit
cancels the request.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ConditionField:
    """A value rule conditions may compare: kind is number, text, bool or choice."""

    label: Any
    kind: str = "number"
    choices: tuple = ()

    def __post_init__(self):
        object.__setattr__(self, "choices", tuple(str(choice) for choice in self.choices))


def _default_version(doc_type: DocumentType, obj) -> str:
    # Translations are off while the version is made: even a label slipped into a summary
    # cannot make the version depend on the language of whoever computes it.
    with translation.override(None):
        payload = {"values": doc_type.values(obj), "summary": doc_type.summary(obj)}
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _noop(obj, request) -> None:
    return None


@dataclass(frozen=True)
class DocumentType:
    key: str
    label: Any
    model: Any  # the model class or "app_label.Model"
    fields: dict[str, Any]
    values: Callable[[Any], dict]
    summary: Callable[[Any], dict]
    requester: Callable[[Any], Any]
    version: Callable[[Any], str] | None = None
    on_approved: Callable[[Any, Any], None] = _noop
    on_rejected: Callable[[Any, Any], None] = _noop
    on_returned: Callable[[Any, Any], None] = _noop
    on_cancelled: Callable[[Any, Any], None] = _noop
    url: Callable[[Any], str] | None = None
    title: Callable[[Any], str] = str
    summary_labels: dict[str, Any] = field(default_factory=dict)  # snapshot key → label shown
    facts: type | None = None  # serializer of the document for the approver (approvals.facts.Facts)
    condition_fields: dict[str, ConditionField] = field(init=False, repr=False)

    def __post_init__(self):
        normalised = {
            name: spec if isinstance(spec, ConditionField) else ConditionField(spec)
            for name, spec in self.fields.items()
        }
        object.__setattr__(self, "condition_fields", normalised)

    def get_model(self):
        if isinstance(self.model, str):
            from django.apps import apps

            return apps.get_model(self.model)
        return self.model

    def document_version(self, obj) -> str:
        return self.version(obj) if self.version else _default_version(self, obj)

    def load(self, object_id):
        """The document with this id, or None when it no longer exists."""
        return self.get_model()._default_manager.filter(pk=object_id).first()


_types: dict[str, DocumentType] = {}

# Every document type the manuals require approval for, so that seeded rules can be shown
# with a name before the area that owns the document registers it (until then they are dormant).
KNOWN_DOCUMENT_TYPES: dict[str, Any] = {
    "visit_request": _("Key-account visit request"),
    "sales_plan": _("Sales plan"),
    "contract": _("Contract"),
    "contract_major_terms": _("Contract with major terms"),
    "special_discount": _("Special discount"),
    "overlimit_shipment": _("Over-limit shipment"),
    "credit_limit": _("Credit limit"),
    "price_change": _("Price change"),
    "stocktake_variance": _("Stocktake variance"),
    "refund": _("Refund or cancellation"),
    "new_outlet": _("New outlet"),
    "new_product": _("New product"),
    "production_plan_change": _("Production plan change"),
}


def register_document_type(doc_type: DocumentType) -> DocumentType:
    _types[doc_type.key] = doc_type
    return doc_type


def get_document_type(key: str) -> DocumentType | None:
    return _types.get(key)


def registered_document_types() -> dict[str, DocumentType]:
    return dict(_types)


def document_type_label(key: str):
    doc_type = _types.get(key)
    if doc_type is not None:
        return doc_type.label
    return KNOWN_DOCUMENT_TYPES.get(key, key)


def document_type_choices() -> list[tuple[str, Any]]:
    keys = dict.fromkeys([*KNOWN_DOCUMENT_TYPES, *_types])
    return [(key, document_type_label(key)) for key in keys]
