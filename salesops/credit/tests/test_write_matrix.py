"""Who may write what in credit and collections: every write of the API and the main form posts,
for every role of the test company, on the credit of a customer of rep1 (team East-1).

Finance writes money (confirms, allocates and reverses receipts, sets credit notes against
invoices, opens and edits credit files, reviews, statements); the sales side records the money
it hands over and asks for limit changes, each for the customers it sees. A role allowed gets a
2xx (a page: its redirect) and the record changes; a role refused gets 403 `permission_denied`
or 404 `not_found` (a page: 404) and nothing changes, not even the audit trail. A limit changes
only through an approved limit request, never by a write naming it; a receipt's team follows
who handed the money over, which only finance may name for someone else.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from salesops.core.models import AuditEvent
from salesops.core.tests import write_matrix
from salesops.core.tests.write_matrix import Refused, count, nothing, refusal, value
from salesops.credit import receipts, services, statements
from salesops.credit.models import (
    Allocation,
    CreditFile,
    CreditLimitRequest,
    CreditReview,
    Receipt,
    Reconciliation,
    Statement,
    StatementRun,
)
from salesops.credit.tests.factories import make_credit_file, make_customer, make_invoice

ROLES = ["rep1", "rep3", "supervisor1", "manager", "finance", "warehouse", "planner", "admin"]
SEES = {"rep1", "supervisor1", "manager", "finance", "admin"}  # the customer of rep1
FINANCE = {"finance", "admin"}
TODAY = datetime.date.today()
LAST_MONTH = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def world(org):
    customer = make_customer(org, "rep1")
    credit_file = make_credit_file(customer, limit="1000.00")
    on_account = receipts.receipt_record(actor=org["finance"], customer=customer, amount="30.00", received_on=TODAY)
    invoice = make_invoice(customer, "100.00", issue_date=TODAY)
    note = make_invoice(customer, "-20.00", issue_date=TODAY, due_days=0, kind="credit_note")
    reconciliation = statements.reconciliation_open(rep=org["rep1"], period_start=LAST_MONTH, actor=org["rep1"])
    signed = statements.reconciliation_open(rep=org["rep2"], period_start=LAST_MONTH, actor=org["rep2"])
    statements.reconciliation_rep_sign(reconciliation=signed, actor=org["rep2"], rep_balance=signed.ledger_balance)
    return {
        "org": org,
        "customer": customer,
        "newcomer": make_customer(org, "rep1"),  # no credit file yet
        "file": credit_file,
        "handed": receipts.receipt_record(actor=org["rep1"], customer=customer, amount="10.00", received_on=TODAY),
        "on_account": on_account,
        "invoice": invoice,
        "credit_note": note,
        "limit_request": services.limit_request_create(
            credit_file=credit_file,
            actor=org["rep1"],
            requested_limit=Decimal("2000"),
            requested_terms_days=30,
            reason="旺季",
            submit=False,
        ),
        "statement": statements.statement_create(customer=customer, period_start=TODAY, actor=org["finance"]),
        "reconciliation": reconciliation,
        "signed": signed,  # by rep2 (team East-1)
    }


@dataclass(frozen=True)
class Write(write_matrix.Write):
    may_act: set = field(default_factory=lambda: SEES | {"rep3"})  # roles of the action: others 403
    refused_field: str = ""  # ...and who is refused on it (`field_refused`), nothing changing
    field_refused: set = field(default_factory=set)
    refused_status: int = 400
    hidden_status: int = 404  # for those who may act but do not see the record
    answers: dict = field(default_factory=dict)  # role → status where the state refuses first


REQUESTERS = SEES | {"rep3"}  # the sales roles and finance
MATRIX = {
    # --- REST API: money ---------------------------------------------------------------------------------
    "receipt record": Write(
        "post",
        "/api/v1/receipts/",
        lambda w: {"customer": w["customer"].pk, "amount": "5.00", "received_on": str(TODAY)},
        count(Receipt),
        SEES,
    ),
    "receipt confirm": Write(
        "post", "/api/v1/receipts/{handed}/confirm/", nothing, value(Receipt, "handed", "status"), FINANCE
    ),
    "receipt allocate": Write(
        "post",
        "/api/v1/receipts/{on_account}/allocate/",
        lambda w: {"invoices": [w["invoice"].pk]},
        value(Receipt, "on_account", "allocated_amount"),
        FINANCE,
    ),
    "receipt reverse": Write(
        "post",
        "/api/v1/receipts/{on_account}/reverse/",
        lambda w: {"reversed_on": str(TODAY), "reason": "退票"},
        value(Receipt, "on_account", "status"),
        FINANCE,
    ),
    "receipt cancel": Write(  # by who recorded it, or finance
        "post", "/api/v1/receipts/{handed}/cancel/", nothing, value(Receipt, "handed", "status"), {"rep1"} | FINANCE
    ),
    "credit notes set against invoices": Write(
        "post", "/api/v1/credit-files/{file}/apply-on-account/", nothing, count(Allocation), FINANCE, FINANCE
    ),
    "statement create": Write(
        "post",
        "/api/v1/statements/",
        lambda w: {"customer": w["customer"].pk, "month": str(LAST_MONTH)},
        count(Statement),
        FINANCE,
        FINANCE,
    ),
    "statement send": Write(
        "post",
        "/api/v1/statements/{statement}/send/",
        lambda w: {"to": "ap@example.cn"},
        value(Statement, "statement", "status"),
        FINANCE,
        FINANCE,
    ),
    "statement run": Write(
        "post",
        "/api/v1/statement-runs/",
        lambda w: {"period_start": str(LAST_MONTH)},
        count(StatementRun),
        FINANCE,
        FINANCE,
    ),
    # --- REST API: credit files, reviews, limits ------------------------------------------------------
    "credit file open": Write(
        "post", "/api/v1/credit-files/", lambda w: {"customer": w["newcomer"].pk}, count(CreditFile), FINANCE, FINANCE
    ),
    "credit file change": Write(
        "patch",
        "/api/v1/credit-files/{file}/",
        lambda w: {"grade": "A"},
        value(CreditFile, "file", "grade"),
        FINANCE,
        FINANCE,
    ),
    "credit file change of its limit": Write(
        "patch",
        "/api/v1/credit-files/{file}/",
        lambda w: {"limit": "999999.00"},
        value(CreditFile, "file", "limit", "payment_terms_days"),
        set(),
        FINANCE,
        refused_field="limit",
        field_refused=FINANCE,
    ),
    "credit review": Write(
        "post",
        "/api/v1/credit-reviews/",
        lambda w: {"credit_file": w["file"].pk, "business_situation": "b", "financial_situation": "f", "grade": "B"},
        count(CreditReview),
        FINANCE,
        FINANCE,
    ),
    "limit request": Write(
        "post",
        "/api/v1/credit-limit-requests/",
        lambda w: {
            "credit_file": w["file"].pk,
            "requested_limit": "3000.00",
            "requested_terms_days": 30,
            "reason": "x",
        },
        count(CreditLimitRequest),
        SEES,
        hidden_status=400,  # a credit file the caller does not see is refused on its field
    ),
    "limit request submit": Write(  # by who asked, as on its page
        "post",
        "/api/v1/credit-limit-requests/{limit_request}/submit/",
        nothing,
        value(CreditLimitRequest, "limit_request", "status"),
        {"rep1"},
    ),
    "limit request cancel": Write(
        "post",
        "/api/v1/credit-limit-requests/{limit_request}/cancel/",
        nothing,
        value(CreditLimitRequest, "limit_request", "status"),
        {"rep1"},
    ),
    "receipt handed over by someone else": Write(
        "post",
        "/api/v1/receipts/",
        lambda w: {
            "customer": w["customer"].pk,
            "amount": "5.00",
            "received_on": str(TODAY),
            "handed_by": w["org"]["rep3"].pk,
        },
        count(Receipt),
        FINANCE,
        refused_field="handed_by",
        field_refused=SEES - FINANCE,
        refused_status=403,
    ),
    "reconciliation sign (rep)": Write(
        "post",
        "/api/v1/reconciliations/{reconciliation}/sign/",
        lambda w: {"rep_balance": "0.00"},
        value(Reconciliation, "reconciliation", "status"),
        {"rep1"},
        {"rep1", "rep3"} | FINANCE,
        answers={"finance": 409, "admin": 409},  # finance signs after the rep
    ),
    "reconciliation sign (finance)": Write(
        "post",
        "/api/v1/reconciliations/{signed}/sign/",
        lambda w: {"accept": True},
        value(Reconciliation, "signed", "status"),
        FINANCE,
        {"rep1", "rep3"} | FINANCE,
        answers={"rep1": 404},  # another rep's
    ),
    # --- form posts -------------------------------------------------------------------------------------
    "page: record a receipt": Write(
        "post",
        "/receipts/new/",
        lambda w: {"customer": w["customer"].pk, "amount": "5.00", "received_on": str(TODAY), "method": "cash"},
        count(Receipt),
        SEES,
        hidden_status=200,  # the form refuses a customer the caller does not see
    ),
    "page: confirm a receipt": Write(
        "post", "/receipts/{handed}/confirm/", nothing, value(Receipt, "handed", "status"), FINANCE
    ),
    "page: cancel a receipt": Write(
        "post", "/receipts/{handed}/cancel/", nothing, value(Receipt, "handed", "status"), {"rep1"} | FINANCE
    ),
    "page: reverse a receipt": Write(
        "post",
        "/receipts/{on_account}/reverse/",
        lambda w: {"reversed_on": str(TODAY), "reason": "退票"},
        value(Receipt, "on_account", "status"),
        FINANCE,
    ),
    "page: edit a credit file": Write(
        "post",
        "/credit/{file}/edit/",
        lambda w: {"grade": "A", "overdue_grace_days": "0", "payment_terms_days": "30", "active": "on"},
        value(CreditFile, "file", "grade"),
        FINANCE,
    ),
    "page: set credit notes against invoices": Write(
        "post", "/credit/{file}/apply-on-account/", nothing, count(Allocation), FINANCE
    ),
    "page: ask for a limit": Write(
        "post",
        "/credit/{file}/limit/",
        lambda w: {"requested_limit": "3000.00", "requested_terms_days": "30", "reason": "x"},
        count(CreditLimitRequest),
        SEES,
    ),
    "page: withdraw a limit request": Write(
        "post",
        "/credit/limit-changes/{limit_request}/cancel/",
        nothing,
        value(CreditLimitRequest, "limit_request", "status"),
        {"rep1"},
    ),
    "page: statement": Write(
        "post", "/credit/{file}/statement/", lambda w: {"month": str(LAST_MONTH)}, count(Statement), FINANCE
    ),
}


def trail():
    """Everything a refused write must leave as it was."""
    return (
        AuditEvent.objects.count(),
        tuple(Receipt.objects.order_by("pk").values_list("pk", "status", "allocated_amount", "team")),
        tuple(CreditFile.objects.order_by("pk").values_list("pk", "limit", "grade")),
        *(
            model.objects.count()
            for model in (Allocation, CreditLimitRequest, CreditReview, Statement, StatementRun, Reconciliation)
        ),
    )


def expected(write, role) -> Refused | None:
    """None if `role` may make `write`, else how it is refused."""
    if role in write.answers:
        return Refused(write.answers[role])
    if role in write.field_refused:
        return Refused(write.refused_status, field=write.refused_field)
    if role in write.allowed:
        return None
    if write.page:
        return Refused(write.hidden_status if role not in SEES and role in write.may_act else 404)
    return refusal(write, 403 if role not in write.may_act or role in SEES else write.hidden_status)


@write_matrix.parametrize(MATRIX, ROLES)
def test_write_matrix(world, api, client, action, role):
    write_matrix.check(MATRIX[action], role, world, expected=expected, trail=trail, api=api, client=client)
