"""iCalendar (RFC 5545) export of activities, written with the `icalendar` package (escaping,
folding at 75 octets and UTC date-times are its job)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event


def activities_ics(activities: Iterable, *, calendar_name: str, host: str = "salesops") -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//salesops//CRM activities//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_name)
    stamp = timezone.now().astimezone(datetime.UTC)
    for activity in activities:
        start = activity.occurred_at.astimezone(datetime.UTC)
        event = Event()
        event.add("uid", f"activity-{activity.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(minutes=activity.duration_minutes or 30))
        event.add("summary", f"{activity.get_kind_display()}: {activity.subject} · {activity.customer.name}")
        description = "\n".join(part for part in [activity.outcome, activity.next_step] if part)
        if description:
            event.add("description", description)
        if activity.customer.address:
            event.add("location", activity.customer.address)
        event.add("status", "CONFIRMED" if activity.done else "TENTATIVE")
        calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")
