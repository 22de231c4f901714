"""Printable stock documents (WeasyPrint): the stocktake count sheet and the purchase order.
Chinese product names need a CJK font: Noto Sans CJK is embedded through @font-face from the
system font file (Debian's fonts-noto-cjk), so the documents print the same everywhere."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from salesops.core import pdf


def count_sheet_html(stocktake, lines) -> str:
    return pdf.render("inventory/stocktake_sheet_pdf.html", {"stocktake": stocktake, "lines": lines})


def count_sheet_pdf(stocktake, lines, *, uncompressed: bool = False) -> bytes:
    return pdf.to_pdf(count_sheet_html(stocktake, lines), uncompressed=uncompressed)


def purchase_order_pdf(order, *, uncompressed: bool = False) -> bytes:
    html = pdf.render(
        "inventory/purchase_order_pdf.html", {"order": order, "lines": order.lines.select_related("product")}
    )
    return pdf.to_pdf(html, uncompressed=uncompressed)


def purchase_order_send(*, order_id: int) -> None:
    """E-mail the ordered purchase order to the supplier, with the PDF, in the company's
    language (runs after the ordering transaction commits)."""
    from salesops.inventory.models import PurchaseOrder

    order = PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by").get(pk=order_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Purchase order %(number)s") % {"number": order.number}
        body = _(
            "Please deliver the goods of purchase order %(number)s to %(warehouse)s by %(date)s. The order is attached."
        ) % {"number": order.number, "warehouse": order.warehouse.name, "date": order.expected_date.isoformat()}
        message = EmailMessage(subject=subject, body=body, to=[order.supplier.email])
        message.attach(f"{order.number}.pdf", purchase_order_pdf(order), "application/pdf")
    message.send()
