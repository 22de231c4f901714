"""Server-rendered lists with one behaviour everywhere: a search box, filter chips, sortable
columns, paging with a count, and an Excel export of exactly what is filtered.

A view builds a `ListPage` over a queryset that a selector has already scoped to the user,
and renders `core/list_page.html` (or includes `core/partials/list_table.html`). htmx
requests get only the table, so typing in the search box refreshes the rows in place.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from salesops.core import bounds
from salesops.core.export import typed, xlsx_response
from salesops.core.formatting import CELL_KINDS, NUMBER_KINDS, cell


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    sort: str | None = None  # ORM ordering expression; None: not sortable
    value: Callable[[Any], Any] | None = None  # plain value for display and export
    link: Callable[[Any], str] | None = None  # URL the cell links to
    numeric: bool = False
    template: str | None = None  # a template rendering the cell (gets `row`)
    # How the cell reads (core.formatting.CELL_KINDS): "money", "amount", "quantity", "percent",
    # "date", "datetime"; "" lets the value's type decide (a date, a datetime in the company's
    # zone, a Decimal without artefacts, a yes/no). The export keeps typed values.
    kind: str = ""
    # For a quantity: the unit's decimals, as a number or a function of the row returning a
    # product, a line carrying one, or a number (core.formatting.unit_decimals).
    unit: Any = None

    def __post_init__(self):
        if self.kind not in CELL_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")
        if self.kind in NUMBER_KINDS:
            object.__setattr__(self, "numeric", True)  # a number column is right-aligned

    def get(self, row) -> Any:
        if self.value is not None:
            return self.value(row)
        value = row
        for part in self.key.split("__"):
            value = getattr(value, part, None) if value is not None else None
        return value

    def unit_of(self, row) -> Any:
        return self.unit(row) if callable(self.unit) else self.unit

    def text(self, row, value) -> str:
        """What the table shows for `value` (this column's value for `row`)."""
        return cell(value, self.kind, self.unit_of(row) if self.kind == "quantity" else None)

    def exported(self, row) -> Any:
        """This column's value for `row` as the workbook stores it: numbers stay numbers."""
        value = self.get(row)
        return typed(value, self.kind, self.unit_of(row) if self.kind == "quantity" else None)


def _cell(column: Column, label: str, row) -> dict:
    """One table cell, formatted once here (not by filters in the template loop). A cell drawn
    by its own template gets the plain value; every other cell shows `text`."""
    value = column.get(row)
    return {
        "column": column,
        "label": label,
        "value": value,
        "text": "" if column.template else column.text(row, value),
        "link": column.link(row) if column.link else None,
        "date": isinstance(value, datetime.date),  # kept on one line, like a figure
    }


@dataclass(frozen=True)
class Filter:
    """A chip filter: ?<key>=<choice value> applies `lookup` with that value."""

    key: str
    label: Any
    choices: Sequence[tuple[str, Any]]
    lookup: str | None = None
    apply: Callable[[QuerySet, str], QuerySet] | None = None

    def filter(self, queryset: QuerySet, value: str) -> QuerySet:
        if self.apply is not None:
            return self.apply(queryset, value)
        return queryset.filter(**{self.lookup or self.key: value})


_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)


@dataclass(frozen=True)
class DateFilter:
    """A period on one date or datetime `field`: ?<key>_from=YYYY-MM-DD, ?<key>_to=YYYY-MM-DD
    (either end may stay empty) and ?<month_key>=YYYY-MM. A value that does not parse is not
    applied and is said next to the inputs, never an error page. A datetime field is read by
    the company's calendar day (`core.selectors.company_zone`), whatever zone is active."""

    key: str
    label: Any
    field: str
    month_key: str = "month"

    @property
    def from_key(self) -> str:
        return f"{self.key}_from"

    @property
    def to_key(self) -> str:
        return f"{self.key}_to"

    def _is_datetime(self, model) -> bool:
        target = None
        for part in self.field.split("__"):
            try:
                target = model._meta.get_field(part)
            except FieldDoesNotExist:
                return False
            if target.is_relation and target.related_model is not None:
                model = target.related_model
        return isinstance(target, models.DateTimeField)

    def read(self, params) -> dict:
        """{"start", "end": the dates applied (None: open), "values": what was typed, "errors": [...]}"""
        values = {name: params.get(name, "").strip()[:20] for name in (self.from_key, self.to_key, self.month_key)}
        errors, days = [], {}
        for name in (self.from_key, self.to_key):
            if values[name]:
                try:
                    days[name] = bounds.parse_date(values[name])
                except ValidationError:
                    errors.append(_("“%(value)s” is not a date (YYYY-MM-DD): not applied.") % {"value": values[name]})
        start, end = days.get(self.from_key), days.get(self.to_key)
        if start and end and start > end:
            errors.append(_("The start date is after the end date: the dates are not applied."))
            start = end = None
        month = values[self.month_key]
        if month:
            match = _MONTH.fullmatch(month)
            first = None
            if match and 1 <= int(match.group(2)) <= 12:
                first = datetime.date(int(match.group(1)), int(match.group(2)), 1)
            if first is None or not bounds.DATE_MIN <= first <= bounds.DATE_MAX:
                errors.append(_("“%(value)s” is not a month (YYYY-MM): not applied.") % {"value": month})
            else:
                last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
                start, end = max(start or first, first), min(end or last, last)
        return {"start": start, "end": end, "values": values, "errors": errors}

    def filter(self, queryset: QuerySet, start: datetime.date | None, end: datetime.date | None) -> QuerySet:
        if start is None and end is None:
            return queryset
        if self._is_datetime(queryset.model):
            from salesops.core.selectors import company_zone

            zone = company_zone()

            def midnight(day):
                return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

            if start is not None:
                queryset = queryset.filter(**{f"{self.field}__gte": midnight(start)})
            if end is not None:
                queryset = queryset.filter(**{f"{self.field}__lt": midnight(end + datetime.timedelta(days=1))})
            return queryset
        if start is not None:
            queryset = queryset.filter(**{f"{self.field}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{self.field}__lte": end})
        return queryset


@dataclass
class ListPage:
    request: HttpRequest
    queryset: QuerySet
    columns: Sequence[Column]
    title: Any = ""
    search_fields: Sequence[str] = ()
    filters: Sequence[Filter] = ()
    default_sort: str = ""
    page_size: int = 25
    export_name: str = "export"
    actions_template: str | None = None
    empty_message: Any = ""
    extra: dict = field(default_factory=dict)
    date_filter: DateFilter | None = None  # a period: from/to dates and a month

    def __post_init__(self):
        params = self.request.GET
        self.search = params.get("q", "").strip()[:100]
        self.active_filters = {}
        queryset = self.queryset
        for spec in self.filters:
            value = params.get(spec.key, "")
            if value and value in {str(choice) for choice, _label in spec.choices}:
                queryset = spec.filter(queryset, value)
                self.active_filters[spec.key] = value
        self.dates = None
        if self.date_filter is not None:
            self.dates = self.date_filter.read(params)
            queryset = self.date_filter.filter(queryset, self.dates["start"], self.dates["end"])
            if self.dates["start"] or self.dates["end"]:
                self.active_filters[self.date_filter.key] = True
        if self.search and self.search_fields:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{f"{name}__icontains": self.search})
            queryset = queryset.filter(condition)
        sortable = {column.key: column.sort for column in self.columns if column.sort}
        requested = params.get("sort", "")
        self.sort = requested if requested.lstrip("-") in sortable else self.default_sort
        if self.sort:
            expression = sortable.get(self.sort.lstrip("-"), self.sort.lstrip("-"))
            descending = self.sort.startswith("-")
            queryset = queryset.order_by(f"-{expression}" if descending else expression, "pk")
        self.filtered = queryset

    # --- rendering -------------------------------------------------------------------------------
    def _query(self, **changes) -> str:
        params = {key: value for key, value in self.request.GET.items() if key not in {"page", "export"}}
        params.update(changes)
        return "?" + urlencode({key: value for key, value in params.items() if value not in ("", None)})

    def context(self) -> dict:
        paginator = Paginator(self.filtered, self.page_size)
        try:
            page = paginator.page(self.request.GET.get("page", 1))
        except (EmptyPage, PageNotAnInteger):
            page = paginator.page(1 if not paginator.num_pages else paginator.num_pages)
        labels = [str(column.label) for column in self.columns]  # translated once, not once per cell
        headers = []
        for column, label in zip(self.columns, labels, strict=True):
            sort_link = None
            if column.sort:
                next_sort = f"-{column.key}" if self.sort == column.key else column.key
                sort_link = self._query(sort=next_sort)
            state = "asc" if self.sort == column.key else "desc" if self.sort == f"-{column.key}" else ""
            headers.append({"column": column, "label": label, "sort_link": sort_link, "state": state})
        rows = [
            {
                "object": obj,
                "cells": [_cell(c, label, obj) for c, label in zip(self.columns, labels, strict=True)],
            }
            for obj in page.object_list
        ]
        chips = [
            {
                "spec": spec,
                "options": [
                    {
                        "value": value,
                        "label": label,
                        "active": self.active_filters.get(spec.key) == str(value),
                        "link": self._query(
                            **{spec.key: "" if self.active_filters.get(spec.key) == str(value) else value}
                        ),
                    }
                    for value, label in spec.choices
                ],
            }
            for spec in self.filters
        ]
        return {
            "list": self,
            "page": page,
            "headers": headers,
            "rows": rows,
            "chips": chips,
            "dates": self._dates_context(),
            "count": paginator.count,
            "export_link": self._query(export="xlsx"),
            "page_link_prev": self._query(page=page.previous_page_number()) if page.has_previous() else None,
            "page_link_next": self._query(page=page.next_page_number()) if page.has_next() else None,
            **self.extra,
        }

    def _dates_context(self) -> dict | None:
        if self.date_filter is None:
            return None
        spec = self.date_filter
        keys = (spec.from_key, spec.to_key, spec.month_key)
        return {
            "spec": spec,
            **self.dates,
            "from_value": self.dates["values"][spec.from_key],
            "to_value": self.dates["values"][spec.to_key],
            "month_value": self.dates["values"][spec.month_key],
            "keep": [(key, value) for key, value in self.request.GET.items() if key not in {*keys, "page", "export"}],
            "clear_link": self._query(**dict.fromkeys(keys, "")) if any(self.dates["values"].values()) else None,
        }

    def export(self) -> HttpResponse:
        rows = ([column.exported(obj) for column in self.columns] for obj in self.filtered.iterator(chunk_size=2000))
        return xlsx_response(self.export_name, [str(c.label) for c in self.columns], rows, title=str(self.title))

    def response(self, template: str = "core/list_page.html") -> HttpResponse:
        if self.request.GET.get("export") == "xlsx":
            return self.export()
        if self.request.headers.get("HX-Request") and self.request.headers.get("HX-Target") == "list-table":
            template = "core/partials/list_table.html"
        return TemplateResponse(self.request, template, self.context())
