"""Type-ahead pickers: a choice among thousands (customers, products) picked by typing a few
letters of the name, the code or the pinyin initials, on a phone as on a desk.

`TypeaheadSelect` is the form widget: it renders a plain <select> holding only the chosen
option (the page stays small whatever the number of choices; the form field still validates
against its whole queryset) and names a JSON endpoint in `data-typeahead`. The page script
(salesops.js) puts a search box in front of it that asks the endpoint as the user types.

The endpoint answers `{"results": [{"id": 1, "label": "...", "detail": "..."}]}`; for DRF
lists of products the script also reads `sku`/`name`/`spec`. `typeahead_response` builds the
answer from a list already scoped to the user by a selector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.http import JsonResponse

MAX_RESULTS = 20


class TypeaheadSelect(forms.Select):
    def __init__(self, url: str, attrs=None, placeholder: str = ""):
        super().__init__(attrs)
        self.url = url
        self.placeholder = placeholder

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-typeahead"] = str(self.url)
        if self.placeholder:
            widget_attrs["data-placeholder"] = str(self.placeholder)
        return context

    def optgroups(self, name, value, attrs=None):
        """Only the empty choice and the chosen one are rendered (one query by primary key)."""
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:
            return super().optgroups(name, value, attrs)
        chosen = [str(v) for v in value if str(v).isdigit()]
        empty = self.choices.field.empty_label
        rows = ([("", empty)] if empty is not None else []) + [
            self.choices.choice(obj) for obj in queryset.filter(pk__in=chosen)
        ]
        return [
            (None, [self.create_option(name, key, label, str(key) in chosen, index, attrs=attrs)], index)
            for index, (key, label) in enumerate(rows)
        ]


def typeahead_response(rows: Iterable, *, label: Callable, detail: Callable | None = None) -> JsonResponse:
    results = [
        {"id": row.pk, "label": str(label(row)), "detail": str(detail(row)) if detail else ""}
        for row in list(rows)[:MAX_RESULTS]
    ]
    return JsonResponse({"results": results})
