"""Outlet execution and the rep's tools: a new-outlet application becomes a customer only once
approved; visit photos are limited in size, count and type by the policy; the iCalendar feed
lists the rep's planned visits of the published route."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from salesops.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from salesops.core.selectors import company_date
from salesops.crm.models import Customer
from salesops.field import outlets, services
from salesops.field.models import FieldPolicy, OutletApplication, VisitPhoto
from salesops.field.tests.factories import make_outlets, published_on_busiest_day, require
from salesops.sales.tests.factories import make_product, make_warehouse
from salesops.sales.tests.helpers import decide_all

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 200


@pytest.fixture
def route(org):
    product = make_product(price="5.00", stock="500", warehouse=make_warehouse())
    require(product)
    make_outlets(org["rep1"], 6)
    cycle = published_on_busiest_day(org["supervisor1"], org["rep1"])
    return {"cycle": cycle, "visits": services.visits_plan_day(rep=org["rep1"], date=company_date())}


def application(actor, **extra):
    data = {
        "name": "新开便利店",
        "channel": "convenience",
        "grade": "B",
        "address": "上海市黄浦区南京东路1号",
        "latitude": Decimal("31.235000"),
        "longitude": Decimal("121.480000"),
        "reason": "客流大",
        **extra,
    }
    return outlets.outlet_application_create(actor=actor, data=data)


def test_a_new_outlet_waits_for_the_supervisor_then_becomes_a_customer(org):
    applied = application(org["rep1"], name="待批网点")
    assert applied.status == OutletApplication.Status.PENDING  # what the rep is answered, as stored
    assert OutletApplication.objects.get(pk=applied.pk).status == OutletApplication.Status.PENDING
    assert not Customer.objects.filter(name="待批网点").exists()
    decide_all(applied, outlets.DOC_TYPE)
    applied.refresh_from_db()
    assert applied.status == OutletApplication.Status.APPROVED
    assert Customer.objects.get(pk=applied.customer_id).owner == org["rep1"]


def test_a_rejected_or_bad_outlet_application_makes_no_customer(org):
    rejected = application(org["rep1"], name="被驳回网点")
    decide_all(rejected, outlets.DOC_TYPE, decision="reject")
    rejected.refresh_from_db()
    assert rejected.status == OutletApplication.Status.REJECTED and rejected.customer_id is None
    with pytest.raises(ValidationFailed) as error:
        application(org["rep1"], name="坏坐标", latitude=Decimal("123.000000"))
    assert "latitude" in error.value.fields
    with pytest.raises(PermissionDenied):
        application(org["supervisor1"])
    assert not Customer.objects.filter(name__in=["被驳回网点", "坏坐标"]).exists()


def test_visit_photos_are_limited_by_the_policy(org, route, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    if not route["visits"]:
        pytest.skip("no visit planned on the cycle's first day")
    visit = route["visits"][0]
    policy = FieldPolicy.current()
    policy.photo_max_kb, policy.photos_per_visit = 50, 2
    policy.save()
    too_big = SimpleUploadedFile("big.png", PNG + b"\0" * (51 * 1024), content_type="image/png")
    with pytest.raises(ValidationFailed) as error:
        services.visit_photo_add(visit=visit, actor=org["rep1"], upload=too_big)
    assert "photo" in error.value.fields
    not_a_picture = SimpleUploadedFile("notes.png", b"%PDF-1.4 not a picture", content_type="image/png")
    with pytest.raises(ValidationFailed):
        services.visit_photo_add(visit=visit, actor=org["rep1"], upload=not_a_picture)
    for n in range(2):
        services.visit_photo_add(visit=visit, actor=org["rep1"], upload=SimpleUploadedFile(f"{n}.png", PNG))
    with pytest.raises(ValidationFailed):
        services.visit_photo_add(visit=visit, actor=org["rep1"], upload=SimpleUploadedFile("3.png", PNG))
    assert VisitPhoto.objects.filter(visit=visit).count() == 2
    with pytest.raises(NotFound):  # another rep's visit is not theirs to add to
        services.visit_photo_add(visit=visit, actor=org["rep2"], upload=SimpleUploadedFile("x.png", PNG))


def test_the_calendar_feed_lists_the_planned_visits(org, route, client):
    client.force_login(org["rep1"])
    response = client.get(reverse("field-ics"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    feed = Calendar.from_ical(response.content)
    events = list(feed.walk("VEVENT"))
    stops = route["cycle"].stops.count()
    assert len(events) >= stops  # four weeks of a cycle: every stop at least once
    names = set(route["cycle"].stops.values_list("customer__name", flat=True))
    assert {str(event["summary"]).split(" ", 1)[1] for event in events} <= names
    first = min(event.decoded("dtstart") for event in events)
    assert first.date() >= company_date() - datetime.timedelta(days=1)
    assert all(event.decoded("dtend") > event.decoded("dtstart") for event in events)
    assert len({str(event["uid"]) for event in events}) == len(events)
    client.force_login(org["supervisor1"])  # a supervisor has no route of their own
    assert client.get(reverse("field-ics")).status_code == 404
