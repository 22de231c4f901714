"""iCalendar (RFC 5545) export of activities, written by hand: it is a small text format.

Lines end in CRLF; text values escape backslash, semicolon, comma and newlines (3.3.11);
lines longer than 75 octets are folded with CRLF + one space (3.1), never inside a UTF-8
character.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import timezone


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line at 75 octets (continuation lines start with a space)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current, size, limit = [], "", 0, 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74  # continuation lines lose one octet to the space
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def activities_ics(activities: Iterable, *, calendar_name: str, host: str = "salesops") -> str:
    now = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//salesops//CRM activities//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{escape_text(calendar_name)}",
    ]
    for activity in activities:
        start = activity.occurred_at
        end = start + datetime.timedelta(minutes=activity.duration_minutes or 30)
        summary = f"{activity.get_kind_display()}: {activity.subject} · {activity.customer.name}"
        description = "\n".join(part for part in [activity.outcome, activity.next_step] if part)
        lines += [
            "BEGIN:VEVENT",
            f"UID:activity-{activity.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{_utc(start)}",
            f"DTEND:{_utc(end)}",
            f"SUMMARY:{escape_text(summary)}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{escape_text(description)}")
        if activity.customer.address:
            lines.append(f"LOCATION:{escape_text(activity.customer.address)}")
        lines.append("STATUS:CONFIRMED" if activity.done else "STATUS:TENTATIVE")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
