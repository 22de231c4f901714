"""The S&OP review pack as PDF (WeasyPrint), with the Chinese font embedded via @font-face."""

from __future__ import annotations

from salesops.core import pdf


def pack_pdf(pack, context: dict) -> bytes:
    return pdf.to_pdf(pdf.render("planning/sop_pdf.html", context))
