"""Accounts: API tokens (hashed, expiring, listed, revoked, revoked on a password change),
sign-in throttling shared by every sign-in path, the sign-in audit trail, the per-user API
rate limit and the Content-Security-Policy."""

import datetime
import re
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from salesops.core.models import LoginEvent

PASSWORD = "test-password-123"
Kind = LoginEvent.Kind


def obtain(username="rep1", password=PASSWORD, **extra):
    return APIClient(**extra).post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def token_client(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def test_a_token_is_stored_only_as_a_digest_and_expires(org):
    body = obtain().json()
    secret = body["token"]
    stored = AuthToken.objects.get(user=org["rep1"])
    assert secret not in {stored.digest, stored.token_key} and secret.startswith(stored.token_key)
    assert body["token_key"] == stored.token_key
    lifetime = stored.expiry - timezone.now()
    assert settings.API_TOKEN_TTL - datetime.timedelta(minutes=1) < lifetime <= settings.API_TOKEN_TTL
    assert token_client(secret).get("/api/v1/me/").status_code == 200

    AuthToken.objects.filter(pk=stored.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    refused = token_client(secret).get("/api/v1/me/")
    assert refused.status_code == 401 and refused.json()["code"] == "authentication_failed"


def test_a_user_lists_and_revokes_own_tokens_only(org):
    first, second = obtain().json(), obtain().json()
    other = obtain("rep3").json()
    client = token_client(first["token"])

    listed = client.get("/api/v1/auth/tokens/").json()
    assert {t["token_key"] for t in listed} == {first["token_key"], second["token_key"]}
    assert all("token" not in t and "digest" not in t for t in listed)

    assert client.delete(f"/api/v1/auth/tokens/{other['token_key']}/").status_code == 404
    assert token_client(other["token"]).get("/api/v1/me/").status_code == 200

    assert client.delete(f"/api/v1/auth/tokens/{second['token_key']}/").status_code == 204
    assert token_client(second["token"]).get("/api/v1/me/").status_code == 401
    issued = client.post("/api/v1/auth/tokens/")
    assert issued.status_code == 201 and token_client(issued.json()["token"]).get("/api/v1/me/").status_code == 200

    assert client.post("/api/v1/auth/tokens/revoke-all/").json() == {"revoked": 2}
    assert client.get("/api/v1/me/").status_code == 401
    assert LoginEvent.objects.filter(user=org["rep1"], kind=Kind.TOKEN_REVOKED).count() == 2


def test_every_way_of_changing_a_password_revokes_the_tokens(org):
    rep = org["rep1"]
    secret = obtain().json()["token"]
    web = Client()
    web.force_login(rep)
    response = web.post(
        "/account/",
        {"old_password": PASSWORD, "new_password1": "another-pass-4567", "new_password2": "another-pass-4567"},
    )
    assert response.status_code == 302
    assert token_client(secret).get("/api/v1/me/").status_code == 401
    assert web.get("/").status_code == 200  # the session that changed it stays signed in

    secret = obtain(password="another-pass-4567").json()["token"]
    admin = Client()
    admin.force_login(org["admin"])
    page = admin.get(f"/users/{rep.pk}/")
    assert "1 API token works" in page.content.decode()
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(roles=list(rep.roles), password="third-pass-78901", org_unit=rep.org_unit_id)
    assert admin.post(f"/users/{rep.pk}/", data).status_code == 302
    assert token_client(secret).get("/api/v1/me/").status_code == 401

    secret = obtain(password="third-pass-78901").json()["token"]
    rep.refresh_from_db()
    rep.set_password("fourth-pass-23456")
    rep.save()
    assert token_client(secret).get("/api/v1/me/").status_code == 401
    assert LoginEvent.objects.filter(user=rep, kind=Kind.PASSWORD_CHANGE).count() == 3


def test_a_password_rehash_at_sign_in_is_not_a_change(org):
    rep = org["rep1"]
    secret = obtain().json()["token"]
    rep.refresh_from_db()
    rep.check_password(PASSWORD)  # may upgrade the stored hash; the password is the same
    rep.save()
    assert token_client(secret).get("/api/v1/me/").status_code == 200
    assert not LoginEvent.objects.filter(kind=Kind.PASSWORD_CHANGE).exists()


def test_failures_on_one_path_throttle_every_path(org):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert obtain(password="wrong").status_code == 400
    assert obtain().status_code == 429

    web = Client().post("/login/", {"username": "rep1", "password": PASSWORD})
    assert web.status_code == 429
    staff = org["admin"]
    staff.is_staff = True
    staff.save()
    admin_site = Client().post("/django-admin/login/?next=/django-admin/", {"username": "admin", "password": PASSWORD})
    assert admin_site.status_code == 302  # another username is not affected
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        Client().post("/django-admin/login/?next=/django-admin/", {"username": "admin", "password": "wrong"})
    blocked = Client().post("/django-admin/login/?next=/django-admin/", {"username": "admin", "password": PASSWORD})
    assert blocked.status_code == 200 and "_auth_user_id" not in blocked.client.session

    kinds = list(LoginEvent.objects.filter(username="rep1").values_list("channel", "kind").order_by("id"))
    assert kinds[: settings.LOGIN_FAILURE_LIMIT] == [("api", Kind.FAILURE)] * settings.LOGIN_FAILURE_LIMIT
    assert kinds[settings.LOGIN_FAILURE_LIMIT :] == [("api", Kind.THROTTLED), ("web", Kind.THROTTLED)]
    assert LoginEvent.objects.filter(username="admin", channel="admin", kind=Kind.THROTTLED).exists()


def test_the_throttle_counts_per_address_and_ends_after_the_window(org):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        obtain(password="wrong")
    assert obtain().status_code == 429
    assert obtain(REMOTE_ADDR="10.1.2.3").status_code == 200

    LoginEvent.objects.update(at=timezone.now() - datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1))
    assert obtain().status_code == 200


def test_a_successful_sign_in_resets_the_count(org):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        obtain(password="wrong")
    assert obtain().status_code == 200
    obtain(password="wrong")
    assert obtain().status_code == 200


def test_sign_ins_and_sign_outs_leave_audit_rows_shown_to_the_person_and_the_admin(org):
    web = Client()
    web.post("/login/", {"username": "rep1", "password": "wrong"})
    web.post("/login/", {"username": "rep1", "password": PASSWORD})
    web.post("/logout/")
    rows = list(LoginEvent.objects.filter(username="rep1").values_list("kind", "channel", "address").order_by("id"))
    local = "127.0.0.1"
    assert rows == [(Kind.FAILURE, "web", local), (Kind.LOGIN, "web", local), (Kind.LOGOUT, "web", local)]
    assert LoginEvent.objects.filter(kind=Kind.LOGIN).get().user == org["rep1"]

    web.force_login(org["rep1"])
    assert web.get("/account/").content.decode().count("Sign-in failed") == 0  # failures carry no user
    admin = Client()
    admin.force_login(org["admin"])
    assert "Signed out" in admin.get(f"/users/{org['rep1'].pk}/").content.decode()
    rep = Client()
    rep.force_login(org["rep1"])
    assert rep.post(f"/users/{org['rep1'].pk}/tokens/revoke/").status_code == 403


def test_the_account_page_issues_a_token_once_and_revokes_it(org):
    web = Client()
    web.force_login(org["rep1"])
    page = web.post("/account/tokens/new/")
    secret = re.search(r'data-testid="new-token">.*?<code>([^<]+)</code>', page.content.decode(), re.S).group(1)
    assert token_client(secret).get("/api/v1/me/").status_code == 200
    assert secret not in web.get("/account/").content.decode()

    key = AuthToken.objects.get(user=org["rep1"]).token_key
    assert web.post(f"/account/tokens/{key}/revoke/").status_code == 302
    assert token_client(secret).get("/api/v1/me/").status_code == 401


def test_an_administrator_revokes_all_tokens_of_a_user(org):
    secret = obtain().json()["token"]
    admin = Client()
    admin.force_login(org["admin"])
    assert admin.post(f"/users/{org['rep1'].pk}/tokens/revoke/").status_code == 302
    assert token_client(secret).get("/api/v1/me/").status_code == 401


@override_settings(API_RATE_PER_MINUTE=3)
def test_the_api_rate_limit_counts_per_user(org, api):
    rep1, rep3 = api(org["rep1"]), api(org["rep3"])
    assert [rep1.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    refused = rep1.get("/api/v1/me/")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert "Retry-After" in refused
    assert rep3.get("/api/v1/me/").status_code == 200


def test_without_redis_the_rate_counters_live_in_a_database_table(org, api):
    shared = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "salesops_cache"}
    with override_settings(CACHES={**settings.CACHES, "shared": shared}, API_RATE_PER_MINUTE=2):
        client = api(org["rep1"])
        assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM salesops_cache")
            assert cursor.fetchone()[0] == 1
        caches["shared"].clear()


def test_pages_carry_a_content_security_policy_without_inline_scripts(org, client):
    client.force_login(org["rep1"])
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "Content-Security-Policy" in client.get("/api/docs/")  # Swagger UI loads its script separately

    # Inline event handlers and inline scripts would be refused by the policy: none may exist.
    templates = list(Path(settings.BASE_DIR).rglob("*.html"))
    assert len(templates) > 100
    offenders = []
    for template in templates:
        text = template.read_text()
        if re.search(r"\son[a-z]+=\"", text) or re.search(r"<script(?![^>]*(src=|application/json))[^>]*>", text):
            offenders.append(str(template))
    assert offenders == []
