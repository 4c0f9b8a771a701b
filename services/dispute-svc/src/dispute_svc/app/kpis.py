"""Dispute KPIs over a window of dates: the figures leadership asks for on dispute trends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dispute_svc.app.ports import DisputeStore
from dispute_svc.domain.kpis import hours, median, percentile, share
from dispute_svc.domain.sla import AGE_BUCKETS, age, age_bucket


def _value_by(rows: list[tuple[str, str, Decimal, int]], key_name: str) -> list[dict[str, Any]]:
    return [{key_name: key, "currency": currency, "amount": format(amount, "f"), "disputes": count}
            for key, currency, amount, count in sorted(rows)]


def _turnaround(resolved: list[tuple[datetime, datetime, datetime]]) -> dict[str, Any]:
    durations = [hours(Decimal(str((resolved_at - opened_at).total_seconds())))
                 for opened_at, resolved_at, _due in resolved]
    return {"unit": "hours", "resolved": len(durations), "median": median(durations),
            "p90": percentile(durations, 90),
            "definition": "resolved_at - opened_at of disputes resolved in the window; median, and p90 by "
                          "nearest rank"}


async def dispute_kpis(repo: DisputeStore, date_from: date, date_to: date, now: datetime,
                       bill_to_account_id: str | None = None) -> dict[str, Any]:
    """Aggregated in SQL: the cost does not grow with the number of disputes, only the turnaround reads one row
    per dispute resolved in the window and the ageing one timestamp per active dispute."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    issued, disputed = await repo.dispute_rate(date_from, date_to, bill_to_account_id)
    resolved = await repo.resolved_times(start, end, bill_to_account_id)
    within = [r for r in resolved if r[1] <= r[2]]
    buckets = dict.fromkeys(AGE_BUCKETS, 0)
    for opened_at in await repo.active_opened_at(bill_to_account_id):
        buckets[age_bucket(age(opened_at, None, now))] += 1
    return {
        "from": date_from, "to": date_to, "bill_to_account_id": bill_to_account_id, "as_of": now,
        "dispute_rate": {"disputed_invoices": disputed, "issued_invoices": issued, "rate": share(disputed, issued),
                         "definition": "invoices issued in the window with at least one dispute / invoices "
                                       "issued in the window"},
        "disputes_opened": await repo.opened_count(start, end, bill_to_account_id),
        "turnaround": _turnaround(resolved),
        "resolved_within_sla": {"resolved": len(resolved), "within_sla": len(within),
                                "share": share(len(within), len(resolved))},
        "open_by_age_bucket": buckets,
        "disputed_value_by_reason_code": _value_by(
            await repo.disputed_value(start, end, bill_to_account_id, "reason_code"), "reason_code"),
        "disputed_value_by_product": _value_by(
            await repo.disputed_value(start, end, bill_to_account_id, "product_code"), "product_code"),
    }
