"""Route cycles and visits through the services and the API, per role."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.core.models import AuditEvent
from salesops.core.selectors import company_date
from salesops.field import services
from salesops.field.models import RouteCycle, Visit, VisitLine
from salesops.field.selectors import coverage_for_user, visit_figures
from salesops.field.tests.factories import make_outlets, published_cycle, require
from salesops.sales.models import SalesOrder
from salesops.sales.tests.factories import make_product, make_warehouse


@pytest.fixture
def field(org):
    warehouse = make_warehouse()
    product = make_product(price="5.00", stock="500", warehouse=warehouse)
    require(product)
    outlets = make_outlets(org["rep1"])
    make_outlets(org["rep3"], 4)
    return {"org": org, "product": product, "outlets": outlets}


def monday(today=None):
    today = today or company_date()
    return today - datetime.timedelta(days=today.weekday())


def test_plan_and_publish_a_cycle(field):
    org = field["org"]
    cycle = services.route_cycle_plan(rep=org["rep1"], actor=org["supervisor1"], time_limit=1)
    assert cycle.status == RouteCycle.Status.DRAFT
    visits = {}
    for stop in cycle.stops.all():
        visits[stop.customer_id] = visits.get(stop.customer_id, 0) + 1
    expected = {"A": 6, "B": 4, "C": 1}
    assert all(visits[c.pk] == expected[c.grade] for c in field["outlets"])
    assert cycle.total_km > 0 and cycle.naive_km >= cycle.total_km
    published = services.route_cycle_publish(cycle=cycle, actor=org["supervisor1"], starts_on=monday())
    assert published.status == RouteCycle.Status.PUBLISHED
    again = services.route_cycle_plan(rep=org["rep1"], actor=org["supervisor1"], time_limit=1)
    services.route_cycle_publish(cycle=again, actor=org["supervisor1"])
    cycle.refresh_from_db()
    assert cycle.status == RouteCycle.Status.RETIRED


@pytest.mark.parametrize("username", ["rep1", "rep3", "supervisor2", "finance", "norole"])
def test_only_the_reps_supervisors_plan_their_routes(field, username):
    from salesops.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.route_cycle_plan(rep=field["org"]["rep1"], actor=field["org"][username], time_limit=1)
    assert not RouteCycle.objects.exists()


def test_move_a_stop_and_replan_a_class_change_incrementally(field):
    org = field["org"]
    cycle = services.route_cycle_plan(rep=org["rep1"], actor=org["supervisor1"], time_limit=1)
    c_outlet = next(c for c in field["outlets"] if c.grade == "C")
    stop = cycle.stops.get(customer=c_outlet)
    target = 1 if stop.day != 1 else 2
    services.route_stop_move(cycle=cycle, stop_id=stop.pk, day=target, actor=org["supervisor1"])
    assert cycle.stops.get(customer=c_outlet).day == target
    before = {(s.customer_id, s.day) for s in cycle.stops.exclude(customer=c_outlet)}
    from salesops.crm.models import Customer

    Customer.objects.filter(pk=c_outlet.pk).update(grade="B")  # regraded by the ABC grading run
    changes = services.route_cycle_changes(cycle=cycle)
    assert [c.pk for c in changes.changed] == [c_outlet.pk]
    draft = services.route_cycle_replan_changes(cycle=cycle, actor=org["supervisor1"])
    assert draft.stops.filter(customer=c_outlet).count() == 4
    assert {(s.customer_id, s.day) for s in draft.stops.exclude(customer=c_outlet)} == before


def test_visit_submit_is_idempotent_and_makes_the_order(field):
    org, rep = field["org"], field["org"]["rep1"]
    published_cycle(org["supervisor1"], rep)
    today = company_date()
    visits = services.visits_plan_day(rep=rep, date=today)
    if not visits:
        pytest.skip("no route day today (weekend)")
    assert services.visits_plan_day(rep=rep, date=today) == visits  # idempotent
    visit = visits[0]
    key = uuid.uuid4()
    now = timezone.now()
    payload = {
        "actor": rep,
        "client_key": key,
        "visit": visit,
        "check_in_at": now - datetime.timedelta(minutes=5),
        "check_out_at": now,
        "latitude": Decimal("31.230000"),
        "longitude": Decimal("121.470000"),
        "record": {"outcome": "", "competitor_info": "康师傅 买二送一"},
        "lines": [{"product": field["product"].pk, "stock_seen": "2", "suggested_quantity": "12"}],
        "make_order": True,
    }
    stored, created = services.visit_submit(**payload)
    assert created and stored.status == Visit.Status.DONE and stored.outcome == Visit.Outcome.ORDERED
    assert stored.order.status == SalesOrder.Status.DRAFT and stored.order.lines.get().quantity == Decimal("12.000")
    assert stored.check_in_distance_m is not None
    again, created = services.visit_submit(**payload)
    assert not created and again.pk == stored.pk
    assert SalesOrder.objects.count() == 1 and VisitLine.objects.count() == 1
    figures = visit_figures(user=org["supervisor1"], date_from=today, date_to=today)
    assert figures[0].done == 1 and figures[0].successful == 1 and figures[0].success_rate == Decimal("100.0")
    assert visit_figures(user=org["supervisor2"], date_from=today, date_to=today) == []
    coverage = coverage_for_user(user=org["supervisor1"], date_from=today, date_to=today)
    assert coverage.targets == 12 and coverage.covered == 1


def test_bad_visit_input_changes_nothing(field):
    from salesops.core.exceptions import ValidationFailed

    rep = field["org"]["rep1"]
    customer = field["outlets"][0]
    now = timezone.now()
    audits = AuditEvent.objects.count()
    for bad in [
        {"check_in_at": now + datetime.timedelta(hours=2), "check_out_at": now + datetime.timedelta(hours=3)},
        {"check_in_at": now, "check_out_at": now - datetime.timedelta(minutes=1)},
        {"check_in_at": now, "check_out_at": now, "lines": [{"product": 999999, "suggested_quantity": "1"}]},
        {"check_in_at": now, "check_out_at": now, "lines": [{"product": field["product"].pk, "stock_seen": "-1"}]},
        {"check_in_at": now, "check_out_at": now, "record": {"outcome": ""}},
    ]:
        with pytest.raises(ValidationFailed):
            services.visit_submit(
                actor=rep, client_key=uuid.uuid4(), customer=customer, **{"record": {"outcome": "no_order"}, **bad}
            )
    assert Visit.objects.count() == 0 and AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    "username,status",
    [("rep1", 201), ("rep3", 404), ("supervisor1", 403), ("finance", 403), ("norole", 404)],
)
def test_visit_record_api_per_role(field, api, username, status):
    now = timezone.now()
    body = {
        "client_key": str(uuid.uuid4()),
        "customer": field["outlets"][0].pk,
        "check_in_at": now.isoformat(),
        "check_out_at": now.isoformat(),
        "record": {"outcome": "no_order"},
    }
    response = api(field["org"][username]).post("/api/v1/field/visit-records/", body, format="json")
    assert response.status_code == status, response.content
    if status == 201:
        assert api(field["org"][username]).post("/api/v1/field/visit-records/", body, format="json").status_code == 200
        assert Visit.objects.count() == 1
    else:
        assert response.json()["code"] and Visit.objects.count() == 0


@pytest.mark.parametrize(
    "username,count", [("rep1", 1), ("supervisor1", 1), ("rep3", 0), ("supervisor2", 0), ("finance", 1), ("norole", 0)]
)
def test_cycle_and_visit_lists_are_scoped(field, api, client, username, count):
    published_cycle(field["org"]["supervisor1"], field["org"]["rep1"])
    response = api(field["org"][username]).get("/api/v1/field/cycles/")
    assert response.status_code == 200 and response.json()["count"] == count
    client.force_login(field["org"][username])
    page = client.get("/field/cycles/")
    assert page.status_code == (200 if username in {"rep1", "supervisor1", "rep3", "supervisor2"} else 404)


def test_figures_api_refuses_bad_dates(field, api):
    response = api(field["org"]["supervisor1"]).get("/api/v1/field/figures/?date_from=2026-02-01&date_to=2026-01-01")
    assert response.status_code == 400 and "date_to" in response.json()["fields"]
    response = api(field["org"]["supervisor1"]).get("/api/v1/field/figures/?date_from=nonsense&date_to=2026-01-01")
    assert response.status_code == 400


def test_pages_open_for_the_supervisor(field, client):
    published_cycle(field["org"]["supervisor1"], field["org"]["rep1"])
    client.force_login(field["org"]["supervisor1"])
    cycle = RouteCycle.objects.get()
    for url in [
        "/field/performance/",
        "/field/distribution/",
        "/field/checks/",
        "/field/visits/",
        f"/field/cycles/{cycle.pk}/",
        "/",
    ]:
        assert client.get(url).status_code == 200, url
    client.force_login(field["org"]["rep1"])
    assert client.get("/field/today/").status_code == 200
    ics = client.get("/field/visits.ics")
    assert ics.status_code == 200 and ics.content.startswith(b"BEGIN:VCALENDAR")
    assert b"BEGIN:VEVENT" in ics.content
