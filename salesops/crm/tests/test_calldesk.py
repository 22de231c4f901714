"""The call desk: registering calls and walk-ins, the rotation (absent reps skipped), the pool,
a chosen rep, known customers to their owner, notifications, the same-day rule and counts."""

import datetime

import pytest
from django.utils import timezone

from salesops.core.exceptions import PermissionDenied, ValidationFailed
from salesops.core.models import Notification
from salesops.core.selectors import company_date
from salesops.crm import calldesk, selectors, services
from salesops.crm.models import Customer, InboundContact, OwnershipChange, RepAbsence, Rotation, RotationSeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(org):
    """The call rotation: rep1, rep2, rep3 in that order."""
    for rep in ("rep1", "rep2", "rep3"):
        calldesk.rotation_seat_add(actor=org["salesadmin"], channel="call", rep=org[rep])
    return Rotation.for_channel("call")


def register(org, phone, name="新客户", actor="salesadmin", **kwargs):
    return calldesk.inbound_register(actor=org[actor], via=kwargs.pop("via", "call"), name=name, phone=phone, **kwargs)


def test_rotation_gives_leads_in_turn_and_starts_over(org, line):
    owners = [register(org, f"1380013800{i}", name=f"客户{i}").assigned_to.username for i in range(4)]
    assert owners == ["rep1", "rep2", "rep3", "rep1"]
    assert Customer.objects.filter(owner=org["salesadmin"]).count() == 0


def test_an_absent_rep_is_skipped_and_keeps_their_seat(org, line):
    today = company_date()
    calldesk.absence_add(actor=org["salesadmin"], rep=org["rep2"], start=today, end=today, reason="年假")
    first = register(org, "13800138001", name="甲")
    second = register(org, "13800138002", name="乙")
    assert [first.assigned_to, second.assigned_to] == [org["rep1"], org["rep3"]]
    assert second.skipped == [org["rep2"].pk]
    # back the next day: the line goes on from rep1 and rep2 has their turn again
    RepAbsence.objects.all().delete()
    assert [register(org, f"1380013801{i}", name=f"丙{i}").assigned_to.username for i in range(2)] == ["rep1", "rep2"]


def test_nobody_present_is_a_field_error_and_changes_nothing(org, line):
    today = company_date()
    for rep in ("rep1", "rep2", "rep3"):
        RepAbsence.objects.create(rep=org[rep], start=today, end=today, created_by=org["salesadmin"])
    with pytest.raises(ValidationFailed) as error:
        register(org, "13800138001")
    assert "assign" in error.value.fields
    assert (Customer.objects.count(), InboundContact.objects.count()) == (0, 0)
    line.refresh_from_db()
    assert line.next_position == 0


def test_a_known_customer_goes_to_its_owner_and_takes_no_turn(org, line):
    known = services.lead_register(actor=org["rep3"], name="老客户", phone="13900001111")
    record = register(org, "139-0000-1111", name="老客户商行", interest="再订一批")
    assert (record.customer, record.assigned_to, record.assignment, record.is_new) == (
        known,
        org["rep3"],
        InboundContact.Assignment.OWNER,
        False,
    )
    assert Customer.objects.count() == 1
    assert register(org, "13800138001", name="新的").assigned_to == org["rep1"]  # rep1's turn still


def test_pool_leaves_the_lead_unowned_and_counts_against_nobody(org, line):
    record = register(org, "13800138001", name="公海客户", assign="pool")
    customer = record.customer
    assert (record.assigned_to, customer.in_pool) == (None, True)
    assert services.held_prospects(org["salesadmin"]) == 0
    assert customer in selectors.pool_list_for_user(user=org["rep2"])
    assert OwnershipChange.objects.filter(customer=customer, reason=OwnershipChange.Reason.POOL_RETURN).exists()
    line.refresh_from_db()
    assert line.next_position == 0
    # called again later: the desk hands the pooled lead out by rotation
    again = register(org, "13800138001", name="公海客户")
    customer.refresh_from_db()
    assert (again.assigned_to, customer.owner, customer.in_pool) == (org["rep1"], org["rep1"], False)


def test_a_chosen_rep_gets_it_and_is_notified_in_their_language(org, line):
    org["rep3"].language = "zh-hans"
    org["rep3"].save()
    record = register(org, "13800138001", name="指定客户", assign="chosen", rep=org["rep3"], via="visit")
    assert (record.assigned_to, record.customer.owner, record.customer.registered_via) == (
        org["rep3"],
        org["rep3"],
        "visit",
    )
    note = Notification.objects.get(user=org["rep3"])
    assert "指定客户" in note.title and "来访" in note.title
    assert note.url == f"/customers/{record.customer.pk}/"
    assert record.customer.activities.get().owner == org["rep3"]


@pytest.mark.parametrize("actor", ["supervisor1", "manager"])
def test_a_supervisor_or_manager_at_the_desk_does_not_become_the_owner(org, line, actor):
    record = register(org, "13800138001", name="主管接的电话", actor=actor)
    assert record.customer.owner == org["rep1"]
    assert record.registered_by == org[actor]


def test_a_supervisor_chooses_only_reps_of_their_team(org, line):
    with pytest.raises(ValidationFailed) as error:
        register(org, "13800138001", actor="supervisor1", assign="chosen", rep=org["rep3"])
    assert "rep" in error.value.fields
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("actor", ["rep1", "finance", "warehouse", "norole"])
def test_only_the_desk_roles_register_at_the_desk(org, line, actor):
    with pytest.raises(PermissionDenied):
        register(org, "13800138001", actor=actor)
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "13800138001", "name": " "}, "name"),
        ({"phone": "13800138001", "occurred_at": timezone.now() + datetime.timedelta(hours=2)}, "occurred_at"),
        ({"phone": "13800138001", "occurred_at": timezone.now() - datetime.timedelta(days=30)}, "occurred_at"),
        ({"phone": "13800138001", "assign": "chosen"}, "rep"),
        ({"phone": "13800138001", "via": "email"}, "via"),
    ],
)
def test_bad_input_is_a_field_error(org, line, kwargs, field):
    args = {"name": "客户", **kwargs}
    with pytest.raises(ValidationFailed) as error:
        register(org, **args)
    assert field in error.value.fields
    assert InboundContact.objects.count() == 0


def test_a_call_entered_after_its_day_is_counted_late(org, line):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    late = register(org, "13800138001", name="晚班来电", occurred_at=yesterday)
    on_time = register(org, "13800138002", name="当天来电")
    assert (late.entered_late, on_time.entered_late) == (True, False)
    counts = selectors.inbound_counts(
        user=org["salesadmin"], start=company_date() - datetime.timedelta(days=1), end=company_date()
    )
    assert (counts["total"], counts["late"], counts["same_day_percent"]) == (2, 1, 50)
    by_rep = {row["name"]: (row["total"], row["rotation"], row["late"]) for row in counts["reps"]}
    assert by_rep == {"Rep1": (1, 1, 1), "Rep2": (1, 1, 0)}


def test_moving_a_seat_keeps_whose_turn_it_is(org, line):
    register(org, "13800138001", name="甲")  # rep1 served; rep2's turn
    seat = RotationSeat.objects.get(rep=org["rep3"])
    calldesk.rotation_seat_move(actor=org["salesadmin"], seat=seat, up=True)
    line.refresh_from_db()
    order = [item["rep"].username for item in calldesk.rotation_line(line, company_date())]
    turn = [item["rep"].username for item in calldesk.rotation_line(line, company_date()) if item["next"]]
    assert (order, turn) == (["rep1", "rep3", "rep2"], ["rep2"])
    calldesk.rotation_seat_remove(actor=org["salesadmin"], seat=RotationSeat.objects.get(rep=org["rep2"]))
    assert register(org, "13800138002", name="乙").assigned_to == org["rep1"]


def test_rotation_refuses_a_non_rep_and_a_second_seat(org, line):
    with pytest.raises(ValidationFailed):
        calldesk.rotation_seat_add(actor=org["salesadmin"], channel="call", rep=org["supervisor1"])
    with pytest.raises(ValidationFailed):
        calldesk.rotation_seat_add(actor=org["salesadmin"], channel="call", rep=org["rep1"])
    with pytest.raises(PermissionDenied):
        calldesk.rotation_seat_add(actor=org["rep1"], channel="visit", rep=org["rep1"])


def test_absence_ending_before_it_starts_is_refused(org):
    today = company_date()
    with pytest.raises(ValidationFailed) as error:
        calldesk.absence_add(actor=org["salesadmin"], rep=org["rep1"], start=today, end=today - datetime.timedelta(1))
    assert "end" in error.value.fields
    assert RepAbsence.objects.count() == 0


def test_the_lead_form_does_not_make_a_supervisor_the_owner(org):
    with pytest.raises(ValidationFailed) as error:
        services.lead_register(actor=org["supervisor1"], name="主管自己登记", phone="13800138001")
    assert "owner" in error.value.fields
    assert Customer.objects.count() == 0


def test_matches_while_typing_hide_what_the_user_may_not_see(org):
    services.lead_register(actor=org["rep3"], name="华联超市", phone="13900001111")
    admin = selectors.inbound_matches(user=org["salesadmin"], phone="1390000")
    assert [m["customer"].name for m in admin] == ["华联超市"]
    by_initials = selectors.inbound_matches(user=org["salesadmin"], name="hlcs")
    assert [m["customer"].name for m in by_initials] == ["华联超市"]
    other_team = selectors.inbound_matches(user=org["supervisor1"], phone="13900001111")
    assert other_team == [{"customer": None, "visible": False, "talk_to": "Supervisor2"}]
    assert selectors.inbound_matches(user=org["salesadmin"], phone="13") == []
