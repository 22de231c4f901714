"""Input bounds: one parser and one set of model fields for forms, the API and imports."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from salesops.core import bounds
from salesops.core.bounded import DecimalFormField
from salesops.core.models import Company


@pytest.mark.parametrize(
    "text", ["1_000", "١٢", "１２", "NaN", "Infinity", "-inf", "1,000", "", "  ", "1.2.3", "0x10", "1e"]
)
def test_parse_decimal_refuses_what_is_not_a_plain_number(text):
    with pytest.raises(ValidationError) as error:
        bounds.parse_decimal(text)
    assert error.value.code == "invalid"


@pytest.mark.parametrize(
    "text, expected",
    [("12", Decimal("12")), (" -1.50 ", Decimal("-1.50")), ("1e3", Decimal("1E+3")), (".5", Decimal(".5"))],
)
def test_parse_decimal_reads_plain_numbers(text, expected):
    assert bounds.parse_decimal(text) == expected


def test_parse_decimal_refuses_more_places_or_digits_than_the_column_stores():
    with pytest.raises(ValidationError) as places:
        bounds.parse_decimal("1.0001", max_digits=16, decimal_places=3)
    assert places.value.code == "max_decimal_places"
    with pytest.raises(ValidationError) as size:
        bounds.parse_decimal("1e30", max_digits=16, decimal_places=3)
    assert size.value.code == "max_value"
    assert bounds.parse_decimal("1.500", max_digits=16, decimal_places=2) == Decimal("1.5")


@pytest.mark.parametrize("text", ["abc", "1.5", "1e9", "١", str(2**63), "", "--1"])
def test_parse_int_refuses_non_integers_and_numbers_beyond_the_database(text):
    with pytest.raises(ValidationError):
        bounds.parse_int(text)


def test_parse_int_applies_its_range():
    assert bounds.parse_int(" 42 ", min_value=1) == 42
    with pytest.raises(ValidationError):
        bounds.parse_int("0", min_value=1)


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31", "2100-01-01", "2026-13-01", "yesterday"])
def test_parse_date_keeps_business_dates_within_their_span(value):
    with pytest.raises(ValidationError):
        bounds.parse_date(value)


def test_parse_date_reads_a_date_in_the_span():
    assert bounds.parse_date("2026-11-30") == datetime.date(2026, 11, 30)


def test_form_field_applies_the_same_parsing():
    field = DecimalFormField(max_digits=16, decimal_places=3)
    assert field.clean("2.5") == Decimal("2.5")
    for text in ["1_000", "١٢", "NaN", "1e30"]:
        with pytest.raises(ValidationError):
            field.clean(text)


@pytest.mark.parametrize(
    "model_path, field, value",
    [
        ("crm.Customer", "latitude", Decimal("999")),
        ("crm.Customer", "longitude", Decimal("-181")),
        ("catalog.Product", "tax_rate", Decimal("200")),
        ("catalog.Product", "cost", Decimal("1e30")),
        ("credit.Receipt", "received_on", datetime.date(1, 1, 1)),
        ("sales.SalesOrder", "order_date", datetime.date(9999, 1, 1)),
        ("inventory.StocktakeLine", "counted_quantity", Decimal("1e30")),
        ("inventory.StocktakeLine", "counted_quantity", Decimal("-1")),
        ("crm.CrmPolicy", "grade_cutoff_a", Decimal("101")),
        ("credit.CreditFile", "payment_terms_days", 10**9),
    ],
)
def test_model_fields_refuse_values_outside_their_domain(model_path, field, value):
    from django.apps import apps

    model = apps.get_model(model_path)
    with pytest.raises(ValidationError):
        bounds.clean_field_value(model, field, value)


def test_long_texts_are_bounded():
    from salesops.sales.models import SalesOrder

    with pytest.raises(ValidationError):
        bounds.clean_field_value(SalesOrder, "note", "x" * (bounds.TEXT_MAX_LENGTH + 1))


# --- the company's time zone: validated on write, read defensively -------------------------------
@pytest.mark.parametrize("zone", ["Mars/Olympus", "0", "", "../../etc/passwd", "UTC+8"])
def test_company_time_zone_must_be_a_known_zone(org, api, zone):
    response = api(org["admin"]).patch(f"/api/v1/company/{org.company.pk}/", {"time_zone": zone}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "time_zone" in response.json()["fields"]
    org.company.refresh_from_db()
    assert org.company.time_zone == "Asia/Shanghai"
    assert api(org["admin"]).get("/api/v1/me/").status_code == 200


def test_company_time_zone_form_refuses_unknown_zone_next_to_the_field(org, client):
    client.force_login(org["admin"])
    data = {
        "name": "Test Co",
        "time_zone": "Mars/Olympus",
        "currency": "CNY",
        "work_start": "09:00",
        "work_end": "18:00",
    }

    response = client.post("/admin-area/company/", data)

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    org.company.refresh_from_db()
    assert org.company.time_zone == "Asia/Shanghai"


def test_a_stored_unknown_time_zone_does_not_take_pages_or_the_api_down(org, api, client):
    Company.objects.filter(pk=org.company.pk).update(time_zone="Mars/Olympus")  # written before names were checked

    assert api(org["rep1"]).get("/api/v1/me/").status_code == 200
    client.force_login(org["rep1"])
    assert client.get("/").status_code == 200
    response = api(org["admin"]).patch(f"/api/v1/company/{org.company.pk}/", {"time_zone": "Asia/Tokyo"}, format="json")
    assert response.status_code == 200
    org.company.refresh_from_db()
    assert org.company.time_zone == "Asia/Tokyo"


def test_working_day_must_end_after_it_starts(org, api):
    response = api(org["admin"]).patch(
        f"/api/v1/company/{org.company.pk}/", {"work_start": "18:00", "work_end": "09:00"}, format="json"
    )
    assert response.status_code == 400
    assert "work_end" in response.json()["fields"]
