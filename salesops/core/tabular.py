"""Reading uploaded tables (.xlsx, .xls, .csv) for every import.

Chinese Excel and WPS save CSV in GBK by default, others in UTF-8 with or without a BOM, a
few in UTF-16; the encoding is found by trying UTF-8, then GB18030 (a superset of GBK), then
asking charset-normalizer, and a file none of them can read is refused rather than imported
as replacement characters. The delimiter (comma, semicolon, tab) is sniffed. Any file that
cannot be read answers a field error on `file`, never a server error.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.utils.translation import gettext as _

from salesops.core.exceptions import ValidationFailed

MAX_ROWS = 20000


def _refuse(message) -> ValidationFailed:
    return ValidationFailed(fields={"file": [message]})


def decode_text(content: bytes) -> str:
    """The text of an uploaded text file, whatever of the usual encodings it was saved in."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(content).best()
    if best is None:
        raise _refuse(_("The file's text encoding could not be recognised. Save it as CSV (UTF-8) and try again."))
    return str(best)


def _csv_values(content: bytes) -> list[list]:
    text = decode_text(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096].split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise _refuse(_("The CSV file is malformed: %(problem)s") % {"problem": error}) from error


def _xlsx_values(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _refuse(_("This is not a readable Excel file.")) from error


def _xls_values(content: bytes) -> list[list]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content)
        sheet = book.sheet_by_index(0)
        rows = []
        for index in range(sheet.nrows):
            row = []
            for cell in sheet.row(index):
                value = cell.value
                if cell.ctype == xlrd.XL_CELL_DATE:
                    value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                row.append(value)
            rows.append(row)
        return rows
    except Exception as error:  # xlrd raises many kinds for a damaged file
        raise _refuse(_("This is not a readable Excel file.")) from error


READERS = {".xlsx": _xlsx_values, ".xls": _xls_values, ".csv": _csv_values}


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_table(filename: str, content: bytes, *, max_rows: int = MAX_ROWS) -> list[dict[str, str]]:
    """The rows of an uploaded table as dicts keyed by the lower-case header, cells as text;
    blank rows are skipped."""
    reader = next((read for suffix, read in READERS.items() if filename.lower().endswith(suffix)), None)
    if reader is None:
        raise _refuse(_("Upload an .xlsx, .xls or .csv file."))
    values = reader(content)
    if not values:
        raise _refuse(_("The file is empty."))
    headers = [cell_text(h).lower() for h in values[0]]
    rows = []
    for row in values[1:]:
        record = {headers[i]: cell_text(v) for i, v in enumerate(row) if i < len(headers) and headers[i]}
        if any(record.values()):
            rows.append(record)
    if len(rows) > max_rows:
        raise _refuse(_("At most %(n)d rows per file.") % {"n": max_rows})
    return rows
