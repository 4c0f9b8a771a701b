"""`python -m invoice_svc worker`: executes the bill runs and assurance runs the API queues, sweeps parked balance
events, renders and stores the documents of the invoices the runs issued, and runs the daily jobs
(`daily_schedule`).

Bill runs are CPU- and database-heavy for minutes; in a process of their own (at background priority in the stack)
they leave the API's event loop and cores to the people using it. Any number of workers may run: they share the
queue (FOR UPDATE SKIP LOCKED) and take over a run whose worker stopped beating its heart. Two workers may draw the
same document at once; rendering is deterministic and the first stored wins, so the document is the same either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, date, datetime

from invoice_svc.adapters.invoice_document import render_invoice_pdf
from invoice_svc.adapters.source_reconciliation_repository import SourceReconciliationQueries
from invoice_svc.app.cutover import CutoverCheck, check_cutovers
from invoice_svc.app.documents import store_issued_documents
from invoice_svc.app.missing_billing_source import MissingDaysCheck, check_missing_billing_source_days
from invoice_svc.app.pricing_pool import PricingPool
from invoice_svc.context import InvoiceContext
from invoice_svc.entrypoints.assurance_executor import AssuranceExecutor, queue_scheduled_run
from invoice_svc.entrypoints.bill_run_executor import BillRunExecutor
from invoice_svc.entrypoints.daily_schedule import DailySchedule

log = logging.getLogger(__name__)
# Documents stored per transaction, and the wait when every issued invoice has its document.
DOCUMENT_BATCH = 20
DOCUMENT_POLL_S = 2.0


def bill_run_executor(ctx: InvoiceContext, pricing: PricingPool | None = None) -> BillRunExecutor:
    return BillRunExecutor(ctx, units=ctx.deps.units,
                           pricing=pricing or PricingPool(ctx.settings.bill_run_pricing_processes))


async def store_documents_once(ctx: InvoiceContext, limit: int = DOCUMENT_BATCH) -> int:
    """One batch of issued invoices' documents rendered and stored; how many."""
    seller = ctx.settings.seller()
    async with ctx.sessions() as session, session.begin():
        return await store_issued_documents(ctx.deps.units.over(session),
                                            lambda view: render_invoice_pdf(view, seller), limit)


async def _store_documents(ctx: InvoiceContext, stop: asyncio.Event) -> None:
    while not stop.is_set():
        stored = 0
        try:
            stored = await store_documents_once(ctx)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("storing issued invoices' documents failed")
        if not stored:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=DOCUMENT_POLL_S)


def daily_schedule(ctx: InvoiceContext) -> DailySchedule:
    """The worker's daily jobs: register one here with `schedule.add(name, at, run)` (run(day) is awaited once a
    day, in one worker replica)."""
    schedule = DailySchedule(ctx, poll_s=ctx.settings.daily_schedule_poll_s)
    if ctx.settings.assurance_schedule_enabled:
        schedule.add("assurance", ctx.settings.assurance_schedule_at, lambda day: queue_scheduled_run(ctx, day))
    if ctx.settings.cutover_check_enabled:
        schedule.add("cutover_readiness", ctx.settings.cutover_check_at, lambda day: check_cutovers_once(ctx, day))
        schedule.add("missing_billing_source_days", ctx.settings.cutover_check_at,
                     lambda day: check_missing_days_once(ctx, day))
    return schedule


async def check_missing_days_once(ctx: InvoiceContext, day: date) -> MissingDaysCheck:
    """The daily check of service days only a shadow source reported (oversight.md O1), in one transaction."""
    async with ctx.sessions() as session, session.begin():
        return await check_missing_billing_source_days(ctx.deps.units.over(session),
                                                       SourceReconciliationQueries(session), day)


async def check_cutovers_once(ctx: InvoiceContext, day: date) -> CutoverCheck:
    """The daily cutover check (oversight.md O1) of `day`, in one transaction."""
    settings = ctx.settings
    async with ctx.sessions() as session, session.begin():
        return await check_cutovers(ctx.deps.units.over(session), SourceReconciliationQueries(session), day,
                                    window_days=settings.cutover_readiness_days,
                                    tolerance_pct=settings.cutover_tolerance_pct, now=datetime.now(UTC))


async def run_worker(ctx: InvoiceContext, stop: asyncio.Event) -> None:
    """Execute bill runs, store issued invoices' documents and run the daily jobs until `stop` (the caller closes
    the context). The bill runs' pricing processes live as long as this worker (started at the first run)."""
    pricing = PricingPool(ctx.settings.bill_run_pricing_processes)
    try:
        await asyncio.gather(bill_run_executor(ctx, pricing).run(stop), _store_documents(ctx, stop),
                             AssuranceExecutor(ctx).run(stop), daily_schedule(ctx).run(stop))
    finally:
        await asyncio.to_thread(pricing.close)
