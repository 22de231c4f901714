"""{% load fmt %}: the formatting helper (salesops.core.formatting) as template filters.

{{ order.total|money }}                   ¥1,234.50
{{ invoice.total|money:invoice.currency }}
{{ line.amount|amount }}                  1,234.50 (the column heading names the currency)
{{ line.quantity|quantity:line.product }} 286.61 (the product's unit decides the decimals)
{{ delivery.issued_at|fdate }}            3 Dec 2026 / 2026年12月3日, company time zone
{{ delivery.issued_at|fdatetime }}        3 Dec 2026 01:26 / 2026年12月3日 01:26
{{ order.order_date|fdate:"short" }}      2026-12-03
{{ target.month|fmonth }}                 Dec 2026 / 2026年12月
{{ call.started_at|ftime }}               14:05, company time zone
"""

from django import template

from salesops.core import formatting

register = template.Library()


@register.filter
def money(value, currency="CNY"):
    return formatting.money(value, currency or "CNY")


@register.filter
def amount(value):
    return formatting.amount(value)


@register.filter
def quantity(value, unit=None):
    return formatting.quantity(value, unit)


@register.filter
def plus(value, other):
    """Decimal addition for figures summed in a template: Django's |add turns Decimals into
    whole numbers (12.50|add:3.25 gives 15)."""
    left, right = formatting.as_decimal(value), formatting.as_decimal(other)
    if left is None or right is None:
        return left if right is None else right
    return left + right


@register.filter
def fdate(value, style=""):
    return formatting.date(value, short=style == "short")


@register.filter
def fdatetime(value, style=""):
    return formatting.datetime_(value, short=style == "short")


@register.filter
def fmonth(value):
    return formatting.month(value)


@register.filter
def ftime(value):
    return formatting.time(value)
