import datetime

import pytest

from salesops.sop import services
from salesops.sop.models import DailyReport, Obligation, SopEvent, SopRule
from salesops.sop.tests.factories import at, daily_rule, make_obligation

MONDAY = datetime.date(2026, 11, 16)
VIEWERS = [
    ("rep1", 200),
    ("supervisor1", 200),
    ("manager", 200),
    ("director", 200),
    ("rep3", 404),
    ("rep2", 404),
    ("finance", 404),
    ("norole", 404),
]


@pytest.fixture
def obligation(org):
    return make_obligation(rule=daily_rule(), person=org["rep1"], day=MONDAY)


@pytest.fixture
def report(org):
    return services.daily_report_submit(
        rep=org["rep1"], date=MONDAY, actor=org["rep1"], submitted_at=at(2026, 11, 16, 17), visits="visited"
    )


@pytest.mark.parametrize("username, expected", VIEWERS)
def test_obligation_detail_visibility(org, api, obligation, username, expected):
    response = api(org[username]).get(f"/api/v1/sop/obligations/{obligation.pk}/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    "username, count", [("rep1", 1), ("supervisor1", 1), ("rep3", 0), ("finance", 0), ("norole", 0)]
)
def test_obligation_list_is_scoped(org, api, obligation, username, count):
    assert api(org[username]).get("/api/v1/sop/obligations/").json()["count"] == count


def test_anonymous_gets_nothing(api, obligation):
    assert api().get("/api/v1/sop/obligations/").status_code in (401, 403)


NEW_RULE = {
    "code": "weekly-plan",
    "name_en": "Weekly visit plan",
    "name_zh": "每周拜访计划",
    "event_type": "call_registered",
    "roles": ["sales_rep"],
    "schedule": "weekly fri 18:00",
    "reminder_minutes": 120,
    "escalate_to": "manager",
}


@pytest.mark.parametrize(
    "username, expected",
    [("admin", 201), ("rep1", 403), ("supervisor1", 403), ("director", 403), ("finance", 403), ("norole", 403)],
)
def test_only_administrators_create_rules(org, api, username, expected):
    response = api(org[username]).post("/api/v1/sop/rules/", NEW_RULE, format="json")
    assert response.status_code == expected
    assert SopRule.objects.filter(code="weekly-plan").exists() == (expected == 201)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"schedule": "monthly day 32"}, "schedule"),
        ({"schedule": "whenever"}, "schedule"),
        ({"roles": []}, "roles"),
        ({"roles": ["purchasing"], "org_unit": "EAST"}, "roles"),
        ({"escalate_to": "nobody"}, "escalate_to"),
    ],
)
def test_bad_rules_are_rejected_when_saved_and_nothing_changes(org, api, change, field):
    if change.get("org_unit"):
        change = {**change, "org_unit": org.units[change["org_unit"]].pk}
    before = SopRule.objects.count()
    response = api(org["admin"]).post("/api/v1/sop/rules/", {**NEW_RULE, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert SopRule.objects.count() == before


def test_bad_expression_on_update_names_the_problem_and_changes_nothing(org, api):
    rule = daily_rule()
    response = api(org["admin"]).patch(f"/api/v1/sop/rules/{rule.pk}/", {"schedule": "daily 25:00"}, format="json")
    assert response.status_code == 400
    assert "25:00" in response.json()["fields"]["schedule"][0]
    rule.refresh_from_db()
    assert rule.schedule == "daily 17:30"


def test_enabling_a_rule_through_the_api_restarts_its_schedule(org, api):
    rule = SopRule.objects.get(code="credit-review-quarterly")
    response = api(org["admin"]).patch(f"/api/v1/sop/rules/{rule.pk}/", {"enabled": True}, format="json")
    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.enabled and rule.scheduled_until is None


@pytest.mark.parametrize("username", ["rep1", "supervisor1", "director", "admin"])
@pytest.mark.parametrize(
    "event",
    [
        {"event_type": "daily_report_submitted", "period_key": "2026-11-16"},
        {"event_type": "credit_review_done"},
        {"event_type": "production_plan_issued"},
        {"event_type": "sop_meeting_held"},
    ],
)
def test_nobody_can_declare_a_deadline_met(org, api, obligation, username, event):
    """The exploit: a rep posting "daily report submitted" for a day without a report turned
    the obligation met. There is no such endpoint: only the report itself meets it."""
    missed = make_obligation(
        rule=daily_rule(), person=org["rep1"], day=MONDAY + datetime.timedelta(days=1), status=Obligation.Status.MISSED
    )
    response = api(org[username]).post("/api/v1/sop/events/", event, format="json")
    assert response.status_code == 405
    assert SopEvent.objects.count() == 0
    assert set(Obligation.objects.filter(pk__in=[obligation.pk, missed.pk]).values_list("status", flat=True)) == {
        Obligation.Status.OPEN,
        Obligation.Status.MISSED,
    }


def test_only_the_report_meets_the_daily_report_obligation(org, api, obligation):
    response = api(org["rep1"]).post(
        "/api/v1/sop/daily-reports/", {"date": "2026-11-16", "visits": "three outlets"}, format="json"
    )
    assert response.status_code == 201
    obligation.refresh_from_db()
    assert obligation.status == Obligation.Status.MET_LATE  # submitted now, long after 2026-11-16 17:30
    assert obligation.url == f"/sop/daily-reports/{response.json()['id']}/"
    events = api(org["supervisor1"]).get("/api/v1/sop/events/").json()["results"]
    assert [(e["event_type"], e["obligation"]) for e in events] == [("daily_report_submitted", obligation.pk)]
    assert api(org["rep3"]).get("/api/v1/sop/events/").json()["results"] == []


@pytest.mark.parametrize("username, expected", [("rep1", 201), ("supervisor1", 403), ("finance", 403), ("norole", 403)])
def test_daily_report_submission(org, api, username, expected):
    response = api(org[username]).post(
        "/api/v1/sop/daily-reports/", {"date": "2026-11-16", "visits": "three outlets"}, format="json"
    )
    assert response.status_code == expected
    assert DailyReport.objects.count() == (1 if expected == 201 else 0)


def test_empty_daily_report_is_rejected(org, api):
    response = api(org["rep1"]).post("/api/v1/sop/daily-reports/", {"date": "2026-11-16"}, format="json")
    assert response.status_code == 400
    assert DailyReport.objects.count() == 0


@pytest.mark.parametrize(
    "username, expected",
    [
        ("supervisor1", 200),
        ("manager", 200),
        ("rep1", 404),
        ("rep2", 404),
        ("rep3", 404),
        ("supervisor2", 404),
        ("finance", 404),
        ("norole", 404),
    ],
)
def test_daily_report_review_permissions(org, api, report, username, expected):
    response = api(org[username]).post(
        f"/api/v1/sop/daily-reports/{report.pk}/review/", {"comment": "ok"}, format="json"
    )
    assert response.status_code == expected
    report.refresh_from_db()
    assert (report.reviewed_by_id is not None) == (expected == 200)


def test_second_review_is_a_conflict(org, api, report):
    api(org["supervisor1"]).post(f"/api/v1/sop/daily-reports/{report.pk}/review/", {}, format="json")
    response = api(org["manager"]).post(f"/api/v1/sop/daily-reports/{report.pk}/review/", {}, format="json")
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.reviewed_by == org["supervisor1"]


def test_compliance_api(org, api, obligation):
    make_obligation(rule=daily_rule(), person=org["rep3"], day=MONDAY, status=Obligation.Status.MISSED)
    url = "/api/v1/sop/compliance/?from=2026-11-01&to=2026-11-30&group_by=person"
    rows = api(org["supervisor1"]).get(url).json()["results"]
    assert [(r["label"], r["open"], r["missed"]) for r in rows] == [("Rep1", 1, 0)]
    rows = api(org["director"]).get(url).json()["results"]
    assert sorted((r["label"], r["open"], r["missed"]) for r in rows) == [("Rep1", 1, 0), ("Rep3", 0, 1)]
    assert api(org["norole"]).get(url).json()["results"] == []


@pytest.mark.parametrize(
    "query",
    ["", "from=2026-11-30&to=2026-11-01", "from=x&to=2026-11-01", "from=2026-11-01&to=2026-11-30&group_by=moon"],
)
def test_compliance_api_rejects_bad_queries(org, api, query):
    assert api(org["director"]).get(f"/api/v1/sop/compliance/?{query}").status_code == 400


@pytest.mark.parametrize(
    "code, change, field",
    [
        ("delivery-24h", {"code": "delivery-1d"}, "code"),
        ("delivery-24h", {"schedule": "daily 17:30"}, "schedule"),
        ("production-plan-29th", {"schedule": "after 24h"}, "schedule"),
    ],
)
def test_a_rule_documents_rely_on_keeps_its_code_and_kind(org, api, code, change, field):
    """Orders read "delivery-24h" by its code and start it from an event; the planners' page reads
    the 29th's periods. A change that would break them is refused and changes nothing."""
    rule = SopRule.objects.get(code=code)
    before = (rule.code, rule.schedule)
    response = api(org["admin"]).patch(f"/api/v1/sop/rules/{rule.pk}/", change, format="json")
    assert response.status_code == 400 and field in response.json()["fields"]
    rule.refresh_from_db()
    assert (rule.code, rule.schedule) == before


def test_counting_working_hours_instead_is_a_change_of_data(org, api):
    rule = SopRule.objects.get(code="complaint-24h")
    response = api(org["admin"]).patch(
        f"/api/v1/sop/rules/{rule.pk}/", {"schedule": "after 24 working-hours"}, format="json"
    )
    assert response.status_code == 200
    from salesops.sop import hooks

    friday_16 = at(2026, 11, 20, 16)
    assert hooks.deadline("complaint-24h", friday_16) == at(2026, 11, 25, 13)  # Fri 2 h + Mon, Tue 9 h + Wed 4 h
