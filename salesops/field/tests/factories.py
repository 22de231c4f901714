"""Field test data, made through the services."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from salesops.core.selectors import company_date
from salesops.crm.models import Customer
from salesops.crm.services import customer_create
from salesops.field import services
from salesops.field.models import RequiredSku

_n = itertools.count(1)


def make_outlets(rep, count=12, *, grades="ABCCCC", channel="convenience"):
    outlets = []
    for i in range(count):
        n = next(_n)
        outlets.append(
            customer_create(
                actor=rep,
                name=f"网点{n:04d}",
                owner=rep,
                status="active",
                channel=channel,
                latitude=Decimal(f"{31.23 + (i % 4) * 0.004:.6f}"),
                longitude=Decimal(f"{121.47 + (i // 4) * 0.004:.6f}"),
                phone=f"1380000{n:04d}",
            )
        )
    for i, outlet in enumerate(outlets):  # the class a grading run would have given (crm.grading)
        outlet.grade = grades[i % len(grades)]
        Customer.objects.filter(pk=outlet.pk).update(grade=outlet.grade)
    return outlets


def published_cycle(supervisor, rep, *, starts_on=None):
    cycle = services.route_cycle_plan(rep=rep, actor=supervisor, time_limit=1)
    today = company_date()
    monday = starts_on or (today - datetime.timedelta(days=today.weekday()))
    return services.route_cycle_publish(cycle=cycle, actor=supervisor, starts_on=monday)


def require(product, channel="convenience"):
    return RequiredSku.objects.create(channel=channel, product=product)


def published_on_busiest_day(supervisor, rep, *, today=None):
    """Plan and publish the rep's cycle so that `today` (the company's day by default) is the
    cycle day with the most stops: tests that visit today's outlets do not depend on how the
    solver happened to spread the stops."""
    from django.db.models import Count

    today = today or company_date()
    cycle = services.route_cycle_plan(rep=rep, actor=supervisor, time_limit=1)
    busiest = cycle.stops.values("day").annotate(n=Count("pk")).order_by("-n", "day").first()["day"]
    week, weekday = divmod(busiest - 1, cycle.days_per_week)
    starts_on = today - datetime.timedelta(days=week * 7 + weekday)
    return services.route_cycle_publish(cycle=cycle, actor=supervisor, starts_on=starts_on)
