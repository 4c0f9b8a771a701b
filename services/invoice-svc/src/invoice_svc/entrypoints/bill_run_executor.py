"""The bill-run executor: runs queued bill runs in the worker processes (`python -m invoice_svc worker`).

It claims a queued run -- or one whose executor stopped beating its heart -- with FOR UPDATE SKIP LOCKED, fixes the
run's snapshot once (rule 1), and works through the run's groups chunk by chunk: read and price set-based outside
any write lock, then write the chunk and its progress in one transaction. A run killed half-way and picked up
again skips what it already wrote; groups issued by a concurrent run are skipped too. Like the consumer's runner, it
owns the transactions; the use cases it calls (app/bill_run_pricing.py, app/bill_run_writing.py) never commit.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import uuid
from collections import deque
from dataclasses import replace
from decimal import Decimal
from typing import Any

from invoice_svc.adapters.unit import SqlUnits
from invoice_svc.app.balances import sweep_parked
from invoice_svc.app.bill_run_pricing import (
    ChunkInputs,
    PricedChunk,
    RunScope,
    read_chunk,
    run_scope,
)
from invoice_svc.app.bill_run_writing import write_chunk
from invoice_svc.app.ports import LostClaim
from invoice_svc.app.pricing_pool import PricingPool
from invoice_svc.app.stored import BillRun, GroupSeed
from invoice_svc.domain.billing.grouping import chunks, in_scope
from invoice_svc.entrypoints.pricing_process import read_and_price
from invoice_svc.settings import Settings
from mediabill_common.money import round_money
from mediabill_common.service import ServiceContext

log = logging.getLogger(__name__)
MAX_LISTED_EXCEPTIONS = 1000


class _Progress:
    def __init__(self, run: BillRun) -> None:
        self.done = run.groups_done
        self.counts: dict[str, int] = dict(run.counts)
        self.totals = {c: Decimal(v) for c, v in run.totals.items()}
        self.exception_ids: list[str] = list(run.exception_ids)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def as_params(self) -> dict[str, Any]:
        return {"groups_done": self.done, "counts": self.counts,
                "totals": {c: format(round_money(v, c), "f") for c, v in sorted(self.totals.items())},
                "exception_ids": self.exception_ids[:MAX_LISTED_EXCEPTIONS]}


class BillRunExecutor:
    """Runs queued bill runs; each worker process runs one (entrypoints/worker.py)."""

    def __init__(self, ctx: ServiceContext[Settings, Any], *, executor_id: str | None = None,
                 units: SqlUnits | None = None, pricing: PricingPool | None = None) -> None:
        """`pricing`: the worker's pool of pricing processes (entrypoints/worker.py owns and closes it); without
        one, chunks are priced in a thread of this process."""
        s = ctx.settings
        self.ctx = ctx
        self.executor_id = executor_id or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.chunk_size = s.bill_run_chunk_size
        self.read_ahead = s.bill_run_read_ahead
        self.stale_after_s = s.bill_run_stale_after_s
        self.poll_s = s.bill_run_poll_s
        self.sweep_every_s = s.parked_sweep_interval_s
        self.unknown_invoice_after_s = s.unknown_invoice_after_s
        self.units = units or SqlUnits(ctx)
        self.pricing = pricing or PricingPool(0)
        self.seller = s.seller().as_record()
        self.wakeup = asyncio.Event()
        self._last_sweep = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: execute claimable runs, sweep parked balance events now and then, else wait."""
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            worked = False
            try:
                worked = await self.run_once()
                if loop.time() - self._last_sweep >= self.sweep_every_s:
                    self._last_sweep = loop.time()
                    await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("bill-run executor iteration failed")
            if not worked:
                self.wakeup.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wakeup.wait())]
                await asyncio.wait(waiters, timeout=self.poll_s, return_when=asyncio.FIRST_COMPLETED)
                for w in waiters:
                    w.cancel()

    async def run_once(self) -> bool:
        """Claim and execute one run; False when there was none to claim."""
        async with self.ctx.sessions() as session, session.begin():
            run = await self.units.over(session).bill_runs.claim_next(self.executor_id, self.stale_after_s)
        if run is None:
            return False
        await self.execute(run)
        return True

    async def sweep(self) -> int:
        async with self.ctx.sessions() as session, session.begin():
            return await sweep_parked(self.units.over(session), unknown_after_s=self.unknown_invoice_after_s)

    async def execute(self, run: BillRun) -> None:
        try:
            await self._execute(run)
            status, error = "completed", None
        except LostClaim:
            log.warning("bill run %s was taken over by another executor", run.run_id)
            return
        except asyncio.CancelledError:
            raise  # a killed executor leaves the run 'running'; its heartbeat goes stale and another takes it
        except Exception as exc:
            log.exception("bill run %s failed", run.run_id)
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        async with self.ctx.sessions() as session, session.begin():
            await self.units.over(session).bill_runs.finish(run, status, error)

    async def _execute(self, run: BillRun) -> None:
        async with self.ctx.sessions() as session, session.begin():
            snap = await self.units.over(session).bill_runs.fix_snapshot(run.run_id)
        async with self.ctx.sessions() as session:
            unit = self.units.over(session)
            scope = replace(await run_scope(unit, run, snap), seller=self.seller)
            seeds = await unit.snapshot.run_groups(scope.period, scope.start, scope.end, snap)
        wanted = {s.key: s for s in seeds}
        keys = in_scope(wanted, run.bill_to_account_ids)
        progress = _Progress(run)
        async with self.ctx.sessions() as session, session.begin():
            await self.units.over(session).bill_runs.record_progress(run, groups_total=len(keys),
                                                                     **progress.as_params())
        await self._pipeline(run, scope, [[wanted[k] for k in c] for c in chunks(keys, self.chunk_size)], progress)

    async def _pipeline(self, run: BillRun, scope: RunScope, work: list[list[GroupSeed]],
                        progress: _Progress) -> None:
        """Each chunk is read, then priced (pure Python, in the pricing pool: as many chunks at once as it has
        processes, each of which reads its chunk too), while up to `read_ahead` chunks are read and the previous one
        written, so the database and the interpreters work at the same time; writes stay in chunk order. Reads take
        no lock (the write re-checks under the period lock), so reading ahead is safe; more than one read keeps the
        database busy while the chunks are priced."""
        pending: list[asyncio.Task] = []
        prepared: deque[asyncio.Task] = deque()  # chunks first, first + 1, ... read and priced, in order
        reading, pricing = asyncio.Semaphore(self.read_ahead), asyncio.Semaphore(self.pricing.parallel)
        ahead = self.read_ahead + self.pricing.parallel

        async def prepare(seeds: list[GroupSeed]) -> tuple[ChunkInputs, PricedChunk]:
            if self.pricing.processes:
                async with pricing:  # a pricing process reads the chunk too (entrypoints/pricing_process.py)
                    return await self.pricing.in_process(read_and_price, self.ctx.settings, scope, seeds)
            async with reading:
                inputs = await self._read(scope, seeds)
            async with pricing:
                return inputs, await self.pricing.price(scope, inputs)

        try:
            writing: asyncio.Task | None = None
            for i in range(len(work)):
                while len(prepared) < ahead and i + len(prepared) < len(work):
                    prepared.append(self._spawn(pending, prepare(work[i + len(prepared)])))
                inputs, priced = await prepared.popleft()
                if writing is not None:
                    await writing
                writing = self._spawn(pending, self._write_chunk(run, scope, work[i], inputs, priced, progress))
            if writing is not None:
                await writing
        finally:
            for task in pending:
                task.cancel()

    @staticmethod
    def _spawn(pending: list[asyncio.Task], coro) -> asyncio.Task:
        pending[:] = [t for t in pending if not t.done()]
        task = asyncio.ensure_future(coro)
        pending.append(task)
        return task

    async def _read(self, scope: RunScope, seeds: list[GroupSeed]) -> ChunkInputs:
        async with self.ctx.sessions() as session:
            return await read_chunk(self.units.over(session), scope, seeds)

    async def _write_chunk(self, run: BillRun, scope: RunScope, seeds: list[GroupSeed], inputs: ChunkInputs,
                           priced: PricedChunk, progress: _Progress) -> None:
        """Write one chunk and the run's progress in one transaction (a retry of the run skips it after)."""
        async with self.ctx.sessions() as session, session.begin():
            unit = self.units.over(session)
            out = await write_chunk(unit, scope, priced.groups, priced.unpriceable)
            progress.done += len(seeds) - inputs.skipped_mine
            for name, n in (("invoices", out.invoices), ("lines", out.lines), ("blocked", out.blocked),
                            ("already_issued", out.already_issued + inputs.skipped_issued),
                            ("empty", priced.empty), ("unpriceable", len(priced.unpriceable)),
                            ("exceptions_raised", len(out.exception_ids))):
                progress.add(name, n)
            for currency, total in out.totals.items():
                progress.totals[currency] = progress.totals.get(currency, Decimal(0)) + total
            progress.exception_ids.extend(out.exception_ids)
            await unit.bill_runs.record_progress(run, **progress.as_params())
