"""Document numbers (SO-2026-000123) that are never handed out twice.

The counter row is incremented with an UPDATE inside the caller's transaction, so the row
stays locked until the document that took the number commits; a rolled-back document gives
its number back instead of leaving a gap or a duplicate.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from salesops.core.models import NumberSequence


def next_number(*, prefix: str, year: int | None = None, width: int = 6) -> str:
    year = year or timezone.localdate().year
    key = f"{prefix}-{year}"
    with transaction.atomic():
        NumberSequence.objects.get_or_create(key=key)
        NumberSequence.objects.filter(key=key).update(last_value=F("last_value") + 1)
        value = NumberSequence.objects.values_list("last_value", flat=True).get(key=key)
    return f"{key}-{value:0{width}d}"
