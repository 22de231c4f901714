"""Every menu page of every role, in English and in Chinese, shows numbers the way the
formatting helper writes them: no stored-precision artefacts (``286.610000000000``) and never
more than three decimals. The crawl is the one of test_chinese_pages (the side menu from the
home page, the text a reader sees; codes, typed values and scripts are not read)."""

from __future__ import annotations

import re
from pprint import pformat

import pytest

from tests.i18n.test_chinese_pages import ROLES, PageText

# a decimal with a run of zeros after the point, or with more than 3 decimals
ARTEFACT = re.compile(r"(?<![\w.])\d[\d,]*\.(?:\d*0000|\d{4,})(?![\w.])")
# a raw stored figure of a thousand or more: no thousands separator (50000.50, not 50,000.50)
UNGROUPED = re.compile(r"(?<![\w.,])\d{4,}\.\d{1,3}(?![\w.])")


@pytest.fixture
def figures(org):
    """Numbers with stored precision behind the lists: a price, a stock with its cost, a limit."""
    from salesops.sales.tests.factories import make_customer, make_product, make_warehouse

    warehouse = make_warehouse()
    make_product(price="286.61", stock="12.5", warehouse=warehouse)
    make_customer(owner=org["rep1"], limit="50000.5")
    return org


def artefacts_in(html: str) -> tuple[set[str], list[str]]:
    page = PageText()
    page.feed(html)
    found = {m.group(0) for chunk in page.chunks for pattern in (ARTEFACT, UNGROUPED) for m in pattern.finditer(chunk)}
    return found, page.menu


def test_the_crawler_finds_artefacts_and_leaves_formatted_numbers():
    found, _menu = artefacts_in(
        "<p>¥1,234.50 286.61 0.125 2026-12-03 01:26 v1.2.3</p><td>286.610000000000</td><td>12.50000</td>"
        "<td>0.3333</td><code>3.14159</code><td>50000.50</td><td>50,000.50</td><td>1200.5</td>"
    )
    assert found == {"286.610000000000", "12.50000", "0.3333", "50000.50", "1200.5"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("role", ROLES)
def test_no_number_artefacts_on_any_menu_page(figures, client, role, language):
    user = figures[role]
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    home = client.get("/", **headers)
    assert home.status_code == 200
    found, menu = artefacts_in(home.content.decode())
    assert menu, "the side menu has no links"
    leftovers = {"/": found} if found else {}
    for url in sorted(set(menu)):
        response = client.get(url, **headers)
        assert response.status_code < 500, url
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            numbers, _menu = artefacts_in(response.content.decode())
            if numbers:
                leftovers[url] = numbers
    assert not leftovers, pformat(leftovers)
