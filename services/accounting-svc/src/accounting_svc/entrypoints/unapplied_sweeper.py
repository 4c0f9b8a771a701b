"""The API's background worker that posts payments past the wait to unapplied cash (app/unapplied_payments.py).

Several API processes may run it at once: each claims pending payments with SKIP LOCKED, so a payment posts once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from accounting_svc.app.unapplied_payments import post_unapplied_payments
from accounting_svc.context import AccountingContext
from accounting_svc.entrypoints.consumer import unit_in

log = logging.getLogger(__name__)


async def sweep_once(ctx: AccountingContext, now: datetime | None = None) -> int:
    received_before = (now or datetime.now(UTC)) - timedelta(seconds=ctx.settings.payment_apply_wait_s)
    async with ctx.sessions() as session, session.begin():
        return await post_unapplied_payments(unit_in(ctx, session), received_before=received_before)


async def sweep_unapplied_payments(ctx: AccountingContext, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            posted = await sweep_once(ctx)
            if posted:
                log.info("posted %d payments to unapplied cash", posted)
        except Exception:  # a database hiccup must not end the worker; the next round tries again
            log.exception("unapplied-payment sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=ctx.settings.unapplied_sweep_interval_s)
