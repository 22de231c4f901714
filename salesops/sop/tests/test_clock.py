import datetime

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.core.models import Notification
from salesops.sop import services
from salesops.sop.clock import sop_clock_run
from salesops.sop.exceptions import UnknownRule
from salesops.sop.models import ClockRun, Obligation, SopEvent, SopRule
from salesops.sop.tests.factories import at, daily_rule

OPEN, MET, MET_LATE, MISSED = (
    Obligation.Status.OPEN,
    Obligation.Status.MET,
    Obligation.Status.MET_LATE,
    Obligation.Status.MISSED,
)
MONDAY = datetime.date(2026, 11, 16)


def statuses():
    return {(o.person.username, o.period_key): o.status for o in Obligation.objects.select_related("person")}


def kinds():
    return sorted((n.user.username, n.kind) for n in Notification.objects.select_related("user"))


@pytest.fixture(autouse=True)
def _only_the_daily_report(db):
    """The clock's own behaviour, on one scheduled rule (the others have their own tests)."""
    SopRule.objects.exclude(code__in=["daily-report", "complaint-24h"]).update(enabled=False)


@pytest.fixture
def run(org, django_capture_on_commit_callbacks):
    def clock(moment):
        with django_capture_on_commit_callbacks(execute=True):
            return sop_clock_run(now=moment)

    return clock


def test_obligations_are_created_once_per_person_and_period(org, run):
    first = run(at(2026, 11, 16, 8))
    assert first.created == 3
    assert statuses() == {(u, "2026-11-16"): OPEN for u in ["rep1", "rep2", "rep3"]}
    again = run(at(2026, 11, 16, 8))
    assert again.created == 0
    assert Obligation.objects.count() == 3
    obligation = Obligation.objects.get(person=org["rep1"])
    assert obligation.due_at == at(2026, 11, 16, 17, 30)
    assert obligation.remind_at == at(2026, 11, 16, 17, 0)  # 30 minutes before


def test_unique_constraint_holds_even_if_the_schedule_is_reset(org, run):
    run(at(2026, 11, 16, 8))
    SopRule.objects.update(scheduled_until=None)
    run(at(2026, 11, 16, 9))
    assert Obligation.objects.count() == 3


def test_no_obligation_on_weekends_and_disabled_rules_create_nothing(org, run):
    run(at(2026, 11, 14, 8))  # Saturday
    assert Obligation.objects.count() == 0
    SopRule.objects.filter(code="daily-report").update(enabled=False)
    run(at(2026, 11, 16, 8))
    assert Obligation.objects.count() == 0


def test_met_met_late_and_missed(org, run):
    run(at(2026, 11, 16, 8))
    services.daily_report_submit(
        rep=org["rep1"], date=MONDAY, actor=org["rep1"], submitted_at=at(2026, 11, 16, 17), visits="A"
    )
    services.daily_report_submit(
        rep=org["rep2"], date=MONDAY, actor=org["rep2"], submitted_at=at(2026, 11, 16, 18), calls="B"
    )
    run(at(2026, 11, 16, 17, 31))
    assert statuses() == {("rep1", "2026-11-16"): MET, ("rep2", "2026-11-16"): MET_LATE, ("rep3", "2026-11-16"): MISSED}
    # a missed obligation done later becomes met late, and is not escalated again
    services.daily_report_submit(
        rep=org["rep3"], date=MONDAY, actor=org["rep3"], submitted_at=at(2026, 11, 16, 20), feedback="C"
    )
    rep3 = Obligation.objects.get(person=org["rep3"])
    assert (rep3.status, rep3.met_at) == (MET_LATE, at(2026, 11, 16, 20))
    assert rep3.event.reference.startswith("daily-report:")
    assert run(at(2026, 11, 16, 21)).missed == 0


def test_reminders_and_escalations_exactly_once_over_two_runs(org, run):
    org["supervisor1"].email = "s1@example.cn"
    org["supervisor1"].save()
    run(at(2026, 11, 16, 8))
    assert run(at(2026, 11, 16, 17, 5)).reminded == 3
    assert run(at(2026, 11, 16, 17, 6)).reminded == 0
    assert kinds() == [("rep1", "sop.reminder"), ("rep2", "sop.reminder"), ("rep3", "sop.reminder")]
    services.sop_event(
        event_type="daily_report_submitted", person=org["rep1"], occurred_at=at(2026, 11, 16, 17, 10), period=MONDAY
    )
    first = run(at(2026, 11, 16, 17, 31))
    second = run(at(2026, 11, 16, 17, 31))
    assert (first.missed, second.missed, second.reminded) == (2, 0, 0)
    assert kinds() == [
        ("rep1", "sop.reminder"),
        ("rep2", "sop.missed"),
        ("rep2", "sop.reminder"),
        ("rep3", "sop.missed"),
        ("rep3", "sop.reminder"),
        ("supervisor1", "sop.escalation"),  # rep2's manager
        ("supervisor2", "sop.escalation"),  # rep3's manager
    ]
    escalation = Notification.objects.get(user=org["supervisor1"])
    assert "Rep2" in escalation.body and "1 deadline missed" in escalation.title
    assert [m.to for m in mail.outbox] == [["s1@example.cn"]]
    missed = Obligation.objects.get(person=org["rep2"])
    assert missed.escalated_at == at(2026, 11, 16, 17, 31)
    assert missed.escalation_run == first


def test_catching_up_after_downtime_escalates_each_obligation_once_in_one_message(org, run):
    run(at(2026, 11, 16, 8))  # Monday morning, then the worker is down until Thursday
    # rep1 reported Tuesday's during the downtime: matched when the obligation appears
    services.daily_report_submit(
        rep=org["rep1"],
        date=datetime.date(2026, 11, 17),
        actor=org["rep1"],
        submitted_at=at(2026, 11, 17, 17),
        visits="A",
    )
    assert SopEvent.objects.get().obligation is None
    catch_up = run(at(2026, 11, 19, 8))
    assert catch_up.created == 9  # Tue, Wed, Thu × 3 reps
    assert catch_up.matched == 1
    assert catch_up.missed == 8  # Mon × 3, Tue × 2, Wed × 3
    assert statuses()[("rep1", "2026-11-17")] == MET
    assert statuses()[("rep1", "2026-11-19")] == OPEN
    assert Notification.objects.filter(user=org["supervisor1"], kind="sop.escalation").count() == 1
    assert "5 deadlines missed" in Notification.objects.get(user=org["supervisor1"]).title
    assert Notification.objects.filter(kind="sop.missed").count() == 3
    assert Notification.objects.filter(kind="sop.reminder").count() == 0  # nothing was about to be due
    again = run(at(2026, 11, 19, 8, 1))
    assert (again.created, again.missed, again.reminded) == (0, 0, 0)
    assert Obligation.objects.filter(escalated_at__isnull=False).count() == 8


def test_escalation_to_a_role_goes_to_the_closest_holder(org, run):
    SopRule.objects.filter(code="daily-report").update(escalate_to="sales_manager")
    run(at(2026, 11, 16, 8))
    run(at(2026, 11, 16, 18))
    assert Notification.objects.filter(kind="sop.escalation").get().user == org["manager"]


def test_event_started_deadline(org, run):
    SopRule.objects.filter(code="complaint-24h").update(enabled=True)
    due = services.sop_start(
        rule_code="complaint-24h", person=org["rep1"], started_at=at(2026, 11, 16, 10), reference="complaint:7"
    )
    assert due == at(2026, 11, 17, 10)
    services.sop_start(
        rule_code="complaint-24h", person=org["rep1"], started_at=at(2026, 11, 16, 11), reference="complaint:7"
    )
    obligation = Obligation.objects.get()  # started once
    assert (obligation.open_at, obligation.due_at) == (at(2026, 11, 16, 10), due)
    # answered by a colleague: the reference identifies the obligation
    services.sop_event(
        event_type="complaint_answered", person=org["rep2"], occurred_at=at(2026, 11, 16, 15), reference="complaint:7"
    )
    obligation.refresh_from_db()
    assert obligation.status == MET
    assert run(at(2026, 11, 18)).missed == 0


def test_event_started_rule_switched_off_gives_its_deadline_and_writes_nothing_with_one_query(org):
    SopRule.objects.filter(code="complaint-24h").update(enabled=False)
    with CaptureQueriesContext(connection) as context:
        due = services.sop_start(
            rule_code="complaint-24h", person=org["rep1"], started_at=at(2026, 11, 16, 10), reference="complaint:8"
        )
    assert due == at(2026, 11, 17, 10)
    assert len(context.captured_queries) == 1
    assert Obligation.objects.count() == 0


def test_an_undefined_rule_is_a_clear_error(org):
    with pytest.raises(UnknownRule):
        services.sop_start(rule_code="no-such-rule", person=org["rep1"], reference="x:1")
    assert Obligation.objects.count() == 0


def test_query_count_does_not_grow_with_obligations(org, run):
    rule = daily_rule()

    def queries_for(days: int, start: datetime.date) -> int:
        rows = []
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            for rep in ("rep1", "rep2", "rep3"):
                rows.append(
                    Obligation(
                        rule=rule,
                        person=org[rep],
                        period_key=f"x-{day}",
                        open_at=at(day.year, day.month, day.day),
                        due_at=at(day.year, day.month, day.day, 17, 30),
                        remind_at=at(day.year, day.month, day.day, 17),
                    )
                )
        Obligation.objects.bulk_create(rows)
        now = at(start.year, start.month, start.day) + datetime.timedelta(days=days + 1)
        SopRule.objects.update(scheduled_until=now)  # creation is measured elsewhere
        cache.clear()  # both runs read the company (working hours) from the database
        with CaptureQueriesContext(connection) as context:
            result = run(now)
        assert result.missed == days * 3
        return len(context.captured_queries)

    small = queries_for(5, datetime.date(2026, 1, 5))
    large = queries_for(200, datetime.date(2026, 3, 2))
    assert small == large
    assert ClockRun.objects.count() == 2
