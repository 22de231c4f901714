"""Planning pages write quantities, costs, percentages and dates with the one formatting
helper (salesops.core.formatting): no stored-precision artefacts on any page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from salesops.planning import views
from salesops.planning.tests.test_api import data  # noqa: F401  (fixture)
from salesops.planning.tests.test_pages import PAGES

pytestmark = pytest.mark.django_db

# a decimal with a run of zeros after the point, or with more than 3 decimals; scripts (chart
# data), inputs and the audit history (stored JSON payloads, shown as recorded) are not read
ARTEFACT = re.compile(r"(?<![\w.])\d[\d,]*\.(?:\d*0000|\d{4,})(?![\w.])")
SCRIPT = re.compile(r'<script.*?</script>|<input[^>]*>|<ul class="timeline" data-testid="history">.*?</ul>', re.S)


def test_shares_are_written_as_the_helper_writes_a_percentage():
    with translation.override("zh-hans"):
        assert views._pct(0.125) == "12.5%"
        assert views._pct(0.8) == "80%"
        assert views._pct(0.33333) == "33.3%"
        assert views._pct(None) == ""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_planning_page_shows_number_artefacts(org, data, language):  # noqa: F811
    client = Client()
    client.force_login(org["planner"])
    found = {}
    for name, key in PAGES:
        url = reverse(name, args=[data[key].pk]) if key else reverse(name)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        text = SCRIPT.sub("", response.content.decode())
        if artefacts := set(ARTEFACT.findall(text)):
            found[url] = artefacts
    assert not found
