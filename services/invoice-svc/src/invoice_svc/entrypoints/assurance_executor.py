"""The assurance-run executor: runs queued assurance runs in the worker processes (`python -m invoice_svc worker`),
never in the API.

It claims a queued run -- or one whose executor stopped beating its heart -- with FOR UPDATE SKIP LOCKED and works
through the issued invoices of the run's periods in invoice-id order, a chunk at a time: read outside any write
transaction, re-price in a worker thread (pure), then record the findings and the run's progress (counts, values
per currency, the last invoice checked) in one transaction. A run taken over resumes after the last invoice whose
findings were recorded, with the counts recorded so far, so every invoice is counted once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from invoice_svc.app.assurance_pricing import check_invoice, period_scope, read_invoices
from invoice_svc.app.assurance_runs import FindingsOutcome, record_findings, request_assurance_run
from invoice_svc.app.assurance_stored import AssuranceRun, CheckedInvoice
from invoice_svc.app.bill_run_pricing import RunScope
from invoice_svc.app.ports import LostClaim
from invoice_svc.context import InvoiceContext
from invoice_svc.domain.assurance.runs import scheduled_periods
from mediabill_common.money import round_money

log = logging.getLogger(__name__)
MAX_LISTED_EXCEPTIONS = 1000
SCHEDULER = "assurance-schedule"


class _Progress:
    def __init__(self, run: AssuranceRun) -> None:
        self.after = run.after_invoice_id or ""
        self.counts: dict[str, int] = dict(run.counts)
        self.totals = {c: {k: Decimal(v) for k, v in per.items()} for c, per in run.totals.items()}
        self.exception_ids: list[str] = list(run.exception_ids)

    def add(self, out: FindingsOutcome, last: str) -> None:
        self.after = last
        for name, n in out.counts.items():
            self.counts[name] = self.counts.get(name, 0) + n
        for currency, per in out.totals.items():
            mine = self.totals.setdefault(currency, {})
            for name, amount in per.items():
                mine[name] = mine.get(name, Decimal(0)) + amount
        known = set(self.exception_ids)
        self.exception_ids.extend(i for i in out.exception_ids if i not in known)

    def totals_wire(self) -> dict[str, dict[str, str]]:
        return {c: {k: format(round_money(v, c), "f") for k, v in sorted(per.items())}
                for c, per in sorted(self.totals.items())}


class AssuranceExecutor:
    """Runs queued assurance runs; each worker process runs one at a time (entrypoints/worker.py)."""

    def __init__(self, ctx: InvoiceContext, *, executor_id: str | None = None) -> None:
        s = ctx.settings
        self.ctx = ctx
        self.units = ctx.deps.units
        self.executor_id = executor_id or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.chunk_size = s.assurance_chunk_size
        self.stale_after_s = s.bill_run_stale_after_s
        self.poll_s = s.bill_run_poll_s

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: execute claimable runs, else wait."""
        while not stop.is_set():
            worked = False
            try:
                worked = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("assurance executor iteration failed")
            if not worked:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_s)

    async def run_once(self) -> bool:
        """Claim and execute one run; False when there was none to claim."""
        async with self.ctx.sessions() as session, session.begin():
            run = await self.units.over(session).assurance.claim_next(self.executor_id, self.stale_after_s)
        if run is None:
            return False
        await self.execute(run)
        return True

    async def execute(self, run: AssuranceRun) -> None:
        try:
            await self._execute(run)
            status, error = "completed", None
        except LostClaim:
            log.warning("assurance run %s was taken over by another executor", run.run_id)
            return
        except asyncio.CancelledError:
            raise  # the run stays 'running'; its heartbeat goes stale and another executor resumes it
        except Exception as exc:
            log.exception("assurance run %s failed", run.run_id)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        async with self.ctx.sessions() as session, session.begin():
            await self.units.over(session).assurance.finish(run, status, error)

    async def _execute(self, run: AssuranceRun) -> None:
        progress = _Progress(run)
        async with self.ctx.sessions() as session, session.begin():
            assurance = self.units.over(session).assurance
            total = await assurance.count_issued(run.periods)
            await assurance.record_progress(run, invoices_total=total, after_invoice_id=progress.after or None,
                                            counts=progress.counts, totals=progress.totals_wire(),
                                            exception_ids=progress.exception_ids)
        scopes: dict[str, RunScope] = {}
        while True:
            async with self.ctx.sessions() as session:
                chunk = await self.units.over(session).assurance.issued_after(run.periods, progress.after,
                                                                              self.chunk_size)
            if not chunk:
                return
            checks = []
            for period in sorted({i.period for i in chunk}):
                checks.extend(await self._check(scopes, period, [i for i in chunk if i.period == period]))
            async with self.ctx.sessions() as session, session.begin():
                unit = self.units.over(session)
                progress.add(await record_findings(unit, checks), chunk[-1].invoice_id)
                await unit.assurance.record_progress(
                    run, invoices_total=None, after_invoice_id=progress.after, counts=progress.counts,
                    totals=progress.totals_wire(), exception_ids=progress.exception_ids[:MAX_LISTED_EXCEPTIONS])

    async def _check(self, scopes: dict[str, RunScope], period: str, invoices: list[CheckedInvoice]) -> list:
        now = datetime.now(UTC)
        async with self.ctx.sessions() as session, session.begin():
            unit = self.units.over(session)
            if period not in scopes:
                scopes[period] = await period_scope(unit, period, now)
            inputs = await read_invoices(unit, scopes[period], invoices, now)
        scope = scopes[period]
        return await asyncio.to_thread(lambda: [check_invoice(scope, g) for g in inputs])


async def queue_scheduled_run(ctx: InvoiceContext, day: date) -> AssuranceRun:
    """The daily schedule's job: queue an assurance run over the day's month and the months before it
    (ASSURANCE_SCHEDULE_MONTHS); a worker executes it like any other."""
    async with ctx.sessions() as session, session.begin():
        return await request_assurance_run(ctx.deps.units.over(session),
                                           periods=scheduled_periods(day, ctx.settings.assurance_schedule_months),
                                           actor=SCHEDULER, today=day)
