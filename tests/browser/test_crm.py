"""Lead registration on a phone: a rep registers an inbound call, a rep of another team is
refused the same prospect without seeing it, and the owner's supervisor sees the lead and
the attempt."""

import pytest

from salesops.crm.models import Customer, OwnershipConflict
from tests.browser.conftest import PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_rep_registers_a_call_colleague_is_refused_supervisor_sees_lead(org, page_for):
    # a rep registers an inbound call on a phone
    page = page_for(viewport=PHONE)
    login(page, "rep1")
    page.goto("/leads/register/")
    assert _no_horizontal_scroll(page)
    page.check("input[name=via][value=call]")
    page.fill("#id_phone", "138 0013 8000")
    page.fill("#id_name", "上海华联超市有限公司")
    page.fill("#id_contact_name", "王经理")
    page.fill("#id_interest", "门店饮料补货")
    page.fill("#id_source", "微信广告")
    screenshot(page, "crm-lead-register-phone")
    page.click("[data-testid=submit]")
    page.wait_for_url("**/customers/*/")
    assert "上海华联超市有限公司" in page.locator("h1").inner_text()
    customer = Customer.objects.get(name="上海华联超市有限公司")
    assert (customer.owner, customer.registered_via, customer.source) == (org["rep1"], "call", "微信广告")

    # a rep of another team calls in the same number written differently: refused, no details
    other = page_for(viewport=PHONE)
    login(other, "rep3")
    other.goto("/leads/register/")
    other.fill("#id_phone", "+86-138-0013-8000")
    other.fill("#id_name", "华联超市")
    other.click("[data-testid=submit]")
    refusal = other.locator("[data-testid=refusal]")
    refusal.wait_for()
    text = refusal.inner_text()
    assert "上海华联超市" not in text and "8000" not in text
    assert _no_horizontal_scroll(other)
    screenshot(other, "crm-lead-refused-phone")
    assert Customer.objects.filter(name="华联超市").count() == 0
    conflict = OwnershipConflict.objects.get()
    assert (conflict.attempted_by, conflict.customer) == (org["rep3"], customer)

    # the owner's supervisor sees the lead and the attempt
    boss = page_for(viewport=PHONE)
    login(boss, "supervisor1")
    boss.goto("/customers/?q=hlcs")
    assert boss.get_by_text("上海华联超市有限公司").first.is_visible()
    boss.goto("/crm/conflicts/")
    assert "华联超市" in boss.locator("main").inner_text()
    screenshot(boss, "crm-conflicts-supervisor-phone")
