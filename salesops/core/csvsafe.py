"""One rule for every CSV the software writes (exports, import error reports, the command-line
tools): a cell that a spreadsheet would run as a formula is written as text.

Framework-free (no Django), so the data tools (`salesops abc`, `salesops routes`) use the same
helper as the web exports.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A CSV cell that a spreadsheet will not run: text starting like a formula gets a leading
    apostrophe (numbers, including negative ones, stay numbers)."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def csv_safe_row(row) -> list:
    """Each cell of `row` through `csv_safe`."""
    return [csv_safe(value) for value in row]
