"""Months (first day) and weeks (Monday) as the planning layer stores them."""

from __future__ import annotations

import datetime

import numpy as np


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_ordinal(month: datetime.date) -> int:
    """Months since 1970-01 (the engine's ordinals)."""
    return (month.year - 1970) * 12 + month.month - 1


def ordinal_month(ordinal: int) -> datetime.date:
    return datetime.date(1970 + ordinal // 12, ordinal % 12 + 1, 1)


def days_in_month(month: datetime.date) -> int:
    return (add_months(month, 1) - month).days


def week_start(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def week_index(day: datetime.date, first_week: datetime.date) -> int:
    """1-based week number from `first_week`; dates before it fall in week 1."""
    return max(1, (day - first_week).days // 7 + 1)


def text_month_ordinals(texts) -> np.ndarray:
    """Month ordinals from ISO date texts or date objects (what a raw cursor returns)."""
    array = np.asarray([str(text) for text in texts] if not isinstance(texts, np.ndarray) else texts.astype(str))
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    return array.astype("U7").astype("datetime64[M]").astype(np.int64)
