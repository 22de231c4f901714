"""The formatting helper: money, quantities and dates as the reader reads them, in both
languages and the company's time zone."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from salesops.core import formatting

LANGUAGES = ["en", "zh-hans"]


@pytest.fixture(params=LANGUAGES)
def language(request):
    with translation.override(request.param):
        yield request.param


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("-1234.5"), "-¥1,234.50"),
        (Decimal("0"), "¥0.00"),
        (0, "¥0.00"),
        (Decimal("-0.004"), "¥0.00"),
        (Decimal("0.005"), "¥0.01"),
        (Decimal("-0.005"), "-¥0.01"),
        (Decimal("286.610000000000"), "¥286.61"),
        (Decimal("1234567890123.456"), "¥1,234,567,890,123.46"),
        ("99.9", "¥99.90"),
        (None, "—"),
        ("", "—"),
        ("not a number", "—"),
    ],
)
def test_money_is_the_same_in_both_languages(language, value, text):
    assert formatting.money(value) == text


def test_money_in_another_currency():
    assert formatting.money(Decimal("-12.3"), "usd") == "-$12.30"
    assert formatting.money(Decimal("12.3"), "CHF") == "CHF 12.30"


def test_a_stray_float_shows_no_binary_noise():
    assert formatting.money(0.1 + 0.2) == "¥0.30"
    assert formatting.quantity(286.61, 3) == "286.61"


def test_amount_has_no_sign():
    assert formatting.amount(Decimal("-1234.5")) == "-1,234.50"
    assert formatting.amount(None) == "—"


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("286.610000000000"), 3, "286.61"),
        (Decimal("1200.000"), 0, "1,200"),
        (Decimal("12.5"), 0, "13"),
        (Decimal("0.5"), 3, "0.5"),
        (Decimal("0.0004"), 3, "0"),
        (Decimal("-3.250"), 2, "-3.25"),
        (Decimal("0"), 0, "0"),
        (Decimal("1234567.1234"), None, "1,234,567.123"),
        (None, 0, "—"),
    ],
)
def test_quantity_follows_the_unit(language, value, unit, text):
    assert formatting.quantity(value, unit) == text


def test_quantity_reads_the_decimals_of_a_product_or_a_line():
    kilo = SimpleNamespace(quantity_decimals=3, unit="kg")
    box = SimpleNamespace(quantity_decimals=0, unit="box")
    assert formatting.quantity(Decimal("286.610000000000"), kilo) == "286.61"
    assert formatting.quantity(Decimal("24.000"), box) == "24"
    assert formatting.quantity(Decimal("2.125"), SimpleNamespace(product=kilo)) == "2.125"


# 2026-12-02 17:26 UTC is 2026-12-03 01:26 in Beijing.
LATE_EVENING_UTC = datetime.datetime(2026, 12, 2, 17, 26, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("lang", "long_date", "long_datetime"),
    [("en", "3 Dec 2026", "3 Dec 2026 01:26"), ("zh-hans", "2026年12月3日", "2026年12月3日 01:26")],
)
def test_dates_are_in_the_company_zone_and_the_readers_language(db, lang, long_date, long_datetime):
    with translation.override(lang), timezone.override(datetime.UTC):
        assert formatting.date(LATE_EVENING_UTC) == long_date
        assert formatting.datetime_(LATE_EVENING_UTC) == long_datetime
        assert formatting.date(datetime.date(2026, 12, 3)) == long_date
        assert formatting.date(LATE_EVENING_UTC, short=True) == "2026-12-03"
        assert formatting.datetime_(LATE_EVENING_UTC, short=True) == "2026-12-03 01:26"
        assert formatting.datetime_(datetime.date(2026, 12, 3)) == long_date
        assert formatting.date(None) == formatting.datetime_(None) == "—"


def test_a_naive_datetime_is_taken_as_utc(db):
    assert formatting.datetime_(datetime.datetime(2026, 12, 2, 17, 26), short=True) == "2026-12-03 01:26"


def test_the_template_filters(db):
    line = SimpleNamespace(quantity=Decimal("286.610000000000"), product=SimpleNamespace(quantity_decimals=3))
    template = Template(
        "{% load fmt %}{{ total|money }}|{{ total|amount }}|{{ line.quantity|quantity:line.product }}|"
        "{{ moment|fdate }}|{{ moment|fdatetime:'short' }}|{{ nothing|money }}"
    )
    with translation.override("zh-hans"):
        text = template.render(Context({"total": Decimal("-1234.5"), "line": line, "moment": LATE_EVENING_UTC}))
    assert text == "-¥1,234.50|-1,234.50|286.61|2026年12月3日|2026-12-03 01:26|—"


@pytest.mark.parametrize("value", ["1e30", "-1e30", Decimal("12345678901234567890123456789.99")])
def test_a_huge_number_is_shown_not_an_error(value):
    assert formatting.money(value).lstrip("-").startswith("¥1")
    assert formatting.quantity(value, None).lstrip("-").startswith("1")


@pytest.mark.parametrize("value", ["1e70", "NaN", "Infinity", "abc"])
def test_what_is_not_a_number_to_show_is_nothing(value):
    assert formatting.money(value) == formatting.amount(value) == formatting.quantity(value, None) == "—"
