"""Test data for credit and collections: customers through the CRM service, invoices as the
sales area stores them, credit files with a limit already granted."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from salesops.credit.models import CreditFile
from salesops.crm import services as crm_services

_numbers = itertools.count(1)


def make_customer(org, owner: str = "rep1", name: str = ""):
    rep = org[owner]
    return crm_services.customer_create(actor=org["admin"], name=name or f"Customer {next(_numbers)}", owner=rep)


def make_credit_file(customer, *, limit="100000.00", terms: int = 30, grace: int = 0, **fields) -> CreditFile:
    return CreditFile.objects.create(
        customer=customer, limit=Decimal(limit), payment_terms_days=terms, overdue_grace_days=grace, **fields
    )


def make_invoice(
    customer,
    total,
    *,
    issue_date: datetime.date,
    due_days: int = 30,
    rep=None,
    kind="invoice",
    due_date: datetime.date | None = None,
):
    from salesops.sales.models import Invoice

    rep = rep or customer.owner
    return Invoice.objects.create(
        number=f"INV-T-{next(_numbers):06d}",
        kind=kind,
        customer=customer,
        rep=rep,
        team=rep.org_unit,
        issue_date=issue_date,
        due_date=due_date or issue_date + datetime.timedelta(days=due_days),
        total=Decimal(str(total)),
    )
