"""Template helpers of the performance pages: read a key of a frozen pack row."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def item(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def as_decimal(value):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
