"""Dispute KPIs over a window of dates: the figures leadership asks for on dispute trends."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.adapters.dispute_repository import DisputeRepository
from dispute_svc.domain.kpis import hours, median, percentile, share
from dispute_svc.domain.model import Dispute
from dispute_svc.domain.sla import AGE_BUCKETS, age, age_bucket


def _value_by(disputes: list[Dispute], key) -> list[dict[str, Any]]:
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    counts: dict[tuple[str, str], set[str]] = defaultdict(set)
    for d in disputes:
        for line in d.lines:
            group = (key(d, line) or "unknown", d.currency)
            totals[group] += line.amount
            counts[group].add(d.dispute_id)
    return [{"key": k, "currency": c, "amount": format(v, "f"), "disputes": len(counts[(k, c)])}
            for (k, c), v in sorted(totals.items())]


def _turnaround(resolved: list[Dispute]) -> dict[str, Any]:
    durations = [hours(Decimal(str((d.resolved_at - d.opened_at).total_seconds()))) for d in resolved
                 if d.resolved_at is not None]
    return {"unit": "hours", "resolved": len(durations), "median": median(durations),
            "p90": percentile(durations, 90),
            "definition": "resolved_at - opened_at of disputes resolved in the window; median, and p90 by "
                          "nearest rank"}


async def dispute_kpis(session: AsyncSession, date_from: date, date_to: date, now: datetime,
                       bill_to_account_id: str | None = None) -> dict[str, Any]:
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    repo = DisputeRepository(session)
    issued, disputed = await repo.dispute_rate(date_from, date_to, bill_to_account_id)
    seen = await repo.for_kpis(start, end, bill_to_account_id)
    opened = [d for d in seen if start <= d.opened_at < end]
    resolved = [d for d in seen
                if d.status == "resolved" and d.resolved_at is not None and start <= d.resolved_at < end]
    within = [d for d in resolved if d.resolved_at and d.resolved_at <= d.resolution_due_at]
    buckets = dict.fromkeys(AGE_BUCKETS, 0)
    for d in seen:
        if d.status in ("open", "in_review"):
            buckets[age_bucket(age(d.opened_at, None, now))] += 1
    rate = share(disputed, issued)
    return {
        "from": date_from, "to": date_to, "bill_to_account_id": bill_to_account_id, "as_of": now,
        "dispute_rate": {"disputed_invoices": disputed, "issued_invoices": issued, "rate": rate,
                         "definition": "invoices issued in the window with at least one dispute / invoices "
                                       "issued in the window"},
        "disputes_opened": len(opened),
        "turnaround": _turnaround(resolved),
        "resolved_within_sla": {"resolved": len(resolved), "within_sla": len(within),
                                "share": share(len(within), len(resolved))},
        "open_by_age_bucket": buckets,
        "disputed_value_by_reason_code": [
            {"reason_code": r.pop("key"), **r} for r in _value_by(opened, lambda d, ln: d.reason_code)],
        "disputed_value_by_product": [
            {"product_code": r.pop("key"), **r} for r in _value_by(opened, lambda d, ln: ln.product_code)],
    }
