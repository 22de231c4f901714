"""The key-account visit request: a document this area owns, registered with the approval
engine like any other area's document. Requested by a rep; key accounts go to the sales
director (or above), other customers to the rep's direct supervisor (see the seeded rules).

`key_account` is ticked by the rep when the customer is a key account (重点客户); the
customer master has no grade yet, so the document exposes it itself.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from salesops.approvals import services as approvals
from salesops.approvals.exceptions import ApprovalLocked
from salesops.approvals.facts import HIDDEN, DocumentFacts
from salesops.approvals.models import VisitRequest
from salesops.approvals.registry import ConditionField, DocumentType, register_document_type
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number

DOC_TYPE = "visit_request"
EDIT_FIELDS = ["customer", "planned_date", "purpose", "expected_outcome", "key_account"]
EDITABLE = {VisitRequest.Status.DRAFT, VisitRequest.Status.PENDING, VisitRequest.Status.RETURNED}
SUBMITTABLE = {VisitRequest.Status.DRAFT, VisitRequest.Status.RETURNED}


def _set_status(visit: VisitRequest, status: str, actor=None) -> None:
    if visit.status != status:
        before = visit.status
        visit.status = status
        visit.save(update_fields=["status"])
        audit_record(
            instance=visit, action=AuditEvent.Action.TRANSITION, actor=actor, changes={"status": [before, status]}
        )


class VisitFacts(DocumentFacts):
    number = serializers.CharField(label=gettext_lazy("Number"), read_only=True)
    customer_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    customer = serializers.CharField(source="customer.name", label=gettext_lazy("Customer"), read_only=True)
    customer_code = serializers.CharField(source="customer.code", label=gettext_lazy("Customer code"), read_only=True)
    rep = serializers.CharField(source="rep.display_name", label=gettext_lazy("Rep"), read_only=True)
    planned_date = serializers.DateField(label=gettext_lazy("Planned date"), read_only=True)
    key_account = serializers.BooleanField(label=gettext_lazy("Key account"), read_only=True)
    purpose = serializers.CharField(label=gettext_lazy("Purpose"), read_only=True)
    expected_outcome = serializers.CharField(label=gettext_lazy("Expected outcome"), read_only=True)


def visit_request_type() -> DocumentType:
    return DocumentType(
        key=DOC_TYPE,
        label=gettext_lazy("Key-account visit request"),
        model=VisitRequest,
        fields={
            "key_account": ConditionField(gettext_lazy("Key account"), kind="bool"),
            "days_ahead": gettext_lazy("Days until the visit"),
        },
        values=lambda visit: {
            "key_account": visit.key_account,
            "days_ahead": (visit.planned_date - visit.created_at.date()).days if visit.created_at else 0,
        },
        summary=lambda visit: {
            "number": visit.number,
            "customer": visit.customer.name,
            "customer_code": visit.customer.code,
            "rep": visit.rep.display_name,
            "planned_date": visit.planned_date.isoformat(),
            "purpose": visit.purpose,
            "expected_outcome": visit.expected_outcome,
            "key_account": visit.key_account,
        },
        summary_labels={
            "number": gettext_lazy("Number"),
            "customer": gettext_lazy("Customer"),
            "customer_code": gettext_lazy("Customer code"),
            "rep": gettext_lazy("Rep"),
            "planned_date": gettext_lazy("Planned date"),
            "purpose": gettext_lazy("Purpose"),
            "expected_outcome": gettext_lazy("Expected outcome"),
            "key_account": gettext_lazy("Key account"),
        },
        requester=lambda visit: visit.rep,
        title=lambda visit: (
            _("Visit %(number)s · %(customer)s") % {"number": visit.number, "customer": visit.customer.name}
        ),
        on_approved=lambda visit, request: _set_status(visit, VisitRequest.Status.APPROVED),
        on_rejected=lambda visit, request: _set_status(visit, VisitRequest.Status.REJECTED),
        on_returned=lambda visit, request: _set_status(visit, VisitRequest.Status.RETURNED),
        on_cancelled=lambda visit, request: _set_status(visit, VisitRequest.Status.DRAFT),
        url=lambda visit: reverse("visit-request-detail", args=[visit.pk]),
        facts=VisitFacts,
    )


def register() -> None:
    register_document_type(visit_request_type())


@transaction.atomic
def visit_request_create(
    *, actor, customer, planned_date, purpose: str, expected_outcome: str = "", key_account: bool = False, rep=None
) -> VisitRequest:
    rep = rep or actor
    if rep.org_unit_id is None:
        raise ValidationFailed(fields={"rep": [_("The rep belongs to no team.")]})
    visit = VisitRequest(
        number=next_number(prefix="VR", width=5),
        customer=customer,
        rep=rep,
        team=rep.org_unit,
        planned_date=planned_date,
        purpose=purpose,
        expected_outcome=expected_outcome,
        key_account=key_account,
    )
    return model_create(instance=visit, actor=actor)


@transaction.atomic
def visit_request_update(*, visit: VisitRequest, data: dict, actor) -> VisitRequest:
    """Edit a request. A pending approval is cancelled by the change (submit again);
    an approved or rejected request cannot be changed."""
    visit = VisitRequest.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    if visit.status not in EDITABLE:
        raise ApprovalLocked()
    visit, changed = model_update(instance=visit, fields=EDIT_FIELDS, data=data, actor=actor)
    if changed and visit.status == VisitRequest.Status.PENDING:
        approvals.approval_check_unchanged(document=visit, doc_type=DOC_TYPE, actor=actor)
        visit.refresh_from_db(fields=["status"])
    return visit


@transaction.atomic
def visit_request_submit(*, visit: VisitRequest, actor, now=None):
    """Submit for approval; when no rule asks for one, the request is approved at once."""
    visit = VisitRequest.objects.select_for_update(of=("self",)).get(pk=visit.pk)
    if visit.status not in SUBMITTABLE:
        raise ApprovalLocked(_("Only a draft or returned request can be submitted."))
    request = approvals.approval_submit(document=visit, doc_type=DOC_TYPE, actor=actor, now=now)
    _set_status(visit, VisitRequest.Status.PENDING if request else VisitRequest.Status.APPROVED, actor)
    return visit, request
