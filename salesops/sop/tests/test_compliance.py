import datetime

import pytest

from salesops.sop.models import Obligation, SopRule
from salesops.sop.selectors import compliance_for_user, people_behind
from salesops.sop.tests.factories import daily_rule, make_obligation

S = Obligation.Status
D = datetime.date


def _hand_made_case(org):
    """rep1: met, met, met late, missed · rep2: met, missed · rep3: met, open · and one of
    rep1's outside the period."""
    rule = daily_rule()
    for person, day, status in [
        ("rep1", D(2026, 11, 2), S.MET),
        ("rep1", D(2026, 11, 3), S.MET),
        ("rep1", D(2026, 11, 4), S.MET_LATE),
        ("rep1", D(2026, 11, 5), S.MISSED),
        ("rep2", D(2026, 11, 2), S.MET),
        ("rep2", D(2026, 11, 3), S.MISSED),
        ("rep3", D(2026, 11, 2), S.MET),
        ("rep3", D(2026, 11, 30), S.OPEN),
        ("rep1", D(2026, 10, 30), S.MISSED),
    ]:
        make_obligation(rule=rule, person=org[person], day=day, status=status)


def _rows(user, group_by):
    rows = compliance_for_user(user=user, date_from=D(2026, 11, 1), date_to=D(2026, 11, 30), group_by=group_by)
    return {row.label: (row.met, row.met_late, row.missed, row.open, row.on_time_rate) for row in rows}


def test_compliance_by_person_team_and_rule(org):
    _hand_made_case(org)
    assert _rows(org["director"], "person") == {
        "Rep1": (2, 1, 1, 0, 50.0),
        "Rep2": (1, 0, 1, 0, 50.0),
        "Rep3": (1, 0, 0, 1, 100.0),
    }
    assert _rows(org["director"], "team") == {"East-1": (3, 1, 2, 0, 50.0), "East-2": (1, 0, 0, 1, 100.0)}
    assert _rows(org["director"], "rule") == {"Daily sales report by 17:30": (4, 1, 2, 1, 57.1)}


def test_compliance_is_scoped(org):
    _hand_made_case(org)
    assert set(_rows(org["rep1"], "person")) == {"Rep1"}
    assert set(_rows(org["supervisor1"], "person")) == {"Rep1", "Rep2"}
    assert set(_rows(org["manager"], "person")) == {"Rep1", "Rep2", "Rep3"}
    assert _rows(org["finance"], "person") == {}
    assert _rows(org["norole"], "person") == {}


def test_compliance_by_month_counts_escalations_and_leaves_cancelled_out(org):
    _hand_made_case(org)
    Obligation.objects.filter(status=S.MISSED).update(escalated_at=datetime.datetime(2026, 11, 6, tzinfo=datetime.UTC))
    make_obligation(rule=daily_rule(), person=org["rep2"], day=D(2026, 11, 6), status=S.CANCELLED)
    rows = compliance_for_user(
        user=org["director"], date_from=D(2026, 10, 1), date_to=D(2026, 11, 30), group_by="month"
    )
    assert [(r.key, r.met, r.met_late, r.missed, r.open, r.escalated, r.late) for r in rows] == [
        ("2026-10", 0, 0, 1, 0, 1, 1),
        ("2026-11", 4, 1, 2, 1, 2, 3),
    ]


def test_compliance_narrowed_to_one_rule(org):
    _hand_made_case(org)
    other = SopRule.objects.get(code="complaint-24h")
    assert (
        compliance_for_user(
            user=org["director"], date_from=D(2026, 11, 1), date_to=D(2026, 11, 30), group_by="person", rule=other
        )
        == []
    )


@pytest.mark.parametrize(
    "username, behind",
    [
        ("supervisor1", ["Rep1", "Rep2"]),
        ("supervisor2", ["Rep3"]),
        ("manager", ["Rep1", "Rep2", "Rep3"]),
        ("director", ["Rep1", "Rep2", "Rep3"]),
        ("rep1", []),
        ("finance", []),
        ("norole", []),
    ],
)
def test_people_behind_today_by_role(org, username, behind):
    now = datetime.datetime(2026, 11, 10, 9, tzinfo=datetime.UTC)
    _hand_made_case(org)  # rep1 missed 11-05 and one in October, rep2 11-03, rep3's 11-30 is not due yet
    make_obligation(rule=daily_rule(), person=org["rep3"], day=D(2026, 11, 9), status=S.OPEN)  # past due, not run
    rows = people_behind(user=org[username], now=now)
    assert [row.person.display_name for row in rows] == behind
    if username == "manager":
        assert [(r.overdue, r.rules) for r in rows] == [(2, ["Daily sales report by 17:30"])] + [
            (1, ["Daily sales report by 17:30"])
        ] * 2
