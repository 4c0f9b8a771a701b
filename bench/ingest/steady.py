"""The steady rate of a phase: events per second between the moments it had applied a tenth and nine tenths of its
events. The whole-run rate counts the start-up as well (connections, the consumer group's join and, with several
members, the rebalances while the others join: seconds, which in a run of 200,000 events is a large share); a
consumer that runs for days pays that once."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SteadyRate:
    total: int
    _first: tuple[float, int] | None = field(default=None, init=False)
    _last: tuple[float, int] | None = field(default=None, init=False)

    def observe(self, now: float, done: int) -> None:
        """`done` of `total` events applied at `now` (seconds on any one clock)."""
        if self._first is None and done >= self.total / 10:
            self._first = (now, done)
        if self._last is None and done >= self.total * 9 / 10:
            self._last = (now, done)

    @property
    def per_s(self) -> float | None:
        """Events per second from the first observation past a tenth to the first past nine tenths (None until
        both were seen)."""
        if self._first is None or self._last is None or self._last[0] <= self._first[0]:
            return None
        return (self._last[1] - self._first[1]) / (self._last[0] - self._first[0])
