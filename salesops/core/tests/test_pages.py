"""Every page in the menu opens for every role that sees it, in both languages, and every
other role is kept out of it by the menu (and by the page itself, see each area's tests)."""

import pytest
from django.urls import reverse

from salesops.core.registry import registry
from salesops.core.tests.factories import ORG_PEOPLE

USERNAMES = [username for username, _roles, _unit, _manager in ORG_PEOPLE]


@pytest.mark.parametrize("username", USERNAMES)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_menu_page_opens_for_the_roles_that_see_it(org, client, username, language):
    user = org[username]
    client.force_login(user)
    client.cookies["salesops_language"] = language
    home = client.get("/")
    assert home.status_code == 200
    for item in registry.nav:
        if not item.visible_to(user):
            continue
        url = reverse(item.url_name)
        response = client.get(url)
        assert response.status_code == 200, f"{username} {url}: {response.status_code}"
        assert f'lang="{language}"' in response.content.decode()


def test_every_menu_entry_resolves():
    for item in registry.nav:
        assert reverse(item.url_name)
