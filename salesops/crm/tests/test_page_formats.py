"""CRM pages write money and dates with the one formatting helper (salesops.core.formatting):
an amount with its currency sign and cents, a date in the reader's language."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.core.tests.pages import read_page
from salesops.crm import services
from salesops.crm.tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "day"), [("en", "3 Dec 2026"), ("zh-hans", "2026年12月3日")])
def test_the_opportunity_page_shows_amounts_as_money_and_the_close_date(org, client, language, day):
    rep = org["rep1"]
    opportunity = services.opportunity_create(
        actor=rep,
        customer=make_customer(rep),
        name="机会",
        amount=Decimal("1234.5"),
        expected_close=datetime.date(2026, 12, 3),
    )
    html = read_page(client, rep, reverse("opportunity-detail", args=[opportunity.pk]), language)
    assert "¥1,234.50" in html
    assert day in html


def test_the_pipeline_and_the_board_show_amounts_with_cents_and_separators(org, client):
    rep = org["rep1"]
    services.opportunity_create(
        actor=rep,
        customer=make_customer(rep),
        name="机会",
        amount=Decimal("1234.5"),
        expected_close=datetime.date(2026, 12, 3),
    )
    assert ">1,234.50<" in read_page(client, org["supervisor1"], reverse("pipeline"), "en")
    assert "¥1,234.50" in read_page(client, org["supervisor1"], "/opportunities/", "en")
