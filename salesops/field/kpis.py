"""The field area's KPIs in the registry (`salesops.targets.kpis`): the supervisors' field-check
score and the visit success rate. Scorecards, home pages, exports and the API read them from
there like every other KPI; a scorecard weight on `field_check_score` makes the checks count
in the total score. Each is one grouped query over all the reps of the period."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salesops.core.listing import Column
from salesops.targets.kpis import Kpi, Parts, Unit, register_kpi


def _reps(queryset, rep_ids):
    return queryset if rep_ids is None else queryset.filter(rep_id__in=rep_ids)


def field_check_parts(period, rep_ids, *, cache=None) -> dict[int, Parts]:
    """Σ check scores ÷ number of checks, per rep checked in the period."""
    from salesops.field.models import FieldCheck

    checks = FieldCheck.objects.filter(date__gte=period.start, date__lte=period.end)
    rows = _reps(checks, rep_ids).order_by().values("rep_id").annotate(total=Sum("score"), count=Count("pk"))
    return {row["rep_id"]: Parts(Decimal(row["total"] or 0), Decimal(row["count"])) for row in rows}


def visit_success_parts(period, rep_ids, *, cache=None) -> dict[int, Parts]:
    """Successful visits ÷ visits done, per rep (the same rule as the field pages)."""
    from salesops.field.models import Visit
    from salesops.field.selectors import successful

    visits = Visit.objects.filter(date__gte=period.start, date__lte=period.end, status=Visit.Status.DONE)
    done = dict(_reps(visits, rep_ids).order_by().values("rep_id").annotate(n=Count("pk")).values_list("rep_id", "n"))
    won = dict(
        _reps(visits.filter(successful()), rep_ids)
        .order_by()
        .values("rep_id")
        .annotate(n=Count("pk"))
        .values_list("rep_id", "n")
    )
    return {rep: Parts(Decimal(won.get(rep, 0)), Decimal(count)) for rep, count in done.items()}


def field_check_documents(user, period, rep_ids):
    from salesops.field.selectors import field_check_list_for_user
    from salesops.targets.selectors import Documents

    checks = field_check_list_for_user(user=user).filter(
        date__gte=period.start, date__lte=period.end, rep_id__in=rep_ids
    )
    return Documents(
        checks.select_related("rep", "checker", "customer"),
        [
            Column("date", _("Date"), sort="date"),
            Column("kind", _("Kind"), value=lambda c: c.get_kind_display()),
            Column("rep__display_name", _("Rep")),
            Column("checker__display_name", pgettext_lazy("inspection", "Checked by")),
            Column("customer__name", _("Outlet")),
            Column("score", _("Score"), sort="score", numeric=True),
        ],
    )


def register_kpis() -> None:
    register_kpi(
        Kpi(
            "field_check_score",
            _("Field-check score"),
            "field",
            Unit.SCORE,
            _("Average score (0–100) of the supervisors' field checks of the rep"),
            field_check_parts,
            documents=field_check_documents,
            order=52,
        )
    )
    register_kpi(
        Kpi(
            "visit_success",
            _("Visit success rate"),
            "field",
            Unit.PERCENT,
            _("Done visits with an order ÷ done visits"),
            visit_success_parts,
            order=53,
        )
    )
