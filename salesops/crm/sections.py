"""Sections of the customer page. Other areas (orders, balance, visits…) add theirs from
their AppConfig.ready():

    from salesops.crm.sections import CustomerSection, customer_sections
    customer_sections.add(CustomerSection("orders", _("Orders"), "sales/partials/customer_orders.html",
                                          context=lambda request, customer: {...}, order=50))

A section's `context(request, customer)` returns the template's context, or None to hide it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerSection:
    key: str
    title: object
    template: str
    context: Callable | None = None
    order: int = 100
    roles: frozenset[str] | None = None


class CustomerSections:
    def __init__(self):
        self._sections: dict[str, CustomerSection] = {}

    def add(self, section: CustomerSection) -> None:
        self._sections[section.key] = section

    def render_list(self, request, customer) -> list[dict]:
        result = []
        for section in sorted(self._sections.values(), key=lambda s: (s.order, s.key)):
            if section.roles is not None and not (request.user.roles & section.roles):
                continue
            context = section.context(request, customer) if section.context else {}
            if context is None:
                continue
            result.append(
                {"key": section.key, "title": section.title, "template": section.template, "context": context}
            )
        return result


customer_sections = CustomerSections()
