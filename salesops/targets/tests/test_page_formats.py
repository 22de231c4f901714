"""Target pages write money with the one formatting helper (salesops.core.formatting): a
figure in money reads ¥1,234.50 in both languages, a negative one -¥1,234.50."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("1234.5"), "¥1,234.50"), (Decimal("-1234.5000"), "-¥1,234.50"), (None, "—")]
)
def test_a_money_figure_reads_as_money(language, value, text):
    with translation.override(language):
        html = render_to_string("targets/partials/value.html", {"value": value, "unit": "money"})
    assert html.strip() == text


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_score_reads_as_a_plain_figure(language):
    with translation.override(language):
        html = render_to_string("targets/partials/value.html", {"value": Decimal("1093.456"), "unit": "score"})
    assert html.strip() == "1,093.46"
