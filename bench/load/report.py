"""The benchmark's result table and verdict, from a snapshot of locust's statistics."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def rps(self, window_s: float) -> float:
        return self.requests / window_s if window_s else 0.0

    @property
    def error_pct(self) -> float:
        return 100.0 * self.failures / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class Target:
    rps: float
    p99_ms: float
    error_pct: float = 0.0


def snapshot(stats) -> tuple[list[Row], Row, list[str]]:
    """Per-endpoint rows (sorted by name), the total row, and the distinct errors with their counts."""

    def row(name: str, entry) -> Row:
        return Row(name, entry.num_requests, entry.num_failures, _pct(entry, 0.5), _pct(entry, 0.99),
                   entry.max_response_time or 0.0)  # milliseconds, from locust

    rows = sorted((row(entry.name, entry) for entry in stats.entries.values()), key=lambda r: r.name)
    errors = [f"{e.occurrences:>6} x {e.method} {e.name}: {str(e.error)[:160]}"
              for e in sorted(stats.errors.values(), key=lambda e: -e.occurrences)]
    return rows, row("TOTAL", stats.total), errors


def _pct(entry, q: float) -> float:
    return float(entry.get_response_time_percentile(q) or 0) if entry.num_requests else 0.0


def table(rows: list[Row], total: Row, window_s: float) -> str:
    width = max([len(r.name) for r in rows] + [len("endpoint")])
    head = (f"{'endpoint':<{width}} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
            f"{'errors %':>8}")
    lines = [head, "-" * len(head)]
    for r in [*rows, None, total]:
        if r is None:
            lines.append("-" * len(head))
            continue
        lines.append(f"{r.name:<{width}} {r.requests:>8} {r.rps(window_s):>7.1f} {r.p50_ms:>7.0f} {r.p99_ms:>7.0f} "
                     f"{r.max_ms:>7.0f} {r.error_pct:>8.2f}")
    return "\n".join(lines)


def verdict(total: Row, window_s: float, target: Target) -> tuple[bool, list[str]]:
    """PASS when the total throughput, p99 and error rate all meet the target; the reasons when not."""
    misses = []
    if total.rps(window_s) < target.rps:
        misses.append(f"throughput {total.rps(window_s):.1f} req/s < {target.rps:.0f}")
    if total.p99_ms >= target.p99_ms:
        misses.append(f"p99 {total.p99_ms:.0f} ms >= {target.p99_ms:.0f} ms")
    if total.failures > 0:
        misses.append(f"{total.failures} errors ({total.error_pct:.2f}%)")
    return not misses, misses
