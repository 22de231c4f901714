"""Input bounds shared by every area: what a number, a date, a text or a setting may be.

Every value a person or a client sends is checked against one of these, whichever way it
comes in (a page's form, the API, an import): the model fields in `core.bounded` carry them,
so `full_clean` in a service refuses what a form or a serializer let through, and the parsers
below are what forms, serializers and import readers call on raw text.

The spans are technical limits (what the system can store and compute with and what can be
a real business value), not policy: a policy number (payment terms, deadlines) lives in its
area's tables and is checked there.
"""

from __future__ import annotations

import datetime
import decimal
import re
import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# Dates of business records (documents, plans, calendars): the years the system is used in.
DATE_MIN = datetime.date(2000, 1, 1)
DATE_MAX = datetime.date(2099, 12, 31)

# Texts without a length of their own (notes, descriptions, comments).
TEXT_MAX_LENGTH = 10_000

# Whole numbers of days and hours in rules and settings (payment terms, deadlines, lead times).
DAYS_MAX = 3_660
HOURS_MAX = 8_784

NON_NEGATIVE = [MinValueValidator(0)]
POSITIVE_COUNT = [MinValueValidator(1)]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]
DAYS = [MaxValueValidator(DAYS_MAX)]
HOURS = [MaxValueValidator(HOURS_MAX)]
MINUTES = [MaxValueValidator(24 * 60)]

# ASCII digits only: Python's Decimal and int() also read "1_000", "١٢" (Arabic-Indic) and
# "１２" (full width), which a person did not mean as a number here, or not as that number.
_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_INTEGER_TEXT = re.compile(r"[+-]?\d+", re.ASCII)


def parse_decimal(value, *, max_digits: int | None = None, decimal_places: int | None = None) -> decimal.Decimal:
    """A Decimal from text, a number or a Decimal, or ValidationError (code `invalid`,
    `max_decimal_places` or `max_value`). Refuses NaN and infinities, digits other than 0-9,
    separators, and, when the field's `max_digits` and `decimal_places` are given, more places
    or a larger magnitude than it stores."""
    if isinstance(value, bool):
        raise ValidationError(_("Enter a number."), code="invalid")
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip()
    if len(text) > 100 or not _DECIMAL_TEXT.fullmatch(text):
        raise ValidationError(_("Enter a number."), code="invalid")
    number = decimal.Decimal(text)
    places = max(-number.normalize().as_tuple().exponent, 0) if number else 0
    if decimal_places is not None and places > decimal_places:
        raise ValidationError(
            _("Enter a number with at most %(places)s decimal places.") % {"places": decimal_places},
            code="max_decimal_places",
        )
    if max_digits is not None:
        limit = decimal.Decimal(10) ** (max_digits - (decimal_places or 0))
        if abs(number) >= limit:
            raise ValidationError(
                _("Enter a number smaller than %(limit)s.") % {"limit": f"{limit:,}"}, code="max_value"
            )
    return number


def parse_int(value, *, min_value: int | None = None, max_value: int | None = None) -> int:
    """A whole number from text or a number, within [min_value, max_value], or ValidationError.
    Also refuses what does not fit in a database integer (ids from a URL or a query string)."""
    if isinstance(value, bool):
        raise ValidationError(_("Enter a whole number."), code="invalid")
    text = str(value).strip()
    if not _INTEGER_TEXT.fullmatch(text) or len(text) > 20:
        raise ValidationError(_("Enter a whole number."), code="invalid")
    number = int(text)
    low = -(2**63) if min_value is None else min_value
    high = 2**63 - 1 if max_value is None else max_value
    if number < low:
        raise ValidationError(_("Enter a number of at least %(limit)s.") % {"limit": low}, code="min_value")
    if number > high:
        raise ValidationError(_("Enter a number of at most %(limit)s.") % {"limit": high}, code="max_value")
    return number


def parse_date(value) -> datetime.date:
    """A date from YYYY-MM-DD text (or a date) within the span of business dates."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if not isinstance(value, datetime.date):
        try:
            value = datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid")
    validate_date_span(value)
    return value


def validate_date_span(value) -> None:
    if value is None:
        return
    day = timezone.localdate(value) if isinstance(value, datetime.datetime) and timezone.is_aware(value) else value
    if isinstance(day, datetime.datetime):
        day = day.date()
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            _("Enter a date between %(start)s and %(end)s.")
            % {"start": DATE_MIN.isoformat(), "end": DATE_MAX.isoformat()},
            code="date_span",
        )


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            _("Unknown time zone “%(value)s”: use a name such as Asia/Shanghai.") % {"value": str(value)[:64]},
            code="time_zone",
        )


@deconstructible
class TextLengthValidator:
    """A text field's bound when it has no max_length of its own."""

    def __init__(self, limit: int = TEXT_MAX_LENGTH):
        self.limit = limit

    def __call__(self, value) -> None:
        if value is not None and len(str(value)) > self.limit:
            raise ValidationError(
                _("Keep this text to at most %(limit)s characters.") % {"limit": self.limit}, code="max_length"
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, TextLengthValidator) and other.limit == self.limit


def clean_field_value(model, name: str, value):
    """`value` as the model's field `name` stores it, checked as `full_clean` checks it (its
    parsing, range, digits and places), or ValidationError: for services that read a number
    from text before they build the record (a line quantity, a count, an imported cell)."""
    return model._meta.get_field(name).clean(value, None)


def clean_input(model, name: str, value, *, field: str | None = None):
    """`clean_field_value`, refusing with ValidationFailed on the input `field` (default `name`)."""
    from salesops.core.exceptions import ValidationFailed

    try:
        return clean_field_value(model, name, value)
    except ValidationError as error:
        raise ValidationFailed(fields={field or name: error.messages}) from None
