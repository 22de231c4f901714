import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from salesops.crm import imports, services
from salesops.crm.exceptions import ImportHasErrors
from salesops.crm.models import Customer, PersonalDataExport
from salesops.crm.tests.factories import make_customer

# who → can read rep1's records (200) or not (404), can write (2xx) or not (403/404)
MATRIX = [
    ("rep1", 200, True),
    ("supervisor1", 200, True),
    ("rep3", 404, False),
    ("finance", 200, None),  # sees (company-wide) but writes are not tested for finance
    ("warehouse", 403, False),
    ("norole", 403, False),
]


@pytest.fixture
def world(org):
    customer = make_customer(org["rep1"], phone="13800138000")
    services.contact_create(
        customer=customer, actor=org["rep1"], name="王伟", phone="13911112222", email="wang@example.cn"
    )
    opp = services.opportunity_create(
        actor=org["rep1"], customer=customer, name="x", amount=Decimal("100"), expected_close=datetime.date(2026, 12, 1)
    )
    activity = services.activity_log(
        actor=org["rep1"],
        customer=customer,
        kind="call",
        subject="s",
        occurred_at=datetime.datetime(2026, 11, 20, 10, tzinfo=datetime.UTC),
    )
    complaint = services.complaint_register(actor=org["rep1"], customer=customer, subject="c")
    return {"customer": customer, "opportunity": opp, "activity": activity, "complaint": complaint}


@pytest.mark.parametrize("username,read_status,_write", MATRIX)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/{customer}/",
        "/api/v1/customers/{customer}/owner-history/",
        "/api/v1/customers/{customer}/history/",
        "/api/v1/opportunities/{opportunity}/",
        "/api/v1/activities/{activity}/",
        "/api/v1/complaints/{complaint}/",
    ],
)
def test_detail_read_matrix(org, api, world, username, read_status, _write, url):
    response = api(org[username]).get(url.format(**{k: v.pk for k, v in world.items()}))
    assert response.status_code == read_status


@pytest.mark.parametrize("username,_read,can_write", [m for m in MATRIX if m[2] is not None])
@pytest.mark.parametrize(
    "method,url,body",
    [
        ("patch", "/api/v1/customers/{customer}/", {"industry": "食品"}),
        ("post", "/api/v1/opportunities/{opportunity}/move/", {"stage": "needs"}),
        ("post", "/api/v1/complaints/{complaint}/answer/", {"text": "ok"}),
        ("post", "/api/v1/customers/{customer}/contacts/", {"name": "李四"}),
    ],
)
def test_write_matrix(org, api, world, username, _read, can_write, method, url, body):
    before = (Customer.objects.get(pk=world["customer"].pk).industry, world["customer"].contacts.count())
    response = getattr(api(org[username]), method)(
        url.format(**{k: v.pk for k, v in world.items()}), body, format="json"
    )
    if can_write:
        assert response.status_code in (200, 201)
    else:
        assert response.status_code in (403, 404)
        assert (Customer.objects.get(pk=world["customer"].pk).industry, world["customer"].contacts.count()) == before


@pytest.mark.parametrize(
    "username,status",
    [("rep1", 200), ("supervisor1", 200), ("rep3", 200), ("finance", 200), ("warehouse", 403), ("norole", 403)],
)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/customers/",
        "/api/v1/opportunities/",
        "/api/v1/activities/",
        "/api/v1/complaints/",
        "/api/v1/crm/pipeline/",
        "/api/v1/crm/pool/",
        "/api/v1/crm/stages/",
    ],
)
def test_list_endpoints_by_role(org, api, world, username, status, url):
    response = api(org[username]).get(url)
    assert response.status_code == status
    if status == 200 and username == "rep3" and "results" in response.json():
        assert response.json()["results"] == []


@pytest.mark.parametrize(
    "url",
    [
        "/customers/",
        "/opportunities/",
        "/pipeline/",
        "/activities/",
        "/complaints/",
        "/agenda/",
        "/leads/register/",
        "/leads/pool/",
        "/crm/conflicts/",
        "/crm/grades/",
    ],
)
def test_pages_render_for_rep_and_hide_from_no_role(org, client, world, url):
    client.force_login(org["rep1"])
    assert client.get(url).status_code == 200
    client.force_login(org["norole"])
    assert client.get(url).status_code == 404


def test_customer_page_sections_and_other_team_404(org, client, world):
    client.force_login(org["supervisor1"])
    page = client.get(f"/customers/{world['customer'].pk}/").content.decode()
    for key in ["contacts", "addresses", "opportunities", "activities", "complaints", "grades", "owners", "files"]:
        assert f'data-section="{key}"' in page
    client.force_login(org["rep3"])
    assert client.get(f"/customers/{world['customer'].pk}/").status_code == 404


def test_contact_details_masked_for_name_only_roles(org, api, world):
    full = api(org["rep1"]).get("/api/v1/crm/directory/").json()["results"][0]
    assert full["phone"] == "13800138000"
    masked = api(org["warehouse"]).get("/api/v1/crm/directory/").json()["results"][0]
    assert masked["phone"] == "138****8000" and masked["name"] == world["customer"].name
    assert api(org["norole"]).get("/api/v1/crm/directory/").status_code == 403


def test_customer_list_masked_for_planner_and_export_logged(org, client, world):
    client.force_login(org["planner"])
    page = client.get("/customers/").content.decode()
    assert "138****8000" in page and "13800138000" not in page
    client.force_login(org["rep1"])
    response = client.get("/customers/?export=xlsx")
    assert response.status_code == 200
    log = PersonalDataExport.objects.get()
    assert log.user == org["rep1"] and log.rows == 1 and log.what == "customers"


def test_customer_list_query_count_does_not_grow(org, client):
    client.force_login(org["supervisor1"])
    for _ in range(3):
        make_customer(org["rep1"])
    client.get("/customers/")  # warm the company cache
    with CaptureQueriesContext(connection) as few:
        client.get("/customers/")
    for _ in range(20):
        make_customer(org["rep2"])
    with CaptureQueriesContext(connection) as many:
        client.get("/customers/")
    assert len(many) == len(few)


def _csv(text):
    return SimpleUploadedFile("customers.csv", text.encode("utf-8"), content_type="text/csv")


def test_import_preview_all_or_nothing(org):
    make_customer(org["rep1"], name="上海华联超市有限公司", phone="13800138000")
    upload = _csv(
        "name,kind,channel,phone,email,tax_id,city,address,contact,owner\n"
        "杭州新客户,company,supermarket,13700001111,,,杭州,,张三,rep1\n"
        "上海华联超市,company,,,,,上海,,,rep1\n"
        "坏电话,company,,12345,,,,,,rep1\n"
        "坏税号,company,,,,123,,,,rep1\n"
        "重复行,company,,13700001111,,,,,,rep1\n"
    )
    record = imports.customer_import_preview(actor=org["rep1"], upload=upload)
    errors = {row["data"]["name"]: row["errors"] for row in record.rows}
    assert errors["杭州新客户"] == []
    assert errors["上海华联超市"] and errors["坏电话"] and errors["坏税号"] and errors["重复行"]
    before = Customer.objects.count()
    with pytest.raises(ImportHasErrors):
        imports.customer_import_commit(customer_import=record, actor=org["rep1"])
    assert Customer.objects.count() == before
    record = imports.customer_import_commit(customer_import=record, actor=org["rep1"], only_good_rows=True)
    assert record.created == 1 and Customer.objects.count() == before + 1


def test_import_api(org, api):
    response = api(org["rep1"]).post(
        "/api/v1/crm/imports/", {"file": _csv("name,phone\nA公司,13700001111\n")}, format="multipart"
    )
    assert response.status_code == 201 and response.json()["good_rows"] == 1
    commit = api(org["rep1"]).post(f"/api/v1/crm/imports/{response.json()['id']}/commit/", {}, format="json")
    assert commit.status_code == 200 and commit.json()["created"] == 1
    assert api(org["rep2"]).get(f"/api/v1/crm/imports/{response.json()['id']}/").status_code == 404


def test_ics_endpoint(org, client, world):
    client.force_login(org["rep1"])
    response = client.get("/agenda/activities.ics")
    assert response["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in response.content


def test_home_sections(org, client, world):
    client.force_login(org["rep1"])
    assert "home-crm-agenda" in client.get("/").content.decode()
    services.lead_register(actor=org["rep1"], name="撞单公司", phone="13600001111")
    with pytest.raises(Exception):
        services.lead_register(actor=org["rep2"], name="撞单公司", phone="13600001111")
    client.force_login(org["supervisor1"])
    page = client.get("/").content.decode()
    assert "home-crm-conflicts" in page and "home-crm-pipeline" in page
