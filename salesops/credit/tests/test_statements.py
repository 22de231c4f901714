import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from salesops.core.exceptions import ValidationFailed
from salesops.credit import receipts, statements
from salesops.credit.ledger import balance_at
from salesops.credit.models import Statement, StatementRun
from salesops.credit.tests.factories import make_customer, make_invoice
from salesops.crm import services as crm_services

D = Decimal
day = datetime.date


@pytest.fixture
def account(org):
    customer = make_customer(org, "rep1", name="上海华联超市001")
    crm_services.contact_create(
        customer=customer, actor=org["admin"], name="王芳", email="buyer@example.cn", is_primary=True
    )
    finance = org["finance"]
    make_invoice(customer, "1000.00", issue_date=day(2025, 1, 10))
    receipts.receipt_record(actor=finance, customer=customer, amount="300.00", received_on=day(2025, 1, 20))
    original = make_invoice(customer, "500.55", issue_date=day(2025, 2, 3))
    make_invoice(customer, "-100.10", issue_date=day(2025, 2, 10), kind="credit_note")
    receipts.receipt_record(actor=finance, customer=customer, amount="200.33", received_on=day(2025, 2, 14))
    receipts.receipt_record(actor=finance, customer=customer, amount="0.01", received_on=day(2025, 2, 28))
    make_invoice(customer, "999.99", issue_date=day(2025, 3, 1))  # next month
    return customer, original


def test_statement_balances_to_the_cent(org, account):
    customer, _ = account
    statement = statements.statement_create(customer=customer, period_start=day(2025, 2, 17), actor=org["finance"])
    assert (statement.period_start, statement.period_end) == (day(2025, 2, 1), day(2025, 2, 28))
    assert statement.opening_balance == D("700.00")
    assert (statement.invoiced, statement.credited, statement.received) == (D("500.55"), D("100.10"), D("200.34"))
    assert statement.closing_balance == D("900.11")
    assert statement.opening_balance + statement.invoiced - statement.credited - statement.received == (
        statement.closing_balance
    )
    assert statement.closing_balance == balance_at(customer_id=customer.pk, day=day(2025, 2, 28))
    figures = statements.statement_figures(customer_id=customer.pk, start=day(2025, 2, 1), end=day(2025, 2, 28))
    assert figures["entries"][-1].balance == D("900.11")
    assert statement.number.startswith("SOA-2025-")


def test_pdf_renders_with_the_chinese_font(org, account):
    customer, _ = account
    statement = statements.statement_create(customer=customer, period_start=day(2025, 2, 1), actor=org["finance"])
    pdf = statements.statement_pdf(statement)
    assert pdf.startswith(b"%PDF")
    from weasyprint import HTML

    plain = HTML(string=statements.statement_html(statement)).write_pdf(uncompressed_pdf=True)
    assert b"/FontFile" in plain  # the font is embedded
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto", plain)  # and it is the CJK font of @font-face


def test_send_mails_the_pdf_after_commit_and_records_confirmation(
    org, account, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    customer, _ = account
    statement = statements.statement_create(customer=customer, period_start=day(2025, 2, 1), actor=org["finance"])
    with django_capture_on_commit_callbacks(execute=True):
        statements.statement_send(statement=statement, actor=org["finance"])
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["buyer@example.cn"]
    assert "(Feb 2025)" in message.subject and "¥900.11" in message.body  # the helper's month and money
    assert message.attachments[0][0] == f"{statement.number}.pdf"
    assert message.attachments[0][1].startswith(b"%PDF")
    with pytest.raises(ValidationFailed):
        statements.statement_confirm(statement=statement, actor=org["finance"])
    statement.refresh_from_db()
    assert statement.status == Statement.Status.SENT
    upload = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    statements.statement_confirm(
        statement=statement, actor=org["finance"], signed_copy=upload, confirmed_on=day(2025, 3, 5)
    )
    statement.refresh_from_db()
    assert statement.status == Statement.Status.CONFIRMED and statement.confirmed_on == day(2025, 3, 5)
    assert statement.signed_copy.name.endswith(".pdf")


def test_month_run_makes_every_statement_with_progress(org, account, django_capture_on_commit_callbacks):
    customer, _ = account
    other = make_customer(org, "rep3")
    make_invoice(other, "12.34", issue_date=day(2025, 2, 2))
    make_customer(org, "rep2")  # nothing with us: no statement
    with django_capture_on_commit_callbacks(execute=True):
        run = statements.statement_run_start(period_start=day(2025, 2, 1), actor=org["finance"])
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.percent) == (StatementRun.Status.DONE, 2, 2, 100)
    assert Statement.objects.filter(period_start=day(2025, 2, 1)).count() == 2


def test_rep_reconciliation_against_the_ledger(org, account):
    customer, original = account
    rec = statements.reconciliation_open(rep=org["rep1"], period_start=day(2025, 2, 1), actor=org["rep1"])
    # open on rep1's documents at 2025-02-28: 1000 + 500.55 - 100.10 - 300 - 200.34 (allocated oldest first)
    assert rec.ledger_balance == D("900.11")
    with pytest.raises(ValidationFailed):
        statements.reconciliation_rep_sign(reconciliation=rec, actor=org["rep1"], rep_balance=D("900.00"))
    statements.reconciliation_rep_sign(reconciliation=rec, actor=org["rep1"], rep_balance=D("900.11"))
    statements.reconciliation_finance_sign(reconciliation=rec, actor=org["finance"])
    rec.refresh_from_db()
    assert rec.status == "closed" and rec.difference == 0


def test_ar_pack_excel(org, account, api):
    from io import BytesIO

    from openpyxl import load_workbook

    response = api(org["finance"]).get("/api/v1/receivables/ar-pack/?from=2025-02-01&to=2025-02-28")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.worksheets[0]
    row = [cell.value for cell in sheet[3]]
    assert row[1] == "上海华联超市001"
    assert row[3:] == [700.0, 500.55, 100.1, 200.34, 900.11]
    assert api(org["rep1"]).get("/api/v1/receivables/ar-pack/").status_code == 404
