"""The one place where money, quantities and dates become text for a reader: pages, PDFs,
e-mails and exports all go through these functions (stored values stay Decimals, dates and
UTC datetimes; display text is made only at the edge, convention 16).

Styles, the same in English and Simplified Chinese unless said otherwise:

- money: currency sign, thousands separator, exactly two decimals, rounded half up; a
  negative amount puts the minus before the sign: ``¥1,234.50``, ``-¥1,234.50``, ``¥0.00``
  (a value that rounds to zero never shows ``-¥0.00``).
- quantity: as many decimals as the unit of measure has (``Product.quantity_decimals``:
  0 for counted items, up to 3 for weights and volumes), trailing zeros dropped, thousands
  separator: ``1,200``, ``286.61``, ``0.5``. No ``286.610000000000`` artefacts.
- dates: the long form of the reader's language, ``3 Dec 2026`` / ``2026年12月3日``;
  datetimes add the 24-hour time, ``3 Dec 2026 14:05`` / ``2026年12月3日 14:05``. Dense tables
  may ask for the short form, ``2026-12-03`` / ``2026-12-03 14:05`` in both languages.
  A datetime is always shown in the company's time zone (``company_zone()``), whatever
  zone is active, so a delivery issued at 01:26 on 3 Dec in Beijing prints 3 Dec even
  though it is 2 Dec in UTC. A naive datetime is taken to be UTC, as the database stores it.
- months: ``Dec 2026`` / ``2026年12月``; times of day: ``14:05`` in both languages (a
  datetime in the company's time zone).
- nothing (``None`` or an empty string) is shown as ``—``.

Input is Decimal, int or a numeric string; a float is turned into a Decimal through its
shortest text (``repr``) so that a stray float never shows binary noise, but callers should
not pass floats.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.utils import dateformat, formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext

from salesops.core.selectors import company_zone

NOTHING = "—"
CURRENCY_SIGNS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "JPY": "JP¥"}
CENT = Decimal("0.01")
# Rounding for display only: wide enough for any number worth showing (a stored amount has at
# most 20 digits), so a huge input is shown, not an error.
_DISPLAY = Context(prec=100)


def as_decimal(value) -> Decimal | None:
    """`value` as a finite Decimal of sane size, or None when it is not a number."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    return number if number.is_finite() and number.adjusted() < 60 else None


def round_half_up(number: Decimal, places: int) -> Decimal:
    """`number` rounded half up to `places` decimals."""
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_DISPLAY)


def _grouped(number: Decimal, places: int, *, keep_zeros: bool) -> str:
    """|number| rounded half up to `places`, with the active language's separators."""
    rounded = round_half_up(abs(number), places)
    text = f"{rounded:,.{places}f}"
    if not keep_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    thousand = formats.get_format("THOUSAND_SEPARATOR")
    decimal_point = formats.get_format("DECIMAL_SEPARATOR")
    return text.replace(",", "\0").replace(".", decimal_point).replace("\0", thousand)


def _sign(number: Decimal, places: int) -> str:
    rounded = round_half_up(number, places)
    return "-" if rounded < 0 else ""


def money(value, currency: str = "CNY") -> str:
    """``¥1,234.50``; ``-¥1,234.50``; ``—`` for nothing."""
    number = as_decimal(value)
    if number is None:
        return NOTHING
    code = (currency or "CNY").upper()
    sign = CURRENCY_SIGNS.get(code, f"{code} ")
    return f"{_sign(number, 2)}{sign}{_grouped(number, 2, keep_zeros=True)}"


def amount(value) -> str:
    """Money without a currency sign, for table columns whose heading names the currency:
    ``1,234.50``, ``-1,234.50``."""
    number = as_decimal(value)
    if number is None:
        return NOTHING
    return f"{_sign(number, 2)}{_grouped(number, 2, keep_zeros=True)}"


def unit_decimals(unit) -> int:
    """The decimals of a unit of measure: a product (its ``quantity_decimals``), anything
    carrying a product (a line), a number of decimals, or nothing (up to 3)."""
    if unit is None or unit == "":
        return 3
    if isinstance(unit, int) and not isinstance(unit, bool):
        return max(0, min(unit, 6))
    if isinstance(unit, str) and unit.isdigit():
        return min(int(unit), 6)
    decimals = getattr(unit, "quantity_decimals", None)
    if decimals is None and getattr(unit, "product", None) is not None:
        decimals = getattr(unit.product, "quantity_decimals", None)
    return 3 if decimals is None else int(decimals)


def quantity(value, unit=None) -> str:
    """``1,200`` for a counted unit; ``286.61`` for a 3-decimal unit; ``—`` for nothing."""
    number = as_decimal(value)
    if number is None:
        return NOTHING
    places = unit_decimals(unit)
    return f"{_sign(number, places)}{_grouped(number, places, keep_zeros=False)}"


def company_moment(value: datetime.datetime) -> datetime.datetime:
    """A stored datetime in the company's time zone (a naive one is taken to be UTC)."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return timezone.localtime(value, company_zone())


def date(value, *, short: bool = False) -> str:
    """``3 Dec 2026`` / ``2026年12月3日`` (short: ``2026-12-03``); a datetime gives the
    company's calendar day."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, datetime.datetime):
        value = company_moment(value).date()
    if not isinstance(value, datetime.date):
        return str(value)
    return dateformat.format(value, formats.get_format("SHORT_DATE_FORMAT" if short else "DATE_FORMAT"))


def datetime_(value, *, short: bool = False) -> str:
    """``3 Dec 2026 14:05`` / ``2026年12月3日 14:05`` in the company's time zone (short:
    ``2026-12-03 14:05``); a plain date is shown as a date."""
    if value is None or value == "":
        return NOTHING
    if not isinstance(value, datetime.datetime):
        return date(value, short=short)
    moment = company_moment(value)
    return dateformat.format(moment, formats.get_format("SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT"))


def month(value) -> str:
    """``Dec 2026`` / ``2026年12月``: a date, a datetime (the company's month) or a ``2026-12``
    text."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(f"{value.strip()[:7]}-01")
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        value = company_moment(value).date()
    if not isinstance(value, datetime.date):
        return str(value)
    return dateformat.format(value, formats.get_format("YEAR_MONTH_FORMAT"))


def time(value) -> str:
    """``14:05`` (24-hour, both languages); a datetime is shown in the company's time zone."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, datetime.datetime):
        value = company_moment(value).time()
    if not isinstance(value, datetime.time):
        return str(value)
    return f"{value.hour:02d}:{value.minute:02d}"


# For a message put together later, in its reader's language (a `lazy_message` parameter of a
# notification): the text is made when the message is.
datetime_lazy = lazy(datetime_, str)


# --- list cells --------------------------------------------------------------------------------
# A list column may name its display format (`Column.kind`); without one the value's type
# decides. Kinds: money (¥1,234.50), amount (1,234.50), quantity (the unit's decimals),
# percent (a value in percentage points: 12.5 → 12.5%), date and datetime (short forms, company
# time zone). Nothing is an empty cell.
CELL_KINDS = frozenset({"", "money", "amount", "quantity", "percent", "date", "datetime"})
NUMBER_KINDS = frozenset({"money", "amount", "quantity", "percent"})


def plain_number(value) -> str:
    """A number without artefacts: ``286.610000000000`` → ``286.61``, ``12.5`` → ``12.50``,
    ``5.000`` → ``5``, ``0.125`` → ``0.125`` (at most 3 decimals, never 1)."""
    number = as_decimal(value)
    if number is None:
        return NOTHING
    text = quantity(number, 3)
    _whole, point, decimals = text.rpartition(formats.get_format("DECIMAL_SEPARATOR"))
    return text + "0" if point and len(decimals) == 1 else text


def percent(value) -> str:
    """``12.5%``; up to 2 decimals, trailing zeros dropped."""
    number = as_decimal(value)
    if number is None:
        return NOTHING
    return f"{_sign(number, 2)}{_grouped(number, 2, keep_zeros=False)}%"


def cell(value, kind: str = "", unit=None) -> str:
    """The text a list cell shows for `value` (see CELL_KINDS); a value that does not fit its
    kind (a text in a money column) is shown as it is."""
    if value is None or value == "":
        return ""
    if kind in NUMBER_KINDS and as_decimal(value) is None:
        return str(value)
    if kind == "money":
        return money(value)
    if kind == "amount":
        return amount(value)
    if kind == "quantity":
        return quantity(value, unit)
    if kind == "percent":
        return percent(value)
    if kind == "date":
        return date(value, short=True)
    if kind == "datetime" or isinstance(value, datetime.datetime):
        return datetime_(value, short=True)
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.date):
        return date(value, short=True)
    if isinstance(value, Decimal | float):
        return plain_number(value)
    return str(value)
