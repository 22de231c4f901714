import pytest

from salesops.crm.services import customer_create
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_rep_logs_in_sees_home_in_chinese_and_english_and_logs_out(org, page_for):
    page = page_for(viewport=PHONE, locale="en-US")
    login(page, "rep1")
    assert page.locator("[data-testid=home-title]").inner_text().startswith("Hello")
    screenshot(page, "home-rep-phone-en")

    with page.expect_navigation():
        page.click("[data-testid=lang-zh-hans]")
    assert "您好" in page.locator("[data-testid=home-title]").inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    screenshot(page, "home-rep-phone-zh")

    page.reload()  # the choice is remembered
    assert "您好" in page.locator("[data-testid=home-title]").inner_text()

    with page.expect_navigation():
        page.click("[data-testid=lang-en]")
    assert page.locator("[data-testid=home-title]").inner_text().startswith("Hello")

    page.click("[data-testid=logout]")
    page.wait_for_url("**/login/")
    page.goto("/")
    assert "/login/" in page.url


def test_first_visit_follows_the_browser_language(org, page_for):
    page = page_for(locale="zh-CN")
    page.goto("/login/")
    assert "登录" in page.locator("h1").inner_text()


def test_a_rep_of_another_team_cannot_open_a_customer_by_url(org, page_for):
    customer = customer_create(actor=org["admin"], name="华联超市 Alpha", owner=org["rep1"])
    own = page_for()
    login(own, "rep1")
    own.goto(f"/customers/{customer.pk}/")
    assert "华联超市 Alpha" in own.locator("[data-testid=customer-name]").inner_text()

    other = page_for()
    login(other, "rep3")
    response = other.goto(f"/customers/{customer.pk}/")
    assert response.status == 404
    assert "华联超市" not in other.content()


def test_the_phone_menu_opens_and_has_no_horizontal_scroll(org, page_for):
    page = page_for(viewport=PHONE)
    login(page, "supervisor1")
    assert not page.locator("#sidenav").is_visible()
    page.click("[data-toggle-nav]")
    assert page.locator("#sidenav").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
