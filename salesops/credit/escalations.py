"""Overdue receivables brought to management: 30 days past due → the head of the rep's
region or department, 60 days → the general manager, each with a link to the customer's
credit file. Run daily by the periodic worker; one CollectionEscalation row per invoice and
level (unique), so reruns and catch-up runs never notify twice.

The 30 and 60 days are the SOP rules "overdue-30" and "overdue-60": an invoice starts both
when it is issued (counting from its due date) and meets them when it is paid in full."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salesops.core.audit import audit_record
from salesops.core.formatting import money
from salesops.core.models import AuditEvent, OrgUnit, User
from salesops.core.roles import Role
from salesops.core.services import lazy_message, notify
from salesops.credit.models import CollectionEscalation
from salesops.sop import hooks as sop

LEVEL_RULES = {
    CollectionEscalation.Level.DEPARTMENT_MANAGER: "overdue-30",
    CollectionEscalation.Level.GENERAL_MANAGER: "overdue-60",
}


def department_manager_of(rep: User) -> User | None:
    """The head of the region or department above the rep's team."""
    unit = rep.org_unit
    while unit is not None:
        if unit.kind in {OrgUnit.Kind.REGION, OrgUnit.Kind.DEPARTMENT} and unit.head_id and unit.head_id != rep.pk:
            return unit.head
        unit = unit.parent
    return rep.manager.manager if rep.manager_id and rep.manager.manager_id else rep.manager


def general_manager() -> User | None:
    holders = User.objects.filter(is_active=True, role_assignments__role=Role.GENERAL_MANAGER).order_by("pk")
    return holders.filter(headed_units__isnull=False).first() or holders.first()


def escalations_run(*, now: datetime.datetime | None = None) -> int:
    """Escalate every open invoice past a level it has not been escalated at; returns how many."""
    from salesops.sales.models import Invoice

    today = timezone.localdate(now or timezone.now())
    made = 0
    gm = general_manager()
    for level, rule in LEVEL_RULES.items():
        overdue = (
            Invoice.objects.filter(
                kind=Invoice.Kind.INVOICE,
                status=Invoice.Status.OPEN,
                total__gt=F("paid_amount"),
                due_date__lte=today - datetime.timedelta(days=sop.length_in_days(rule, today)),
            )
            .exclude(pk__in=CollectionEscalation.objects.filter(level=level).values("invoice_id"))
            .select_related("customer", "rep__org_unit", "rep__manager")
            .order_by("due_date", "pk")
        )
        for invoice in overdue.iterator(chunk_size=500):
            person = gm if level == CollectionEscalation.Level.GENERAL_MANAGER else department_manager_of(invoice.rep)
            if _escalate(invoice, level, person, today):
                made += 1
    return made


def _escalate(invoice, level: int, person: User | None, today: datetime.date) -> bool:
    days = (today - invoice.due_date).days
    open_amount = invoice.total - invoice.paid_amount
    try:
        with transaction.atomic():
            CollectionEscalation.objects.create(
                customer=invoice.customer,
                invoice=invoice,
                level=level,
                notified=person,
                days_overdue=days,
                open_amount=open_amount,
            )
            audit_record(
                instance=invoice.customer,
                action=AuditEvent.Action.UPDATE,
                note=_("Overdue %(number)s (%(days)d days, %(amount)s) escalated to %(who)s")
                % {
                    "number": invoice.number,
                    "days": days,
                    "amount": money(open_amount),
                    "who": person.display_name if person else "—",
                },
            )
            if person is not None:
                url = _credit_file_url(invoice.customer_id)
                notify(
                    user=person,
                    title=lazy_message(
                        gettext_lazy("Overdue %(days)d days: %(customer)s"), days=days, customer=invoice.customer.name
                    ),
                    body=lazy_message(
                        gettext_lazy(
                            "Invoice %(number)s of %(customer)s is %(days)d days past due with %(amount)s open. "
                            "Rep responsible: %(rep)s. The customer's credit file is attached."
                        ),
                        number=invoice.number,
                        customer=invoice.customer.name,
                        days=days,
                        amount=money(open_amount),
                        rep=invoice.rep.display_name,
                    ),
                    url=url,
                    kind="collection_escalation",
                )
    except IntegrityError:  # another worker escalated it at the same moment
        return False
    return True


def _credit_file_url(customer_id: int) -> str:
    from salesops.credit.models import CreditFile

    credit_file = CreditFile.objects.filter(customer_id=customer_id).values_list("pk", flat=True).first()
    if credit_file:
        return reverse("credit-file-detail", args=[credit_file])
    return reverse("customer-detail", args=[customer_id])


def _reference(invoice) -> str:
    return f"invoice:{invoice.number}"


def collection_start(*, invoice) -> None:
    """An issued invoice starts the collection deadlines, counted from the start of its due date."""
    for rule in LEVEL_RULES.values():
        sop.start(
            rule=rule,
            person=invoice.rep,
            started_at=sop.start_of_day(invoice.due_date),
            reference=_reference(invoice),
            url=reverse("sales-invoice", args=[invoice.pk]),
        )


def collection_done(*, invoice, on: datetime.date, actor=None) -> None:
    """The invoice was paid in full by a receipt or credit note dated `on`."""
    sop.done(
        event="invoice_settled",
        person=invoice.rep,
        occurred_at=sop.end_of_day(on),
        reference=_reference(invoice),
        actor=actor,
    )
