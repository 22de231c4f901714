"""Who may read and write what, per endpoint: a rep, their supervisor, a rep of another team,
finance, warehouse and someone with no role. Unauthorised reads answer 404; writes 403/404."""

import datetime

import pytest

from salesops.credit import receipts, services, statements
from salesops.credit.models import Receipt
from salesops.credit.tests.factories import make_credit_file, make_customer, make_invoice

TODAY = datetime.date.today()
ROLES = ["rep1", "supervisor1", "rep3", "finance", "warehouse", "norole"]


@pytest.fixture
def data(org):
    customer = make_customer(org, "rep1")
    credit_file = make_credit_file(customer, limit="1000.00")
    make_invoice(customer, "100.00", issue_date=TODAY)
    receipt = receipts.receipt_record(actor=org["rep1"], customer=customer, amount="10.00", received_on=TODAY)
    review = services.credit_review_create(
        credit_file=credit_file, actor=org["finance"], business_situation="b", financial_situation="f", grade="B"
    )
    statement = statements.statement_create(customer=customer, period_start=TODAY, actor=org["finance"])
    return {"customer": customer, "file": credit_file, "receipt": receipt, "review": review, "statement": statement}


READS = {
    # url template: expected status per role
    "/api/v1/customers/{customer}/credit/": [200, 200, 404, 200, 404, 404],
    "/api/v1/credit-files/{file}/": [200, 200, 404, 200, 404, 404],
    "/api/v1/receipts/{receipt}/": [200, 200, 404, 200, 404, 404],
    "/api/v1/credit-reviews/{review}/": [404, 404, 404, 200, 404, 404],
    "/api/v1/statements/{statement}/": [200, 200, 404, 200, 404, 404],
}


@pytest.mark.parametrize("url", list(READS))
@pytest.mark.parametrize("index", range(len(ROLES)))
def test_reads(org, api, data, url, index):
    path = url.format(**{key: value.pk for key, value in data.items()})
    response = api(org[ROLES[index]]).get(path)
    assert response.status_code == READS[url][index], (ROLES[index], response.content)


def test_credit_summary_body(org, api, data):
    body = api(org["rep1"]).get(f"/api/v1/customers/{data['customer'].pk}/credit/").json()
    assert body == {
        "limit": "1000.00",
        "exposure": "100.00",
        "available": "900.00",
        "overdue": "0.00",
        "on_account": "0.00",
    }
    assert api().get(f"/api/v1/customers/{data['customer'].pk}/credit/").status_code in (401, 403)


@pytest.mark.parametrize(
    "role,expected",
    [("rep1", 201), ("supervisor1", 201), ("rep3", 404), ("finance", 201), ("warehouse", 403), ("norole", 403)],
)
def test_record_payment(org, api, data, role, expected):
    before = Receipt.objects.count()
    body = {"customer": data["customer"].pk, "amount": "5.00", "received_on": TODAY.isoformat()}
    response = api(org[role]).post("/api/v1/receipts/", body, format="json")
    assert response.status_code == expected, response.content
    assert Receipt.objects.count() == before + (1 if expected == 201 else 0)


@pytest.mark.parametrize(
    "role,expected",
    [("rep1", 403), ("supervisor1", 403), ("rep3", 403), ("finance", 200), ("warehouse", 403), ("norole", 403)],
)
def test_confirm_payment(org, api, data, role, expected):
    response = api(org[role]).post(f"/api/v1/receipts/{data['receipt'].pk}/confirm/", {}, format="json")
    assert response.status_code in ([expected] if expected != 403 else [403, 404]), response.content
    data["receipt"].refresh_from_db()
    assert data["receipt"].status == ("confirmed" if expected == 200 else "handed_over")


@pytest.mark.parametrize(
    "role,expected",
    [("rep1", 403), ("supervisor1", 403), ("rep3", 403), ("finance", 200), ("warehouse", 403), ("norole", 403)],
)
def test_edit_credit_file(org, api, data, role, expected):
    response = api(org[role]).patch(f"/api/v1/credit-files/{data['file'].pk}/", {"grade": "D"}, format="json")
    assert response.status_code == expected
    data["file"].refresh_from_db()
    assert data["file"].grade == ("D" if expected == 200 else "B")


@pytest.mark.parametrize("role", ROLES)
def test_pages(org, client, data, role):
    client.force_login(org[role])
    detail = client.get(f"/credit/{data['file'].pk}/")
    allowed = role in {"rep1", "supervisor1", "finance"}
    assert detail.status_code == (200 if allowed else 404)
    if allowed:
        assert (b"Secret" in detail.content) is False
        shows_review = b"review-link" in detail.content
        assert shows_review == (role == "finance")
    for url in [
        "/credit/",
        "/receipts/",
        "/receivables/ageing/",
        "/statements/",
        "/reconciliations/",
        "/credit/limit-changes/",
    ]:
        assert client.get(url).status_code == (200 if role not in {"warehouse", "norole"} else 404), url
    assert client.get("/credit/reviews/").status_code == (200 if role == "finance" else 404)
    assert client.get(f"/statements/{data['statement'].pk}/pdf/").status_code == (200 if allowed else 404)
    home = client.get("/")
    assert home.status_code == 200
