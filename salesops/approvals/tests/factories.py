"""Test data for approvals, made through the services."""

from __future__ import annotations

import datetime
import itertools
import zoneinfo
from decimal import Decimal

from salesops.approvals import services, visits  # noqa: F401
from salesops.approvals.models import VisitRequest
from salesops.approvals.registry import ConditionField, DocumentType, register_document_type
from salesops.crm import services as crm

_counter = itertools.count(1)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Monday 10:00 in Shanghai: 8 working hours left that day (09:00–18:00 working day).
MONDAY_10 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)


def make_customer(*, owner, name: str = ""):
    number = next(_counter)
    return crm.customer_create(actor=owner, name=name or f"Customer {number}", owner=owner)


def make_visit(*, rep, key_account: bool = False, customer=None, purpose: str = "Annual review") -> VisitRequest:
    return visits.visit_request_create(
        actor=rep,
        customer=customer or make_customer(owner=rep),
        planned_date=datetime.date(2026, 3, 10),
        purpose=purpose,
        expected_outcome="Renewed listing",
        key_account=key_account,
    )


def submit_visit(*, rep, key_account: bool = False, now=None, **kwargs):
    visit = make_visit(rep=rep, key_account=key_account, **kwargs)
    visit, request = visits.visit_request_submit(visit=visit, actor=rep, now=now)
    return visit, request


# A document type for engine tests: a visit request whose purpose holds an amount.
TEST_DOC = "test_amount_doc"


def register_test_doc_type() -> DocumentType:
    return register_document_type(
        DocumentType(
            key=TEST_DOC,
            label="Test document",
            model=VisitRequest,
            fields={
                "amount": "Amount",
                "grade": ConditionField("Grade", kind="choice", choices=["A", "B", "C"]),
                "key_account": ConditionField("Key account", kind="bool"),
            },
            values=lambda v: {
                "amount": Decimal(v.purpose),
                "grade": v.expected_outcome or "C",
                "key_account": v.key_account,
            },
            summary=lambda v: {"amount": v.purpose, "grade": v.expected_outcome},
            requester=lambda v: v.rep,
            title=lambda v: f"Doc {v.number}",
        )
    )


def make_amount_doc(*, rep, amount: str, grade: str = "C") -> VisitRequest:
    return visits.visit_request_create(
        actor=rep,
        customer=make_customer(owner=rep),
        planned_date=datetime.date(2026, 3, 10),
        purpose=amount,
        expected_outcome=grade,
    )


def make_rule(*, actor, steps, conditions=(), position: int = 10, doc_type: str = TEST_DOC, **extra):
    return services.approval_rule_create(
        actor=actor,
        doc_type=doc_type,
        name=extra.pop("name", f"Rule {position}"),
        position=position,
        conditions=list(conditions),
        steps=[s if isinstance(s, dict) else {"approver": s} for s in steps],
        **extra,
    )
