"""Clocks: the wall clock in UTC (production), and a clock held at one instant (tests, and the demo clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class FixedClock:
    """Always the same instant: a test holding time still, or one request on the demo clock (settings.demo_clock)."""

    at: datetime

    def now(self) -> datetime:
        return self.at
