"""Irreversible buttons ask once before they post: their form (or button) carries
`data-confirm`, which salesops.js turns into a confirmation (no inline script: the CSP forbids it)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)

# template, the URL name the form posts to (with its action where one URL serves several)
IRREVERSIBLE = [
    ("inventory/templates/inventory/stocktake_detail.html", "'stocktake-action' stocktake.pk 'submit'"),
    ("planning/templates/planning/plan_detail.html", "'planning-plan-issue'"),
    ("planning/templates/planning/plan_detail.html", "'planning-bucket-close'"),
    ("planning/templates/planning/sop_detail.html", "'planning-sop-close'"),
    ("inventory/templates/inventory/partials/lot_actions.html", "'lot-dispose'"),
    ("sales/templates/sales/order_detail.html", "'sales-order-cancel'"),
    ("credit/templates/credit/receipt_detail.html", "'credit-receipt-action' receipt.pk 'cancel'"),
    ("inventory/templates/inventory/transfer_detail.html", "'transfer-action' transfer.pk 'cancel'"),
    ("inventory/templates/inventory/purchase_order_detail.html", "'purchase-order-action' order.pk 'cancel'"),
]


@pytest.mark.parametrize(("template", "action"), IRREVERSIBLE)
def test_irreversible_forms_ask_for_confirmation(template, action):
    forms = [form for form in FORM.findall((ROOT / template).read_text(encoding="utf-8")) if action in form]
    assert len(forms) == 1, f"{template}: no single form posting to {action}"
    assert re.search(r'data-confirm="[^"]+"', forms[0]), f"{template}: {action} posts without asking"
    assert "onclick" not in forms[0] and "onsubmit" not in forms[0]


def test_the_receipt_reversal_page_asks_before_posting():
    """The reversal has its own page: the generic finance form carries the question it is given."""
    from django.template.loader import render_to_string

    from salesops.credit.forms import ReceiptReverseForm

    html = render_to_string(
        "credit/form.html",
        {"form": ReceiptReverseForm(), "title": "Reverse", "submit": "Reverse", "confirm": "Reverse it?"},
    )
    form = next(form for form in FORM.findall(html) if "narrow-form" in form)
    assert 'data-confirm="Reverse it?"' in form
    views = (ROOT / "credit/views.py").read_text(encoding="utf-8")
    reverse_view = views[views.index("def receipt_reverse") :]
    reverse_view = reverse_view[: reverse_view.index("\ndef ", 1)]
    assert '"confirm":' in reverse_view
