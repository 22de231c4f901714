"""Excel export of exactly what a list shows (its filters and sort applied).

Text is always written as text: a customer named `=HYPERLINK(...)` stays a name in the
workbook, never a formula (openpyxl would otherwise store any text starting with "=" as one).
"""

from __future__ import annotations

import datetime
import decimal
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from salesops.core import formatting
from salesops.core.csvsafe import csv_safe  # noqa: F401  (the shared rule; imported from here too)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def typed(value, kind: str = "", unit=None):
    """A list cell's value as the workbook keeps it (see `core.formatting.cell` for the kinds):
    money and amounts as Decimals rounded half up to 2 places, quantities to the unit's
    decimals, a date column's datetime as the company's calendar day; anything else as it is
    (`_cell` turns datetimes into the company's wall-clock time)."""
    if kind in formatting.NUMBER_KINDS:
        number = formatting.as_decimal(value)
        if number is None:
            return value
        places = 2 if kind != "quantity" else formatting.unit_decimals(unit)
        return formatting.round_half_up(number, places)
    if kind == "date" and isinstance(value, datetime.datetime):
        return formatting.company_moment(value).date()
    return value


def _cell(value):
    if isinstance(value, decimal.Decimal):
        # a number stays a number (openpyxl stores it through float; 15 significant digits)
        return value if value.is_finite() else str(value)
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the company's wall-clock time, as every page shows it
        return formatting.company_moment(value).replace(tzinfo=None)
    if value is None or isinstance(value, int | float | str | datetime.date):
        return value
    return str(value)


def _written(sheet, value):
    value = _cell(value)
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def text_only(workbook) -> None:
    """For a workbook built cell by cell (not write-only): no exported text stays a formula."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def xlsx_bytes(headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "Sheet1") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet1")
    sheet.append([_written(sheet, str(h)) for h in headers])
    for row in rows:
        sheet.append([_written(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], *, title: str = "") -> HttpResponse:
    response = HttpResponse(xlsx_bytes(headers, rows, title=title or filename), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
