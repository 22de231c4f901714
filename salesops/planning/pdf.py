"""The S&OP review pack as PDF (WeasyPrint), with the Chinese font embedded via @font-face."""

from __future__ import annotations

from django.template.loader import render_to_string

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def pack_pdf(pack, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string("planning/sop_pdf.html", {**context, "font_path": FONT_PATH})
    return HTML(string=html).write_pdf()
