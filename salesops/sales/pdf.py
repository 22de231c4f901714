"""Printable documents (WeasyPrint). Chinese text needs a CJK font: Noto Sans CJK is embedded
through @font-face from the system font file. The sales order prints in the four copies the
credit-sales manual names: finance, warehouse, rep and customer (财务联/仓库联/业务联/客户联);
the copy names stay in Chinese in both languages, with the reader's name beside them when it
differs. The title is one title, in the reader's language. Figures and dates go through
salesops.core.formatting: dates are the company's calendar day, whatever zone is active."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from salesops.core import pdf
from salesops.core.selectors import company_date
from salesops.inventory.selectors import issued_lots
from salesops.sales.models import Contract, Delivery, Invoice, Quote, SalesOrder

ZERO = Decimal("0.00")
ORDER_COPIES = [
    ("财务联", _("Finance copy")),
    ("仓库联", _("Warehouse copy")),
    ("业务联", _("Rep copy")),
    ("客户联", _("Customer copy")),
]


def vat_summary(lines) -> list[dict]:
    """The tax lines of a document: per VAT rate, the net amount, the tax and the total."""
    rates: dict = {}
    for line in lines:
        row = rates.setdefault(line.tax_rate, {"rate": line.tax_rate, "net": ZERO, "tax": ZERO, "total": ZERO})
        row["net"] += line.amount - line.tax_amount
        row["tax"] += line.tax_amount
        row["total"] += line.amount
    return [rates[rate] for rate in sorted(rates, reverse=True)]


def prices_include_tax(obj) -> bool:
    """Whether the unit prices of a document's lines are tax-inclusive (an invoice's are its
    order's; an invoice without an order has no prices of its own: inclusive)."""
    if isinstance(obj, Invoice):
        return obj.order.prices_include_tax if obj.order_id else True
    return obj.prices_include_tax


def _document(obj) -> dict:
    if isinstance(obj, SalesOrder):
        return {
            "title": _("Sales order"),
            "lines": obj.lines.select_related("product"),
            "copies": ORDER_COPIES,
            "date": obj.order_date,
            "party": obj.customer,
            "links": [d.number for d in obj.deliveries.all()] + [i.number for i in obj.invoices.all()],
            "before": [x.number for x in (obj.quote, obj.contract) if x],
        }
    if isinstance(obj, Quote):
        return {
            "title": _("Quote"),
            "lines": obj.lines.select_related("product"),
            "date": obj.quote_date,
            "party": obj.customer,
            "links": [o.number for o in obj.orders.all()],
            "before": [],
        }
    if isinstance(obj, Contract):
        return {
            "title": _("Contract"),
            "lines": obj.lines.select_related("product"),
            "date": obj.start_date,
            "party": obj.customer,
            "links": [o.number for o in obj.orders.all()],
            "before": [obj.quote.number] if obj.quote_id else [],
            "terms": obj.terms,
        }
    if isinstance(obj, Delivery):
        return {
            "title": _("Delivery note"),
            "lines": obj.lines.select_related("product"),
            "date": company_date(obj.issued_at),  # the company's day, not the UTC one
            "party": obj.order.customer,
            "lots": issued_lots(reference_type="sales_order", reference_id=obj.order_id, at=obj.issued_at),
            "before": [obj.order.number],
            "links": sorted({il.invoice.number for dl in obj.lines.all() for il in dl.invoice_lines.all()}),
        }
    if isinstance(obj, Invoice):
        return {
            "title": _("Credit note") if obj.kind == Invoice.Kind.CREDIT_NOTE else _("Invoice"),
            "lines": obj.lines.select_related("product"),
            "date": obj.issue_date,
            "party": obj.customer,
            "before": [x.number for x in (obj.order, obj.original) if x],
            "links": [],
        }
    raise TypeError(type(obj))


def document_html(obj) -> str:
    context = {"doc": obj, **_document(obj)}
    if isinstance(obj, (SalesOrder, Quote, Invoice)):  # documents with VAT
        context["lines"] = list(context["lines"])
        context["taxed"] = True
        context["vat"] = vat_summary(context["lines"])
        context["prices_include_tax"] = prices_include_tax(obj)
    context["copies"] = [
        (copy_zh, "" if str(label) == copy_zh else str(label)) for copy_zh, label in context.get("copies", [("", "")])
    ]
    return pdf.render("sales/pdf/document.html", context)


def document_pdf(obj, *, uncompressed: bool = False) -> bytes:
    return pdf.to_pdf(document_html(obj), uncompressed=uncompressed)


# --- the pick list (拣货单) ---------------------------------------------------------------------------
def pick_list_html(places, *, printed_at, orders_chosen: bool = False) -> str:
    """`places`: `selectors.pick_list(...)`; `printed_at` prints in the company's time zone."""
    return pdf.render(
        "sales/pick_list_pdf.html", {"places": places, "printed_at": printed_at, "orders_chosen": orders_chosen}
    )


def pick_list_pdf(places, *, printed_at, orders_chosen: bool = False, uncompressed: bool = False) -> bytes:
    html = pick_list_html(places, printed_at=printed_at, orders_chosen=orders_chosen)
    return pdf.to_pdf(html, uncompressed=uncompressed)
