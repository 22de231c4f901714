"""iCalendar feed (RFC 5545, written with the `icalendar` package) of a rep's planned visits:
the stops of their published route cycle over the coming weeks, at their planned times."""

from __future__ import annotations

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from salesops.core.calendar import WorkCalendar


def visits_ics(*, rep, start: datetime.date, weeks: int, host: str = "salesops") -> bytes:
    from salesops.field.models import RepWorkday, RouteCycle

    calendar = Calendar()
    calendar.add("prodid", "-//salesops//field visits//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"salesops · {rep.display_name}")
    cycle = RouteCycle.objects.filter(rep=rep, status=RouteCycle.Status.PUBLISHED).first()
    if cycle is None:
        return calendar.to_ical()
    workday = RepWorkday.objects.filter(rep=rep).first()
    day_start = workday.day_start if workday else datetime.time(8, 30)
    tz = WorkCalendar.load().tz
    stops_by_day: dict[int, list] = {}
    for stop in cycle.stops.select_related("customer").order_by("day", "sequence"):
        stops_by_day.setdefault(stop.day, []).append(stop)
    stamp = timezone.now()
    for offset in range(weeks * 7):
        date = max(start, cycle.starts_on) + datetime.timedelta(days=offset)
        day = cycle.day_on(date)
        for stop in stops_by_day.get(day, []) if day else []:
            begins = datetime.datetime.combine(date, day_start, tzinfo=tz) + datetime.timedelta(
                minutes=stop.arrival_minute
            )
            event = Event()
            event.add("uid", f"visit-{cycle.pk}-{stop.pk}-{date.isoformat()}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", begins)
            event.add("dtend", begins + datetime.timedelta(minutes=stop.visit_minutes))
            event.add("summary", f"T{stop.day}.{stop.sequence} {stop.customer.name}")
            if stop.customer.address:
                event.add("location", stop.customer.address)
            if stop.customer.latitude is not None:
                event.add("geo", (float(stop.customer.latitude), float(stop.customer.longitude)))
            event.add("status", "CONFIRMED")
            calendar.add_component(event)
    return calendar.to_ical()
