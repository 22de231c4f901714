"""The permission matrix: role × endpoint/page. A record someone may not see answers 404
(its existence is not revealed); an action someone may not take answers 403."""

import pytest

from salesops.crm.services import customer_create

EVERYONE = [
    "rep1",
    "rep2",
    "supervisor1",
    "rep3",
    "manager",
    "director",
    "gm",
    "finance",
    "salesadmin",
    "warehouse",
    "planner",
    "purchasing",
    "admin",
    "norole",
]
SEES_REP1_CUSTOMER = {"rep1", "supervisor1", "manager", "director", "gm", "finance", "salesadmin", "admin"}
NO_CUSTOMER_ACCESS = {"warehouse", "planner", "purchasing", "norole"}


def denied(username: str) -> set[int]:
    """A rep of another team gets 404 (the record's existence is not revealed); someone
    with no access to customers at all may get 403, the same for every id."""
    return {403, 404} if username in NO_CUSTOMER_ACCESS else {404}


@pytest.fixture
def rep1_customer(org):
    return customer_create(actor=org["admin"], name="Alpha", owner=org["rep1"])


@pytest.mark.parametrize("username", EVERYONE)
def test_customer_detail_api(org, api, rep1_customer, username):
    response = api(org[username]).get(f"/api/v1/customers/{rep1_customer.pk}/")
    assert response.status_code in ({200} if username in SEES_REP1_CUSTOMER else denied(username))


@pytest.mark.parametrize("username", EVERYONE)
def test_customer_detail_page(org, client, rep1_customer, username):
    client.force_login(org[username])
    response = client.get(f"/customers/{rep1_customer.pk}/")
    assert response.status_code in ({200} if username in SEES_REP1_CUSTOMER else denied(username))
    assert (b"Alpha" in response.content) == (username in SEES_REP1_CUSTOMER)


CUSTOMER_EDIT = (
    dict.fromkeys(SEES_REP1_CUSTOMER, 200)
    | {"rep2": 404, "rep3": 404}
    | dict.fromkeys(["warehouse", "planner", "purchasing", "norole"], 403)
)


@pytest.mark.parametrize("username", EVERYONE)
def test_customer_edit_api(org, api, rep1_customer, username):
    response = api(org[username]).patch(f"/api/v1/customers/{rep1_customer.pk}/", {"city": "杭州"}, format="json")
    assert response.status_code == CUSTOMER_EDIT[username]
    rep1_customer.refresh_from_db()
    assert (rep1_customer.city == "杭州") == (CUSTOMER_EDIT[username] == 200)


@pytest.mark.parametrize("username", EVERYONE)
def test_user_administration_is_for_administrators(org, api, client, username):
    response = api(org[username]).post(
        "/api/v1/users/",
        {"username": "newbie", "password": "a-long-password-1", "roles": ["sales_rep"]},
        format="json",
    )
    assert response.status_code == (201 if username == "admin" else 403)
    client.force_login(org[username])
    assert client.get("/users/").status_code == (200 if username == "admin" else 403)


@pytest.mark.parametrize("username", EVERYONE)
def test_org_units_are_readable_by_everyone_but_only_admins_change_them(org, api, username):
    client = api(org[username])
    assert client.get("/api/v1/org-units/").status_code == 200
    response = client.post(
        "/api/v1/org-units/",
        {"name": "T3", "code": "T3", "kind": "team", "parent": org.units["EAST"].pk},
        format="json",
    )
    assert response.status_code == (201 if username == "admin" else 403)


@pytest.mark.parametrize("path", ["/", "/customers/", "/org/", "/calendar/", "/notifications/"])
def test_pages_need_a_login(db, client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


@pytest.mark.parametrize("username", ["rep1", "supervisor1", "rep3", "finance", "norole"])
def test_user_api_shows_only_people_one_may_look_up(org, api, username):
    usernames = {u["username"] for u in api(org[username]).get("/api/v1/users/?page_size=100").json()["results"]}
    expected = {
        "rep1": {"rep1", "supervisor1"},
        "supervisor1": {"supervisor1", "rep1", "rep2", "manager"},
        "rep3": {"rep3", "supervisor2"},
        "finance": {"finance", "gm"},
        "norole": {"norole"},
    }[username]
    assert usernames == expected
