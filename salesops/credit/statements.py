"""Monthly statements of account (对账函), their PDF and e-mail, the customer's
confirmation, statement runs for all customers of a month, the rep's monthly reconciliation
against finance's ledger, and the AR analysis pack (业务往来余额表).

Balances come from `credit.ledger`: opening + invoices − credit notes − receipts = closing,
to the cent, because every figure is a sum of the same rows.
"""

from __future__ import annotations

import contextlib
import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import DecimalField, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from salesops.core import formatting, pdf
from salesops.core.audit import audit_record, model_create, model_update
from salesops.core.exceptions import ValidationFailed
from salesops.core.models import AuditEvent, Company
from salesops.core.numbering import next_number
from salesops.credit.ageing import open_at
from salesops.credit.exceptions import InvalidEmailAddress, NoEmailAddress, StatementExists
from salesops.credit.ledger import ledger_entries, month_end, month_start
from salesops.credit.models import (
    RECONCILIATION_FLOW,
    STATEMENT_FLOW,
    Receipt,
    Reconciliation,
    Statement,
    StatementRun,
)
from salesops.credit.money import cents, money_sum, money_total

ZERO = Decimal("0.00")
DOCUMENT_KINDS = ("invoice", "credit_note")
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)
# statement of account; "ST" is the stocktake's (a number names one kind of document)
STATEMENT_PREFIX = "SOA"


# --- statements ----------------------------------------------------------------------------------------
def statement_figures(*, customer_id: int, start: datetime.date, end: datetime.date) -> dict:
    opening, entries = ledger_entries(customer_id=customer_id, start=start, end=end)
    documents = [e for e in entries if e.kind in DOCUMENT_KINDS]
    invoiced = sum((e.debit for e in documents), ZERO)
    credited = sum((e.credit for e in documents), ZERO)
    # money received in the period, less money reversed in it (a bounced cheque)
    received = sum((e.credit - e.debit for e in entries if e.kind not in DOCUMENT_KINDS), ZERO)
    return {
        "opening": opening,
        "entries": entries,
        "invoiced": invoiced,
        "credited": credited,
        "received": received,
        "closing": opening + invoiced - credited - received,
        # the VAT inside the period's invoices and credit notes (tax lines of the statement)
        "invoiced_tax": sum((e.tax for e in documents if e.tax > 0), ZERO),
        "credited_tax": -sum((e.tax for e in documents if e.tax < 0), ZERO),
    }


@transaction.atomic
def statement_create(*, customer, period_start: datetime.date, actor) -> Statement:
    start = month_start(period_start)
    end = month_end(start)
    if Statement.objects.filter(customer=customer, period_start=start).exists():
        raise StatementExists()
    figures = statement_figures(customer_id=customer.pk, start=start, end=end)
    statement = Statement(
        number=next_number(prefix=STATEMENT_PREFIX, year=start.year),
        customer=customer,
        period_start=start,
        period_end=end,
        opening_balance=figures["opening"],
        invoiced=figures["invoiced"],
        credited=figures["credited"],
        received=figures["received"],
        closing_balance=figures["closing"],
        created_by=actor,
    )
    return model_create(instance=statement, actor=actor)


def statement_html(statement: Statement) -> str:
    figures = statement_figures(
        customer_id=statement.customer_id, start=statement.period_start, end=statement.period_end
    )
    return pdf.render(
        "credit/statement_pdf.html",
        {
            "statement": statement,
            "customer": statement.customer,
            "company": Company.objects.order_by("pk").first(),
            "figures": figures,
        },
    )


def statement_pdf(statement: Statement) -> bytes:
    return pdf.to_pdf(statement_html(statement))


def customer_email(customer) -> str:
    email = getattr(customer, "email", "") or ""
    if email:
        return email
    contacts = customer.contacts.exclude(email="").order_by("-is_primary", "pk")
    return contacts.values_list("email", flat=True).first() or ""


def checked_address(raw: str) -> str:
    """One e-mail address, checked before anything is sent (a list, a name or `not-an-email`
    is refused with a field error)."""
    address = (raw or "").strip()
    if not address:
        raise NoEmailAddress(fields={"to": [NoEmailAddress.default_message]})
    try:
        validate_email(address)
    except DjangoValidationError:
        raise InvalidEmailAddress(fields={"to": [InvalidEmailAddress.default_message]})
    if len(address) > Statement._meta.get_field("sent_to").max_length:
        raise InvalidEmailAddress(fields={"to": [InvalidEmailAddress.default_message]})
    return address


@transaction.atomic
def statement_send(*, statement: Statement, actor, to: str = "") -> Statement:
    """E-mail the statement with its PDF. The address is checked first; the mail leaves only
    after the transaction commits, and a mail server that refuses it turns the statement to
    "sending failed" with the reason (`statement_send_failed`), so nothing shows as sent that
    did not leave."""
    statement = Statement.objects.select_for_update().select_related("customer").get(pk=statement.pk)
    address = checked_address(to or customer_email(statement.customer))
    STATEMENT_FLOW.check(statement.status, Statement.Status.SENT)
    document = statement_pdf(statement)
    month = formatting.month(statement.period_start)
    subject = _("Statement of account %(number)s (%(month)s)") % {"number": statement.number, "month": month}
    body = _(
        "Dear customer,\n\nplease find attached your statement of account for %(month)s. The closing balance is "
        "%(balance)s. Please confirm it, or tell us of any difference, within 10 days.\n\nThank you."
    ) % {"month": month, "balance": formatting.money(statement.closing_balance)}
    filename = f"{statement.number}.pdf"
    statement_id, actor_id = statement.pk, getattr(actor, "pk", None)

    def deliver():
        message = EmailMessage(str(subject), str(body), settings.DEFAULT_FROM_EMAIL, [address])
        message.attach(filename, document, "application/pdf")
        try:
            message.send(fail_silently=False)
        except Exception as error:  # noqa: BLE001 - any refusal of the mail server is recorded, not raised
            statement_send_failed(statement_id=statement_id, actor_id=actor_id, reason=str(error) or repr(error))

    transaction.on_commit(deliver)
    before = statement.status
    statement.status = Statement.Status.SENT
    statement.sent_at = timezone.now()
    statement.sent_to = address
    statement.send_error = ""
    statement.save(update_fields=["status", "sent_at", "sent_to", "send_error"])
    audit_record(
        instance=statement,
        action=AuditEvent.Action.TRANSITION,
        actor=actor,
        changes={"status": [before, statement.status], "sent_to": [None, address]},
    )
    return statement


@transaction.atomic
def statement_send_failed(*, statement_id: int, actor_id: int | None, reason: str) -> None:
    """The mail server refused the statement: it shows as "sending failed" with the reason."""
    from salesops.core.models import User

    statement = Statement.objects.select_for_update().get(pk=statement_id)
    if statement.status != Statement.Status.SENT:
        return
    before = statement.status
    statement.status = Statement.Status.SEND_FAILED
    statement.send_error = reason[:500]
    statement.save(update_fields=["status", "send_error"])
    audit_record(
        instance=statement,
        action=AuditEvent.Action.TRANSITION,
        actor=User.objects.filter(pk=actor_id).first() if actor_id else None,
        changes={"status": [before, statement.status]},
        note=reason[:500],
    )


@transaction.atomic
def statement_confirm(
    *,
    statement: Statement,
    actor,
    confirmed_on: datetime.date | None = None,
    signed_copy=None,
    customer_note: str = "",
    disputed: bool = False,
) -> Statement:
    """Record the customer's answer: confirmed (signed copy uploaded or date of confirmation)
    or disputed with their remark."""
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if not disputed and not confirmed_on and not signed_copy:
        raise ValidationFailed(
            fields={"confirmed_on": [_("Upload the signed copy or enter the date the customer confirmed.")]}
        )
    if disputed and not customer_note.strip():
        raise ValidationFailed(fields={"customer_note": [_("Write down what the customer disputes.")]})
    target = Statement.Status.DISPUTED if disputed else Statement.Status.CONFIRMED
    STATEMENT_FLOW.check(statement.status, target)
    data = {"status": target, "customer_note": customer_note}
    if not disputed:
        data["confirmed_on"] = confirmed_on or timezone.localdate()
    if signed_copy:
        before = statement.signed_copy.name
        statement.signed_copy.save(signed_copy.name, signed_copy, save=False)  # stored; the row is saved below
        data["signed_copy"] = statement.signed_copy.name
        statement.signed_copy = before
    model_update(
        instance=statement, fields=["status", "customer_note", "confirmed_on", "signed_copy"], data=data, actor=actor
    )
    return statement


def customers_to_state(period_start: datetime.date):
    """Customers with a balance or any movement in the month."""
    from salesops.crm.models import Customer
    from salesops.sales.models import Invoice

    end = month_end(period_start)
    with_documents = Invoice.objects.exclude(status=Invoice.Status.CANCELLED).filter(issue_date__lte=end)
    with_receipts = Receipt.objects.filter(
        status__in=(Receipt.Status.CONFIRMED, Receipt.Status.REVERSED), received_on__lte=end
    )
    ids = set(with_documents.values_list("customer_id", flat=True).distinct()) | set(
        with_receipts.values_list("customer_id", flat=True).distinct()
    )
    return Customer.objects.filter(pk__in=ids).order_by("pk")


@transaction.atomic
def statement_run_start(*, period_start: datetime.date, actor, send_email: bool = False) -> StatementRun:
    run = StatementRun(period_start=month_start(period_start), send_email=send_email, started_by=actor)
    model_create(instance=run, actor=actor)
    from salesops.credit.tasks import statement_run_task

    run_id = run.pk
    transaction.on_commit(lambda: statement_run_task.enqueue(run_id))
    return run


def statement_run_execute(*, run_id: int) -> StatementRun:
    """Make (and optionally send) the month's statements, one customer per transaction,
    updating the progress the page polls. Customers already stated are skipped."""
    run = StatementRun.objects.select_related("started_by").get(pk=run_id)
    customers = list(customers_to_state(run.period_start))
    StatementRun.objects.filter(pk=run.pk).update(status=StatementRun.Status.RUNNING, total=len(customers))
    try:
        with translation.override(run.started_by.language or settings.LANGUAGE_CODE):
            for customer in customers:
                with transaction.atomic():
                    statement = Statement.objects.filter(customer=customer, period_start=run.period_start).first()
                    if statement is None:
                        statement = statement_create(
                            customer=customer, period_start=run.period_start, actor=run.started_by
                        )
                    if run.send_email and statement.status == Statement.Status.ISSUED and customer_email(customer):
                        # a bad address: it stays issued, finance corrects the address on the statement's page
                        with contextlib.suppress(InvalidEmailAddress):
                            statement_send(statement=statement, actor=run.started_by)
                StatementRun.objects.filter(pk=run.pk).update(done=F("done") + 1)
    except Exception as error:
        StatementRun.objects.filter(pk=run.pk).update(
            status=StatementRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    StatementRun.objects.filter(pk=run.pk).update(status=StatementRun.Status.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run


# --- the rep's monthly reconciliation --------------------------------------------------------------------
def rep_ledger_balance(*, rep, as_of: datetime.date) -> Decimal:
    """What finance's ledger shows open on the rep's invoices at the end of `as_of`."""
    from salesops.sales.models import Invoice

    return money_total(open_at(Invoice.objects.filter(rep=rep), as_of), "amount_open")


@transaction.atomic
def reconciliation_open(*, rep, period_start: datetime.date, actor) -> Reconciliation:
    start = month_start(period_start)
    existing = Reconciliation.objects.filter(rep=rep, period_start=start).first()
    if existing:
        return existing
    if rep.org_unit_id is None:
        raise ValidationFailed(fields={"rep": [_("The rep belongs to no team.")]})
    reconciliation = Reconciliation(
        rep=rep,
        team=rep.org_unit,
        period_start=start,
        ledger_balance=rep_ledger_balance(rep=rep, as_of=month_end(start)),
    )
    return model_create(instance=reconciliation, actor=actor)


def _reconciliation_move(reconciliation: Reconciliation, target: str, actor, **fields) -> None:
    RECONCILIATION_FLOW.check(reconciliation.status, target)
    model_update(instance=reconciliation, fields=["status", *fields], data={"status": target, **fields}, actor=actor)


@transaction.atomic
def reconciliation_rep_sign(*, reconciliation: Reconciliation, actor, rep_balance: Decimal, note: str = ""):
    reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    if actor.pk != reconciliation.rep_id:
        raise ValidationFailed(_("Only the rep can sign their own reconciliation."))
    if rep_balance != reconciliation.ledger_balance and not note.strip():
        raise ValidationFailed(fields={"note": [_("Explain the difference to finance's ledger.")]})
    _reconciliation_move(
        reconciliation,
        Reconciliation.Status.REP_SIGNED,
        actor,
        rep_balance=rep_balance,
        note=note,
        rep_signed_at=timezone.now(),
    )
    return reconciliation


@transaction.atomic
def reconciliation_finance_sign(*, reconciliation: Reconciliation, actor, accept: bool = True, note: str = ""):
    reconciliation = Reconciliation.objects.select_for_update().get(pk=reconciliation.pk)
    if accept:
        _reconciliation_move(
            reconciliation,
            Reconciliation.Status.CLOSED,
            actor,
            finance_signed_by=actor,
            finance_signed_at=timezone.now(),
        )
    else:
        if not note.strip():
            raise ValidationFailed(fields={"note": [_("Say what the rep must check.")]})
        _reconciliation_move(reconciliation, Reconciliation.Status.OPEN, actor, note=note)
    return reconciliation


# --- AR analysis pack (业务往来余额表) -------------------------------------------------------------------------
def ar_pack_rows(*, invoices, receipts, start: datetime.date, end: datetime.date) -> list[dict]:
    """Per customer: opening balance, invoiced, credit notes, received, closing — each column a
    conditional sum computed by the database over the already scoped querysets."""
    from salesops.sales.models import Invoice

    documents = (
        invoices.exclude(status=Invoice.Status.CANCELLED)
        .filter(issue_date__lte=end)
        .order_by()
        .values("customer_id", "customer__code", "customer__name", "customer__owner__full_name")
        .annotate(
            before=money_sum("total", filter=Q(issue_date__lt=start)),
            invoiced=money_sum("total", filter=Q(issue_date__gte=start, total__gt=0)),
            credited=money_sum("total", filter=Q(issue_date__gte=start, total__lt=0)),
        )
    )
    counted = receipts.filter(status__in=(Receipt.Status.CONFIRMED, Receipt.Status.REVERSED))
    columns = ("customer_id", "customer__code", "customer__name", "customer__owner__full_name")
    money = (
        counted.filter(received_on__lte=end)
        .order_by()
        .values(*columns)
        .annotate(
            before=money_sum("amount", filter=Q(received_on__lt=start)),
            received=money_sum("amount", filter=Q(received_on__gte=start)),
        )
    )
    # money reversed counts back, on the day of its reversal (received less reversed)
    reversed_money = (
        counted.filter(reversed_on__lte=end)
        .order_by()
        .values(*columns)
        .annotate(
            before=money_sum(-F("amount"), filter=Q(reversed_on__lt=start)),
            received=money_sum(-F("amount"), filter=Q(reversed_on__gte=start)),
        )
    )
    rows: dict[int, dict] = {}

    def row_for(item):
        return rows.setdefault(
            item["customer_id"],
            {
                "customer_id": item["customer_id"],
                "code": item["customer__code"],
                "name": item["customer__name"],
                "rep": item["customer__owner__full_name"],
                "opening": ZERO,
                "invoiced": ZERO,
                "credited": ZERO,
                "received": ZERO,
            },
        )

    for item in documents:
        row = row_for(item)
        row["opening"] += cents(item["before"])
        row["invoiced"] += cents(item["invoiced"])
        row["credited"] += -cents(item["credited"])
    for item in [*money, *reversed_money]:
        row = row_for(item)
        row["opening"] -= cents(item["before"])
        row["received"] += cents(item["received"])
    result = []
    for row in sorted(rows.values(), key=lambda r: r["code"]):
        row["closing"] = row["opening"] + row["invoiced"] - row["credited"] - row["received"]
        if any(row[k] for k in ("opening", "invoiced", "credited", "received", "closing")):
            result.append(row)
    return result


def ar_pack_xlsx(*, user, start: datetime.date, end: datetime.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from salesops.core.export import text_only
    from salesops.credit.ageing import BUCKETS, ageing_for_user, invoices_for_user
    from salesops.credit.selectors import receipt_list_for_user

    rows = ar_pack_rows(
        invoices=invoices_for_user(user=user), receipts=receipt_list_for_user(user=user), start=start, end=end
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(_("Balances"))[:31]
    sheet.append([str(_("AR analysis pack (balances with customers)")), f"{start} – {end}"])
    sheet["A1"].font = Font(bold=True, size=13)
    headers = [
        _("Code"),
        _("Customer"),
        _("Owner rep"),
        _("Opening balance"),
        _("Invoiced"),
        _("Credit notes"),
        pgettext("money", "Received"),
        _("Closing balance"),
    ]
    sheet.append([str(h) for h in headers])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    totals = dict.fromkeys(["opening", "invoiced", "credited", "received", "closing"], ZERO)
    for row in rows:
        sheet.append([row["code"], row["name"], row["rep"], *[float(row[k]) for k in totals]])
        for key in totals:
            totals[key] += row[key]
    sheet.append(["", str(_("Total")), "", *[float(v) for v in totals.values()]])
    for column in "DEFGH":
        for cell in sheet[column][2:]:
            cell.number_format = "#,##0.00"
    sheet.column_dimensions["B"].width = 36
    ageing_sheet = workbook.create_sheet(str(_("Ageing"))[:31])
    data = ageing_for_user(user=user, as_of=end, group_by="customer")
    ageing_sheet.append([str(_("Ageing at %(date)s") % {"date": end})])
    keys = [*[key for key, _label in BUCKETS], "total", "on_account", "balance"]
    labels = [*[str(label) for _key, label in BUCKETS], str(_("Total")), str(_("On account")), str(_("Balance"))]
    ageing_sheet.append([str(_("Customer")), *labels])
    for row in data["rows"]:
        ageing_sheet.append([row["name"], *[float(row[key]) for key in keys]])
    ageing_sheet.append([str(_("Total")), *[float(data["totals"][key]) for key in keys]])
    text_only(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
