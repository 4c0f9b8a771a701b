"""`python -m invoice_svc worker`: executes the bill runs the API queues, and sweeps parked balance events.

Bill runs are CPU- and database-heavy for minutes; in a process of their own (at background priority in the stack)
they leave the API's event loop and cores to the people using it. Any number of workers may run: they share the
queue (FOR UPDATE SKIP LOCKED) and take over a run whose worker stopped beating its heart.
"""

from __future__ import annotations

import asyncio

from invoice_svc.context import InvoiceContext
from invoice_svc.entrypoints.bill_run_executor import BillRunExecutor


def bill_run_executor(ctx: InvoiceContext) -> BillRunExecutor:
    return BillRunExecutor(ctx, units=ctx.deps.units)


async def run_worker(ctx: InvoiceContext, stop: asyncio.Event) -> None:
    """Execute bill runs until `stop` (the caller closes the context)."""
    await bill_run_executor(ctx).run(stop)
