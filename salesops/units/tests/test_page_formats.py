"""Unit-sales pages write money and dates with the one formatting helper
(salesops.core.formatting): a price with its currency sign and cents, a date in the reader's
language."""

import pytest
from django.urls import reverse
from django.utils import translation

from salesops.core import formatting
from salesops.units.tests.factories import make_project, reserve, unit_of

pytestmark = pytest.mark.django_db


def _page(client, user, url, language):
    client.force_login(user)
    client.cookies["salesops_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_unit_page_shows_its_price_as_money_and_its_area_without_zeros(org, client, language):
    unit = unit_of(make_project(org))  # 100.00 m² at 20,000.00 a m²
    html = _page(client, org["rep1"], reverse("units-unit", args=[unit.pk]), language)
    assert 'data-testid="unit-price">¥2,000,000.00<' in html
    assert "¥20,000.00 / m²" in html
    assert '<div class="kpi">100</div>' in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_reservation_page_shows_price_deposit_and_sign_by_date(org, client, language):
    reservation = reserve(org, make_project(org))
    html = _page(client, org["rep1"], reverse("units-reservation", args=[reservation.pk]), language)
    assert '<div class="kpi">¥2,000,000.00</div>' in html
    assert "¥20,000.00" in html  # the deposit
    with translation.override(language):
        sign_by = formatting.date(reservation.sign_by)
    assert sign_by in html
    assert ("年" in sign_by) == (language == "zh-hans")
