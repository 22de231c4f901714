"""The KPI registry: each KPI is defined once — code, label, formula, owning area, unit,
direction — with one function that computes it for every rep of a period in a fixed number
of queries. Pages, the API, exports, scorecards and home pages all read KPIs from here.

A KPI's function returns, per rep id, the `Parts` of its value: a numerator and (for
ratios) a denominator. Teams, regions and the company add up their reps' parts before
dividing, so a team's rate is the rate of its documents, not an average of rates.

Another area adds its KPIs from its AppConfig.ready()::

    from salesops.targets.kpis import Kpi, Parts, register_kpi

    register_kpi(Kpi(code="visit_success_rate", label=_("Visit success rate"), owner="field",
                     unit=Unit.PERCENT, formula=_("orders / visits"), compute=visit_parts))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from salesops.targets.periods import Period

TWO_PLACES = Decimal("0.01")


class Unit(TextChoices):
    MONEY = "money", _("Amount")
    PERCENT = "percent", _("Percent")
    DAYS = "days", _("Days")
    SCORE = "score", _("Score")
    COUNT = "count", _("Count")


@dataclass(frozen=True)
class Parts:
    numerator: Decimal
    denominator: Decimal | None = None

    def __add__(self, other: Parts) -> Parts:
        if self.denominator is None and other.denominator is None:
            return Parts(self.numerator + other.numerator)
        return Parts(self.numerator + other.numerator, (self.denominator or 0) + (other.denominator or 0))


@dataclass(frozen=True)
class Kpi:
    code: str
    label: Any
    owner: str  # the area that defines and answers for it
    unit: str
    formula: Any  # how it is computed, in words the reader understands
    compute: Callable[..., dict[int, Parts]]  # (period, rep_ids or None) → {rep id: parts}
    higher_is_better: bool = True
    visible: Callable[[Any], bool] | None = None  # who may see it (None: everyone who sees the reps)
    documents: Callable[..., Any] | None = None  # (user, period, rep_ids) → the documents behind it
    order: int = 100

    def value(self, parts: Parts | None) -> Decimal | None:
        if parts is None:
            return None if self.unit != Unit.MONEY and self.unit != Unit.COUNT else Decimal("0.00")
        if parts.denominator is None:
            return parts.numerator.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        if not parts.denominator:
            return None
        scale = 100 if self.unit == Unit.PERCENT else 1
        return (parts.numerator * scale / parts.denominator).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)

    def visible_to(self, user) -> bool:
        return self.visible is None or bool(self.visible(user))


_registry: dict[str, Kpi] = {}


def register_kpi(kpi: Kpi) -> Kpi:
    _registry[kpi.code] = kpi
    return kpi


def get_kpi(code: str) -> Kpi | None:
    return _registry.get(code)


def all_kpis() -> list[Kpi]:
    return sorted(_registry.values(), key=lambda kpi: (kpi.order, kpi.code))


def kpis_for_user(user) -> list[Kpi]:
    return [kpi for kpi in all_kpis() if kpi.visible_to(user)]


def kpi_choices() -> list[tuple[str, Any]]:
    return [(kpi.code, kpi.label) for kpi in all_kpis()]


def compute_parts(codes: Iterable[str], period: Period, rep_ids: list[int] | None) -> dict[str, dict[int, Parts]]:
    """Each KPI's parts per rep; the number of queries depends on the KPIs, not the reps."""
    cache: dict = {}
    return {code: _registry[code].compute(period, rep_ids, cache=cache) for code in codes}
