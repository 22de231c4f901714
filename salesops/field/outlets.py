"""The new-outlet application (新网点申请): a document of this area registered with the
approval engine. A rep applies; the seeded rule sends it to their supervisor; approval creates
the customer (owned by the rep), which the next re-plan of the rep's routes picks up."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from salesops.approvals import services as approvals
from salesops.approvals.facts import HIDDEN, DocumentFacts
from salesops.approvals.registry import ConditionField, DocumentType
from salesops.core.audit import audit_record, model_create
from salesops.core.exceptions import InvalidTransition, PermissionDenied, ValidationFailed
from salesops.core.models import AuditEvent
from salesops.core.numbering import next_number
from salesops.core.roles import Role
from salesops.crm.models import Customer
from salesops.field.models import OutletApplication

DOC_TYPE = "new_outlet"
FIELDS = ["name", "channel", "grade", "address", "city", "latitude", "longitude", "contact_name", "phone", "reason"]


class NewOutletFacts(DocumentFacts):
    """The outlet applied for, where it is, why, and what the approver checks it against: the
    rep's customers now and existing customers of the same name (a double claim, 撞单)."""

    number = serializers.CharField(label=gettext_lazy("Number"), read_only=True)
    name = serializers.CharField(label=gettext_lazy("Outlet name"), read_only=True)
    channel = serializers.ChoiceField(choices=Customer.Channel.choices, label=gettext_lazy("Channel"), read_only=True)
    grade = serializers.ChoiceField(choices=Customer.Grade.choices, label=gettext_lazy("Class"), read_only=True)
    address = serializers.CharField(label=gettext_lazy("Address"), read_only=True)
    city = serializers.CharField(label=gettext_lazy("City"), read_only=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, label=gettext_lazy("Latitude"), read_only=True)
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, label=gettext_lazy("Longitude"), read_only=True
    )
    contact_name = serializers.CharField(label=gettext_lazy("Contact"), read_only=True)
    phone = serializers.CharField(label=gettext_lazy("Phone"), read_only=True)
    rep_id = serializers.IntegerField(read_only=True, style=HIDDEN)
    rep = serializers.CharField(source="rep.display_name", label=gettext_lazy("Rep"), read_only=True)
    team = serializers.CharField(source="team.name", label=gettext_lazy("Team"), read_only=True)
    reason = serializers.CharField(label=gettext_lazy("Why this outlet"), read_only=True)
    rep_customers = serializers.SerializerMethodField(label=gettext_lazy("The rep's customers now"))
    same_name_customers = serializers.SerializerMethodField(label=gettext_lazy("Customers of the same name"))

    def get_rep_customers(self, application) -> int:
        return Customer.objects.filter(owner_id=application.rep_id).count()

    def get_same_name_customers(self, application) -> int:
        return Customer.objects.filter(name__iexact=application.name.strip()).count()


def _set_status(application: OutletApplication, status: str, actor=None) -> None:
    before = application.status
    if before != status:
        application.status = status
        application.save(update_fields=["status"])
        audit_record(
            instance=application, action=AuditEvent.Action.TRANSITION, actor=actor, changes={"status": [before, status]}
        )


def _approved(application: OutletApplication, request=None) -> None:
    from salesops.crm.services import customer_create

    application = OutletApplication.objects.select_for_update().get(pk=application.pk)
    if application.customer_id:
        return
    customer = customer_create(
        actor=application.rep,
        name=application.name,
        owner=application.rep,
        channel=application.channel,
        status=Customer.Status.ACTIVE,
        address=application.address,
        city=application.city,
        latitude=application.latitude,
        longitude=application.longitude,
        phone=application.phone,
        grade=application.grade,
    )
    application.customer = customer
    application.save(update_fields=["customer"])
    _set_status(application, OutletApplication.Status.APPROVED)


def outlet_application_type() -> DocumentType:
    return DocumentType(
        key=DOC_TYPE,
        label=gettext_lazy("New outlet"),
        model=OutletApplication,
        fields={
            "grade": ConditionField(gettext_lazy("Class"), kind="choice", choices=["A", "B", "C"]),
            "channel": ConditionField(gettext_lazy("Channel"), kind="choice", choices=Customer.Channel.values),
        },
        values=lambda a: {"grade": a.grade, "channel": a.channel},
        summary=lambda a: {
            "number": a.number,
            "name": a.name,
            "channel": a.channel,
            "grade": a.grade,
            "address": a.address,
            "position": f"{a.latitude},{a.longitude}",
            "rep": a.rep.display_name,
            "reason": a.reason,
        },
        summary_labels={
            "number": gettext_lazy("Number"),
            "name": gettext_lazy("Outlet name"),
            "channel": gettext_lazy("Channel"),
            "grade": gettext_lazy("Class"),
            "address": gettext_lazy("Address"),
            "position": gettext_lazy("Position"),
            "rep": gettext_lazy("Rep"),
            "reason": gettext_lazy("Why this outlet"),
        },
        requester=lambda a: a.rep,
        title=lambda a: _("New outlet %(number)s · %(name)s") % {"number": a.number, "name": a.name},
        on_approved=lambda a, request: _approved(a, request),
        on_rejected=lambda a, request: _set_status(a, OutletApplication.Status.REJECTED),
        on_returned=lambda a, request: _set_status(a, OutletApplication.Status.RETURNED),
        on_cancelled=lambda a, request: _set_status(a, OutletApplication.Status.DRAFT),
        url=lambda a: reverse("field-outlet-detail", args=[a.pk]),
        facts=NewOutletFacts,
    )


@transaction.atomic
def outlet_application_create(*, actor, data: dict, submit: bool = True) -> OutletApplication:
    """A rep applies for a new outlet; submitted for approval at once (approved at once when
    no rule asks for approval)."""
    if not actor.has_role(Role.SALES_REP) or actor.org_unit_id is None:
        raise PermissionDenied(_("Only a rep in a team applies for a new outlet."))
    application = OutletApplication(
        rep=actor, team_id=actor.org_unit_id, **{k: data.get(k) for k in FIELDS if k in data}
    )
    application.number = "NO-new"
    try:
        from salesops.core.audit import full_clean

        full_clean(application)
    except ValidationError as error:
        raise ValidationFailed(fields=error.message_dict) from None
    application.number = next_number(prefix="NO", width=5)
    model_create(instance=application, actor=actor)
    if submit:
        application = outlet_application_submit(application=application, actor=actor)
    return application


@transaction.atomic
def outlet_application_submit(*, application: OutletApplication, actor) -> OutletApplication:
    application = OutletApplication.objects.select_for_update().get(pk=application.pk)
    if application.rep_id != actor.pk:
        raise PermissionDenied()
    if application.status not in {OutletApplication.Status.DRAFT, OutletApplication.Status.RETURNED}:
        raise InvalidTransition()
    request = approvals.approval_submit(document=application, doc_type=DOC_TYPE, actor=actor)
    if request is None:
        _approved(application)
    else:
        _set_status(application, OutletApplication.Status.PENDING, actor)
    application.refresh_from_db()
    return application
