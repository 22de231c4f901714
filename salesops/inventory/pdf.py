"""The stocktake count sheet as PDF (WeasyPrint). Chinese product names need a CJK font: Noto
Sans CJK is embedded through @font-face from the system font file (Debian's fonts-noto-cjk), so
the sheet prints the same everywhere."""

from __future__ import annotations

from django.template.loader import render_to_string

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def count_sheet_html(stocktake, lines) -> str:
    return render_to_string(
        "inventory/stocktake_sheet_pdf.html", {"stocktake": stocktake, "lines": lines, "font_path": FONT_PATH}
    )


def count_sheet_pdf(stocktake, lines, *, uncompressed: bool = False) -> bytes:
    from weasyprint import HTML

    return HTML(string=count_sheet_html(stocktake, lines)).write_pdf(uncompressed_pdf=uncompressed)
