"""The history of a record shows stored dates and times with the one formatting helper
(salesops.core.formatting): a time in the company's zone whatever zone is active."""

import datetime

import pytest
from django.db import models
from django.utils import timezone, translation

from salesops.core.history import display

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_stored_time_is_shown_in_the_company_zone(org, language):
    with translation.override(language), timezone.override(datetime.UTC):  # as a job renders it
        # 17:26 UTC on 2 December is 01:26 on 3 December in Beijing
        assert display(models.DateTimeField(), "2026-12-02T17:26:00+00:00") == "2026-12-03 01:26"
        assert display(models.DateField(), "2026-12-03") == "2026-12-03"
