"""Field pages write figures and dates with the one formatting helper
(salesops.core.formatting): thousands separated, no stored-precision artefacts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from salesops.field.models import RouteCycle
from salesops.field.tests.factories import make_outlets, published_cycle

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_cycle_page_shows_travel_with_separators_and_no_trailing_zero(org, client, language):
    make_outlets(org["rep1"], 4)
    cycle = published_cycle(org["supervisor1"], org["rep1"])
    RouteCycle.objects.filter(pk=cycle.pk).update(total_km=Decimal("1234.0"), naive_km=Decimal("2345.5"))
    user = org["supervisor1"]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    html = client.get(reverse("field-cycle-detail", args=[cycle.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert 'data-testid="total-km">1,234 km<' in html
    assert "1234.0" not in html
    assert "2,345.5" in html  # the distance in list order
