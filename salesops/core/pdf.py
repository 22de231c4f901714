"""Printing to PDF (WeasyPrint). Chinese text needs a CJK font: Noto Sans CJK (Debian's
fonts-noto-cjk) is embedded through @font-face from the system font file, so a document
prints the same everywhere. Print templates declare it as
`@font-face { src: url("file://{{ font_path }}") }`; `render` gives them `font_path`."""

from __future__ import annotations

from django.template.loader import render_to_string

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def render(template: str, context: dict) -> str:
    """The print template's HTML, with the CJK font's path."""
    return render_to_string(template, {**context, "font_path": FONT_PATH})


def to_pdf(html: str, *, uncompressed: bool = False) -> bytes:
    """The PDF of a print template's HTML (`uncompressed` lets tests read its text)."""
    from weasyprint import HTML

    return HTML(string=html).write_pdf(uncompressed_pdf=uncompressed)
