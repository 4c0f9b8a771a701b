"""Use case: the adjustment KPIs of a date range."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from adjustment_svc.app.ports import KpiFigures, MemoTotals
from adjustment_svc.domain.kpis import AGE_BUCKETS, age_bucket, hours_between, percentile
from mediabill_common.money import round_money

# currency -> reason code -> {credited, debited}; reason code -> {credit, debit} memo counts
ValueByReason = dict[str, dict[str, dict[str, str]]]
MemosByReason = dict[str, dict[str, int]]


def _value_by_reason(totals: list[MemoTotals]) -> tuple[ValueByReason, MemosByReason]:
    values: ValueByReason = {}
    counts: MemosByReason = {}
    for t in totals:
        zero = format(round_money(Decimal(0), t.currency), "f")
        per_reason = values.setdefault(t.currency, {}).setdefault(
            t.reason_code, {"credited": zero, "debited": zero})
        per_reason["credited" if t.kind == "credit" else "debited"] = format(round_money(t.value, t.currency), "f")
        kinds = counts.setdefault(t.reason_code, {"credit": 0, "debit": 0})
        kinds[t.kind] += t.count
    return values, counts


async def adjustment_kpis(queries: KpiFigures, start_day: date, end_day: date, now: datetime) -> dict[str, Any]:
    """Credited/debited value by reason and currency, memos by reason, approval turnaround, auto-approved share
    (all for the days start_day..end_day inclusive), and the requests pending now by age."""
    start = datetime.combine(start_day, time.min, tzinfo=UTC)
    end = datetime.combine(end_day + timedelta(days=1), time.min, tzinfo=UTC)
    values, counts = _value_by_reason(await queries.memo_totals(start, end))
    decisions = await queries.decisions(start, end)
    hours = [hours_between((d.decided_at - d.requested_at).total_seconds()) for d in decisions]
    approved = [d for d in decisions if d.status == "approved"]
    auto = [d for d in approved if d.approval_level == "policy"]
    buckets = {name: 0 for name, _ in AGE_BUCKETS}
    for requested_at in await queries.pending_requested_at():
        buckets[age_bucket(now - requested_at)] += 1
    median, p90 = percentile(hours, 50), percentile(hours, 90)
    share = (Decimal(len(auto)) / Decimal(len(approved))).quantize(Decimal("0.0001")) if approved else None
    return {
        "from": start_day, "to": end_day,
        "value_by_reason": values, "memos_by_reason": counts,
        "approval_turnaround_hours": {"decisions": len(decisions),
                                      "median": None if median is None else format(median, "f"),
                                      "p90": None if p90 is None else format(p90, "f")},
        "approved": len(approved), "auto_approved": len(auto),
        "auto_approved_share": None if share is None else format(share, "f"),
        "pending_by_age": buckets,
    }
