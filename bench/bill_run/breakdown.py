"""Where a bill run's time goes: wall time spent in each step, by wrapping the functions it calls."""

from __future__ import annotations

import functools
import time
from collections import defaultdict

TIMES: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def _wrap(owner, name: str, label: str, is_async: bool) -> None:
    original = getattr(owner, name)

    if is_async:
        @functools.wraps(original)
        async def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                TIMES[label] += time.perf_counter() - started
                CALLS[label] += 1
    else:
        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                TIMES[label] += time.perf_counter() - started
                CALLS[label] += 1
    setattr(owner, name, timed)


def install() -> None:
    from invoice_svc.adapters.bill_run_snapshot_repository import SnapshotRepository
    from invoice_svc.adapters.config_repository import ConfigRepository
    from invoice_svc.adapters.invoice_repository import InvoiceRepository
    from invoice_svc.adapters.unit import SqlUnit
    from invoice_svc.app import bill_run_pricing, bill_run_writing
    from invoice_svc.app.pricing_pool import PricingPool
    from invoice_svc.entrypoints import bill_run_executor as bill_runs

    _wrap(SnapshotRepository, "run_groups", "find groups (SQL)", True)
    # A chunk's reads: in this process only with --pricing-processes 0 (a pricing process reads its own chunk).
    _wrap(SnapshotRepository, "aggregated_deliveries", "aggregate deliveries (SQL GROUP BY)", True)
    _wrap(SnapshotRepository, "billed_before", "billed before (SQL)", True)
    _wrap(SnapshotRepository, "changed_issued_periods", "rule-13 candidates (SQL)", True)
    _wrap(InvoiceRepository, "current_of_groups", "groups already billed (SQL)", True)
    _wrap(ConfigRepository, "load", "load products (SQL + pydantic)", True)
    _wrap(SnapshotRepository, "party_states", "accounts + contracts (SQL)", True)
    # In this process only with --pricing-processes 0 (a pricing process imports its own, unwrapped copy).
    _wrap(bill_run_pricing, "price_group", "price groups (pure engine, in this process)", False)
    _wrap(bill_run_writing, "_issued_event", "InvoiceIssued envelopes (validate)", False)
    _wrap(bill_run_writing, "_invoice_row", "invoice rows", False)
    _wrap(InvoiceRepository, "insert_invoices", "insert invoices + lines (SQL)", True)
    _wrap(SqlUnit, "publish_all", "outbox rows (SQL)", True)
    _wrap(InvoiceRepository, "delete_drafts", "delete replaced drafts (SQL)", True)
    _wrap(InvoiceRepository, "take_numbers", "number block (SQL)", True)
    _wrap(bill_run_writing, "raise_exceptions", "raise exceptions", True)
    _wrap(bill_runs, "read_chunk", "= read chunk (total, overlaps)", True)
    _wrap(PricingPool, "price", "= price chunk (total, in a thread)", True)
    _wrap(PricingPool, "in_process", "= read + price chunk (total, in a pricing process)", True)
    _wrap(bill_runs, "write_chunk", "= write chunk (total, overlaps)", True)


def report(wall: float) -> str:
    rows = sorted(TIMES.items(), key=lambda kv: -kv[1])
    out = [f"    {label:<40} {seconds:7.1f}s {100 * seconds / wall:5.1f}%  ({CALLS[label]} calls)"
           for label, seconds in rows]
    return "\n".join(out)


def reset() -> None:
    TIMES.clear()
    CALLS.clear()
