"""Where the service phase's wall time goes: wall-clock totals per stage of the batch transaction.

Wraps the stages the batch handler calls (by module attribute, so nothing in the service changes) and the
runner's inbox claim and transaction; prints seconds and share of the phase per stage.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections import defaultdict

from invoice_svc.adapters.config_repository import ConfigRepository
from invoice_svc.adapters.ledger_repository import LedgerRepository
from mediabill_common.consumer import decode as decode_module
from mediabill_common.consumer import runner as runner_module

# The module, not the handler it defines (app.handlers re-exports the function under the module's name).
record_deliveries = importlib.import_module("invoice_svc.app.handlers.when_campaign_delivered_record_in_ledger")
totals: dict[str, float] = defaultdict(float)


counts: dict[str, int] = defaultdict(int)


def _timed_async(name: str, fn):
    @functools.wraps(fn)
    async def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await fn(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - started
            counts[name] += 1
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


class _TimedBegin:
    """`sessions.begin()` whose exit (the COMMIT) is timed."""

    def __init__(self, inner) -> None:
        self._inner = inner

    async def __aenter__(self):
        return await self._inner.__aenter__()

    async def __aexit__(self, *exc):
        started = time.perf_counter()
        try:
            return await self._inner.__aexit__(*exc)
        finally:
            totals["runner: COMMIT"] += time.perf_counter() - started


class _timed_sessions:  # noqa: N801 - stands in for an async_sessionmaker
    def __init__(self, sessions) -> None:
        self._sessions = sessions

    def begin(self):
        return _TimedBegin(self._sessions.begin())

    def __call__(self, *args, **kwargs):
        return self._sessions(*args, **kwargs)


def install(runners) -> None:
    """Time the stages of `runners` (summed over them) and of the CampaignDelivered batch handler."""
    for runner in runners:
        runner._inbox.claim = _timed_async("runner: inbox claim (INSERT .. ON CONFLICT)", runner._inbox.claim)
        runner._apply = _timed_async("runner: whole DB transaction incl. commit", runner._apply)
        runner._sessions = _timed_sessions(runner._sessions)
    runner_module.decode = _timed("runner: decode + schema validation", decode_module.decode)
    LedgerRepository.record_batch = _timed_async(  # type: ignore[method-assign]
        "handler: ledger write (revisions + current, 1 stmt)", LedgerRepository.record_batch)
    record_deliveries.distinct_revisions = _timed("handler: row building (distinct revisions)",
                                                  record_deliveries.distinct_revisions)
    ConfigRepository.lock_shared = _timed_async(  # type: ignore[method-assign]
        "handler: shared config locks", ConfigRepository.lock_shared)
    record_deliveries.sync_delivery_exceptions = _timed_async(
        "handler: exceptions (raise/resolve + outbox)", record_deliveries.sync_delivery_exceptions)
    record_deliveries.check_billability = _timed("handler: billability checks (pure)",
                                                 record_deliveries.check_billability)


def report(phase_s: float) -> None:
    print(f"time breakdown of the service phase ({phase_s:.1f}s wall; each stage summed over the runners, whose "
          "stages overlap: with two runners the shares add up past 100%):")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<48} {seconds:7.2f}s  {100 * seconds / phase_s:5.1f}%")
    transactions = counts["runner: whole DB transaction incl. commit"]
    print(f"  ({transactions:,} batch transactions)")
