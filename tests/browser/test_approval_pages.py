"""The approval page of every document type, as the approver reads it: in English on a desktop
and in Chinese on a 390 px phone — the document's facts labelled in the reader's language,
nothing wider than the screen — and the decision taken on the phone in one step."""

import pytest

from salesops.approvals.models import ApprovalTask
from salesops.approvals.tests.documents import MAKERS, submitted
from tests.browser.conftest import DESKTOP, PHONE, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

# a label every page shows for the type, per language: (English, Chinese)
EXPECTED = {
    "visit_request": ("Purpose", "目的"),
    "special_discount": ("Largest discount %", "最大折扣"),
    "special_discount_order": ("Available credit", "可用额度"),
    "overlimit_shipment": ("Amount over the limit", "超出额度金额"),
    "contract": ("Contract value", "合同金额"),
    "contract_change": ("New end date", "新结束日期"),
    "refund": ("Prepayment to refund", "应退预付款"),
    "new_product": ("List price", "标准售价"),
    "price_change": ("Effective date", "生效日期"),
    "credit_limit": ("Requested limit", "申请额度"),
    "stocktake_variance": ("Variance value (absolute)", "差异金额（绝对值）"),
    "production_plan_change": ("New quantity", "新数量"),
    "new_outlet": ("Outlet name", "网点名称"),
    "unit_change": ("Kept by the seller", "卖方扣留"),
    "unit_price_change": ("Largest change %", "最大变动 %"),
    "purchase_order": ("Total before tax", "不含税金额"),
    "lot_write_off": ("Days past expiry", "过期天数"),
    "expense_claim": ("Budget remaining", "预算余额"),
    "sales_plan": ("Annual target", "年度目标"),
    "commission_run": ("Total commission", "提成总额"),
    "customer_profit_plan": ("Expected profit", "预计利润"),
}


def _no_horizontal_scroll(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def _open_as(page_for, approver, language, viewport, task):
    approver.language = language
    approver.save(update_fields=["language"])
    page = page_for(viewport=viewport, locale="zh-CN" if language == "zh-hans" else "en-US")
    login(page, approver.username)
    page.goto(f"/approvals/tasks/{task.pk}/")
    _no_horizontal_scroll(page, viewport)
    return page, page.locator("[data-testid=facts]").inner_text()


@pytest.mark.parametrize("doc_type", sorted(MAKERS))
def test_the_approval_page_shows_what_to_decide_on_in_both_languages(org, page_for, doc_type):
    request = submitted(doc_type, org)
    task = request.tasks.get(status=ApprovalTask.Status.OPEN)
    english, chinese = EXPECTED[doc_type]

    desktop, facts = _open_as(page_for, org["gm"], "en", DESKTOP, task)
    assert english in facts
    screenshot(desktop, f"approval-{doc_type}-en-desktop")

    phone, facts = _open_as(page_for, org["gm"], "zh-hans", PHONE, task)
    assert chinese in facts and english not in facts
    screenshot(phone, f"approval-{doc_type}-zh-phone")
    phone.get_by_label("批准", exact=True).check()  # the decision, in one step, on the phone
    phone.click("[data-testid=decide]")
    phone.wait_for_url("**/approvals/")
    request.refresh_from_db()
    assert request.status == "approved"
