"""Every menu page of every role, read in Chinese, shows no English left untranslated.

The crawl follows each role's side menu from the home page and reads the text a person sees
(text, placeholders, titles, button values). What is meant to stay as typed is marked up so:
codes and logins in <code>/<kbd>, what a field holds (its value, a textarea's text), data in elements
with translate="no"; names that people
entered (users, units, customers, products, warehouses) are data, not words of the interface."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pprint import pformat

import pytest

ROLES = [
    "rep1",
    "supervisor1",
    "manager",
    "director",
    "gm",
    "salesadmin",
    "finance",
    "warehouse",
    "planner",
    "purchasing",
    "admin",
]
# Words that are the same in Chinese writing: product and method names, file formats, acronyms.
KEPT = {"salesops", "English", "Excel", "Croston", "Theta", "ETS", "ARIMA", "Holt", "Winters", "WPS"}
WORD = re.compile(r"(?<![\w./@:#&-])[A-Za-z][a-z]{2,}(?:[ '][A-Za-z][a-z]+)*(?![\w@-])")
AS_TYPED = {"script", "style", "code", "kbd", "samp", "template", "textarea"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class PageText(HTMLParser):
    """The text a reader sees, and the side menu's links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its content exempt?
        self.chunks: list[str] = []
        self.menu: list[str] = []
        self.in_menu = 0

    def exempt(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skip = tag in AS_TYPED or attrs.get("translate") == "no"
        if tag == "aside" and attrs.get("id") == "sidenav":
            self.in_menu += 1
        if tag == "a" and self.in_menu and (attrs.get("href") or "").startswith("/"):
            self.menu.append(attrs["href"])
        if not (skip or self.exempt()):
            for name in ("placeholder", "title", "aria-label", "alt"):
                if attrs.get(name):
                    self.chunks.append(attrs[name])
            if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
                self.chunks.append(attrs["value"])
        if tag not in VOID:
            self.stack.append(skip)

    def handle_endtag(self, tag):
        if tag == "aside" and self.in_menu:
            self.in_menu -= 1
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.exempt():
            self.chunks.append(data)


def english_in(html: str, data: str = "") -> tuple[set[str], list[str]]:
    page = PageText()
    page.feed(html)
    words = {m.group(0) for chunk in page.chunks for m in WORD.finditer(chunk)} - KEPT
    return {word for word in words if word.lower() not in data}, page.menu


def entered_names() -> str:
    """Every name people typed in, one per line."""
    from django.apps import apps

    names = []
    for label, fields in NAMED.items():
        for row in apps.get_model(label).objects.values_list(*fields):
            names.extend(str(value) for value in row if value)
    return "\n".join(names).lower()


NAMED = {
    "core.User": ("username", "first_name", "last_name"),
    "core.OrgUnit": ("name", "code"),
    "crm.Customer": ("name",),
    "catalog.Product": ("name", "sku"),
    "inventory.Warehouse": ("name",),
}


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def test_the_crawler_finds_english_and_ignores_codes():
    words, _menu = english_in(
        '<p>订单 Order placed <code>SO-2026-00001</code></p><span translate="no">Acme Ltd</span>'
        '<input type="submit" value="Save"><input placeholder="搜索"> RM-WHEAT kg'
    )
    assert words == {"Order placed", "Save"}


@pytest.mark.parametrize("role", ROLES)
def test_no_english_on_any_menu_page_in_chinese(org, client, role):
    user = org[role]
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    client.force_login(user)
    headers = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    home = client.get("/", **headers)
    assert home.status_code == 200
    data = entered_names()
    found, menu = english_in(home.content.decode(), data)
    assert menu, "the side menu has no links"
    leftovers = {"/": found} if found else {}
    for url in sorted(set(menu)):
        response = client.get(url, **headers)
        assert response.status_code < 500, url
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            words, _menu = english_in(response.content.decode(), data)
            if words:
                leftovers[url] = words
    assert not leftovers, pformat(leftovers)
