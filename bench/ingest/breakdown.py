"""Where the service phase's wall time goes: wall-clock totals per stage of the batch transaction.

Wraps the stages the batch handler calls (by module attribute, so nothing in the service changes) and the
runner's inbox claim and transaction; prints seconds and share of the phase per stage.
"""

from __future__ import annotations

import functools
import time
from collections import defaultdict

from mediabill_common.consumer import decode as decode_module
from mediabill_common.consumer import runner as runner_module

from invoice_svc.adapters import config_repository, ledger_repository
from invoice_svc.app import record_deliveries

totals: dict[str, float] = defaultdict(float)


def _timed_async(name: str, fn):
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - started
    return wrapper


def _timed(name: str, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - started
    return wrapper


def install(runner) -> None:
    """Time the stages of `runner` and of the CampaignDelivered batch handler."""
    runner._claim = _timed_async("runner: inbox claim (INSERT .. ON CONFLICT)", runner._claim)  # noqa: SLF001
    runner._apply = _timed_async("runner: whole DB transaction incl. commit", runner._apply)  # noqa: SLF001
    runner_module.decode = _timed("runner: decode + schema validation", decode_module.decode)
    ledger_repository_calls = {
        "record_revisions": "handler: INSERT delivery_revisions", "apply_current": "handler: UPSERT deliveries"}
    for attr, label in ledger_repository_calls.items():
        setattr(record_deliveries.ledger, attr, _timed_async(label, getattr(ledger_repository, attr)))
    record_deliveries.lock_config_shared = _timed_async("handler: shared config locks",
                                                        config_repository.lock_config_shared)
    record_deliveries.sync_delivery_exceptions = _timed_async(
        "handler: exceptions (raise/resolve + outbox)", record_deliveries.sync_delivery_exceptions)
    record_deliveries.check_billability = _timed("handler: billability checks (pure)",
                                                 record_deliveries.check_billability)


def report(phase_s: float) -> None:
    print(f"time breakdown of the service phase ({phase_s:.1f}s wall):")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<48} {seconds:7.2f}s  {100 * seconds / phase_s:5.1f}%")
