"""The credit limit change as a document of the approval engine (seeded rule: finance
reviews, the general manager approves). The limit is applied only by `on_approved`."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.approvals.registry import ConditionField, DocumentType, register_document_type
from salesops.credit.approval_facts import LimitRequestFacts
from salesops.credit.models import CreditFile, CreditLimitRequest

Status = CreditLimitRequest.Status


def _move(limit_request: CreditLimitRequest, target: str) -> None:
    from salesops.credit.services import _set_status

    if limit_request.status == Status.PENDING:
        _set_status(limit_request, target)


def _approved(limit_request: CreditLimitRequest, approval) -> None:
    from salesops.credit.services import limit_request_apply

    limit_request_apply(limit_request, approval)


def limit_request_type() -> DocumentType:
    return DocumentType(
        key="credit_limit",
        label=gettext_lazy("Credit limit change"),
        model=CreditLimitRequest,
        fields={
            "requested_limit": gettext_lazy("Requested limit"),
            "increase": gettext_lazy("Increase"),
            "requested_terms_days": gettext_lazy("Payment terms (days)"),
            "grade": ConditionField(gettext_lazy("Credit grade"), kind="choice", choices=CreditFile.Grade.values),
        },
        values=lambda r: {
            "requested_limit": r.requested_limit,
            "increase": r.requested_limit - r.current_limit,
            "requested_terms_days": r.requested_terms_days,
            "grade": r.credit_file.grade,
        },
        summary=lambda r: {
            "number": r.number,
            "customer": r.credit_file.customer.name,
            "grade": r.credit_file.grade,
            "current_limit": str(r.current_limit),
            "requested_limit": str(r.requested_limit),
            "current_terms_days": r.current_terms_days,
            "requested_terms_days": r.requested_terms_days,
            "reason": r.reason,
        },
        requester=lambda r: r.requested_by,
        title=lambda r: (
            _("Credit limit %(number)s · %(customer)s") % {"number": r.number, "customer": r.credit_file.customer.name}
        ),
        on_approved=_approved,
        on_rejected=lambda r, approval: _move(r, Status.REJECTED),
        on_returned=lambda r, approval: _move(r, Status.RETURNED),
        on_cancelled=lambda r, approval: _move(r, Status.CANCELLED),
        url=lambda r: reverse("credit-limit-request", args=[r.pk]),
        facts=LimitRequestFacts,
    )


def register() -> None:
    register_document_type(limit_request_type())
