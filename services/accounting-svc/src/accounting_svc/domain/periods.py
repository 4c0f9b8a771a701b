"""Periods (`YYYY-MM`) and the posting rules of close.md C6: which period a document posts to and on which date."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Collection
from datetime import date


def parse_period(period: str) -> tuple[int, int]:
    year, month = period.split("-")
    return int(year), int(month)


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def first_day(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, 1)


def last_day(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, monthrange(year, month)[1])


def next_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"


def posting_period(document_period: str, closed: Collection[str]) -> str:
    """The document's own period while it is open, otherwise the first open period after it (C6)."""
    period = document_period
    while period in closed:
        period = next_period(period)
    return period


def posting_date(document_date: date, period: str) -> date:
    """The document date when it falls inside the posting period; otherwise the period's last day for a document
    dated after it (a month billed during its own close) or its first day for one dated before it (a document of a
    closed period posted into the next open one) (C6)."""
    start, end = first_day(period), last_day(period)
    return min(max(document_date, start), end)
