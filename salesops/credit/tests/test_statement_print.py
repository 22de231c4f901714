"""The printed statement of account: one title, and column totals to the cent."""

import datetime
import re

from django.utils import translation

from salesops.credit import statements
from salesops.credit.tests.test_statements import account  # noqa: F401 - the fixture


def test_the_statement_prints_the_credit_column_total_to_the_cent(org, account):  # noqa: F811
    customer, _ = account
    statement = statements.statement_create(
        customer=customer, period_start=datetime.date(2025, 2, 1), actor=org["finance"]
    )
    with translation.override("zh-hans"):
        html = statements.statement_html(statement)
    totals = re.search(r'<tr class="totals">(.*?)</tr>', html, flags=re.S).group(1)
    # credited 100.10 + received 200.34: a template |add once truncated this to 300
    assert re.findall(r'class="num">([^<]*)<', totals) == ["500.55", "300.44", "900.11"]
    assert "¥900.11" in html
    (heading,) = re.findall(r"<h1[^>]*>(.*?)</h1>", html)
    assert heading == "对账函"
