from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from salesops.core.exceptions import ApplicationError
from salesops.core.web import save_form
from salesops.crm.services import customer_create


def login(client, username, password="test-password-123"):
    return client.post("/login/", {"username": username, "password": password})


def test_login_lands_on_the_home_page_for_the_role(org, client):
    response = login(client, "rep1")
    assert response.status_code == 302 and response.url == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Sales rep" in home.content.decode()


def test_a_person_without_a_role_is_told_what_to_do(org, client):
    login(client, "norole")
    assert "You have no role yet" in client.get("/").content.decode()


def test_repeated_failed_logins_are_refused_for_a_while(org, client):
    for _ in range(5):
        assert login(client, "rep1", "wrong").status_code == 200
    response = login(client, "rep1")
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()


def test_first_visit_follows_the_browser_language(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get("/login/")
    assert "登录" in page.content.decode()
    assert "Log in" in Client(HTTP_ACCEPT_LANGUAGE="en-US").get("/login/").content.decode()


def test_language_choice_is_remembered_on_the_account_and_in_a_cookie(org, client):
    login(client, "rep1")
    response = client.post("/language/", {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["salesops_language"].value == "zh-hans"
    org["rep1"].refresh_from_db()
    assert org["rep1"].language == "zh-hans"
    assert "首页" in client.get("/").content.decode()

    fresh = Client()  # another browser: the account's choice comes back at login
    response = login(fresh, "rep1")
    assert response.cookies["salesops_language"].value == "zh-hans"


def test_unknown_language_is_a_400_not_a_500(org, client):
    login(client, "rep1")
    assert client.post("/language/", {"language": "xx"}).status_code == 400


def test_forms_are_protected_against_csrf(org):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "rep1", "password": "test-password-123"}).status_code == 403


@pytest.mark.parametrize("path", ["/customers/abc/", "/customers/999999/", "/users/999999/", "/nowhere/"])
def test_malformed_or_unknown_urls_answer_404_with_a_page(org, client, path):
    client.force_login(org["admin"])
    response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["?page=abc", "?page=99999", "?sort=nonsense", "?status=unknown", "?q=%00"])
def test_bad_list_parameters_never_break_a_list_page(org, client, query):
    client.force_login(org["director"])
    assert client.get(f"/customers/{query}").status_code in {200, 400}


def test_calendar_page_rejects_a_bad_year(org, client):
    client.force_login(org["rep1"])
    assert client.get("/calendar/?year=abc").status_code == 400


def test_list_page_query_count_does_not_grow_with_rows(org, client):
    client.force_login(org["director"])

    def queries_for_list():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/customers/").status_code == 200
        return len(context)

    customer_create(actor=org["admin"], name="Only one", owner=org["rep1"])
    queries_for_list()  # warm the company cache
    few = queries_for_list()
    for index in range(30):
        customer_create(actor=org["admin"], name=f"Customer {index}", owner=org["rep2" if index % 2 else "rep3"])
    assert queries_for_list() == few


def test_list_export_gives_exactly_the_filtered_rows(org, client):
    import io

    from openpyxl import load_workbook

    for name in ["Alpha", "Beta"]:
        customer_create(actor=org["admin"], name=name, owner=org["rep1"])
    client.force_login(org["rep1"])
    response = client.get("/customers/?q=alp&export=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and "Alpha" in rows[1]


def test_admin_manages_the_organisation_tree_in_its_page(org, client):
    client.force_login(org["admin"])
    response = client.post(
        "/org/new/",
        {"name": "East-3", "code": "EAST-3", "kind": "team", "parent": org.units["EAST"].pk, "active": "on"},
    )
    assert response.status_code == 302
    assert "East-3" in client.get("/org/").content.decode()
    sales = org.units["SALES"]
    invalid = client.post(
        f"/org/{sales.pk}/",
        {"name": "Sales", "code": "SALES", "kind": "department", "parent": org.units["EAST"].pk, "active": "on"},
    )
    assert invalid.status_code == 200
    assert "A unit cannot be moved under itself or its own sub-unit." in invalid.content.decode()
    sales.refresh_from_db()
    assert sales.parent == org.units["HQ"]


def test_admin_creates_a_user_with_roles_and_manager(org, client):
    client.force_login(org["admin"])
    response = client.post(
        "/users/new/",
        {
            "username": "rep9",
            "full_name": "New Rep",
            "email": "rep9@example.com",
            "org_unit": org.units["EAST-1"].pk,
            "manager": org["supervisor1"].pk,
            "is_active": "on",
            "roles": ["sales_rep"],
            "password": "a-long-password-9",
        },
    )
    assert response.status_code == 302
    from salesops.core.models import User

    created = User.objects.get(username="rep9")
    assert created.roles == {"sales_rep"} and created.manager == org["supervisor1"]
    assert created.check_password("a-long-password-9")


class NameForm(forms.Form):
    name = forms.CharField(max_length=20)


def posted(data):
    request = RequestFactory().post("/things/new/", data)
    request._messages = CookieStorage(request)
    return request


def shown_messages(request):
    return [str(message) for message in get_messages(request)]


def test_save_form_redirects_to_the_page_of_what_the_service_returned():
    request = posted({"name": "Alpha"})
    calls = []

    def save(data):
        calls.append(data)
        return SimpleNamespace(pk=7)

    response = save_form(
        request, NameForm(request.POST), save, success="Saved.", redirect_to=lambda thing: f"/things/{thing.pk}/"
    )

    assert calls == [{"name": "Alpha"}]
    assert response.status_code == 302 and response.url == "/things/7/"
    assert shown_messages(request) == ["Saved."]


def test_save_form_redirects_to_a_named_page():
    request = posted({"name": "Alpha"})
    calls = []

    response = save_form(request, NameForm(request.POST), calls.append, success="Saved.", redirect_to="company")

    assert calls == [{"name": "Alpha"}]
    assert response.status_code == 302 and response.url == reverse("company")
    assert shown_messages(request) == ["Saved."]


def test_save_form_puts_the_service_refusal_next_to_its_field():
    request = posted({"name": "Alpha"})
    form = NameForm(request.POST)

    def save(data):
        raise ApplicationError("Refused.", fields={"name": ["This name is taken."]})

    response = save_form(request, form, save, success="Saved.", redirect_to=lambda thing: "/never/")

    assert response is None
    assert form.errors == {"name": ["This name is taken."]}
    assert shown_messages(request) == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_save_form_does_not_call_the_service_without_a_valid_post(method):
    request = getattr(RequestFactory(), method)("/things/new/", {"name": ""})
    request._messages = CookieStorage(request)
    calls = []

    response = save_form(request, NameForm(request.POST or None), calls.append, success="Saved.", redirect_to="company")

    assert response is None and calls == []
    assert shown_messages(request) == []
