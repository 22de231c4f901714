"""The customer's purchase file (档案袋): the papers it must hold at each stage, what was
received, what is missing, and the lending log of the paper file (借阅登记)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salesops.core.audit import model_create, model_update
from salesops.core.exceptions import ValidationFailed
from salesops.units.exceptions import FileAlreadyLent
from salesops.units.models import FileItem, FileLoan, PurchaseContract, RequiredDocument, Reservation
from salesops.units.permissions import require

MAX_LOAN_DAYS = 90


def stages_of(reservation: Reservation) -> list[str]:
    """The stages whose papers the file must hold now."""
    stages = [RequiredDocument.Stage.RESERVATION]
    contract = PurchaseContract.objects.filter(reservation=reservation).only("status", "method").first()
    if contract is not None and contract.status != PurchaseContract.Status.DRAFT:
        stages.append(RequiredDocument.Stage.CONTRACT)
        if contract.method == PurchaseContract.Method.MORTGAGE:
            stages.append(RequiredDocument.Stage.MORTGAGE)
    return stages


def checklist(reservation: Reservation) -> list[dict]:
    """Every paper required by now, with what was received (None when missing)."""
    received = {item.document_id: item for item in reservation.file_items.select_related("recorded_by")}
    required = RequiredDocument.objects.filter(active=True, stage__in=stages_of(reservation))
    return [{"document": document, "item": received.get(document.pk)} for document in required]


def missing(reservation: Reservation) -> list[RequiredDocument]:
    return [row["document"] for row in checklist(reservation) if row["item"] is None]


@transaction.atomic
def file_item_record(
    *, reservation: Reservation, document: RequiredDocument, actor, received_on=None, copies: int = 1, note: str = ""
) -> FileItem:
    require(actor, "file.record")
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationFailed(fields={"received_on": [_("The date cannot be in the future.")]})
    if FileItem.objects.filter(reservation=reservation, document=document).exists():
        raise ValidationFailed(fields={"document": [_("This paper is already in the file.")]})
    item = FileItem(
        reservation=reservation,
        document=document,
        received_on=received_on,
        copies=copies,
        note=note.strip()[:200],
        recorded_by=actor,
    )
    return model_create(instance=item, actor=actor)


@transaction.atomic
def file_lend(*, reservation: Reservation, borrower, purpose: str, due_back: datetime.date, actor) -> FileLoan:
    """The sales admin lends the paper file; it must come back before it is lent again."""
    require(actor, "file.lend")
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if FileLoan.objects.filter(reservation=reservation, returned_at__isnull=True).exists():
        raise FileAlreadyLent()
    today = timezone.localdate()
    if not (today <= due_back <= today + datetime.timedelta(days=MAX_LOAN_DAYS)):
        raise ValidationFailed(fields={"due_back": [_("Within %(n)d days from today.") % {"n": MAX_LOAN_DAYS}]})
    if not (purpose or "").strip():
        raise ValidationFailed(fields={"purpose": [_("Say what the file is needed for.")]})
    loan = FileLoan(
        reservation=reservation,
        borrower=borrower,
        purpose=purpose.strip()[:200],
        lent_at=timezone.now(),
        due_back=due_back,
        lent_by=actor,
    )
    return model_create(instance=loan, actor=actor)


@transaction.atomic
def file_return(*, loan: FileLoan, actor) -> FileLoan:
    require(actor, "file.lend")
    loan = FileLoan.objects.select_for_update().get(pk=loan.pk)
    if loan.returned_at is not None:
        raise ValidationFailed(_("The file is already back."))
    loan, _changed = model_update(
        instance=loan, fields=["returned_at"], data={"returned_at": timezone.now()}, actor=actor
    )
    return loan
