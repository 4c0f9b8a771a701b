"""A bill-run chunk read and priced in one of the worker's pricing processes (app/pricing_pool.py).

The process reads the chunk itself, over database connections of its own, so only the chunk's groups go to it and
only what the write needs comes back: the worker's event loop keeps the writes (in chunk order) and nothing of the
reads, and the chunk's ledger rows, party states and drafts' inputs are never pickled. Each process keeps one event
loop and one service context for the database it was asked about.
"""

from __future__ import annotations

import asyncio
import atexit
from collections.abc import Sequence
from dataclasses import replace

from invoice_svc.app.bill_run_pricing import ChunkInputs, PricedChunk, RunScope, price_chunk, read_chunk
from invoice_svc.app.stored import GroupSeed
from invoice_svc.context import InvoiceContext
from invoice_svc.settings import Settings

_CONTEXTS: dict[str, tuple[asyncio.AbstractEventLoop, InvoiceContext]] = {}


def read_and_price(settings: Settings, scope: RunScope, seeds: Sequence[GroupSeed]) -> tuple[ChunkInputs, PricedChunk]:
    """Read the chunk of `seeds` and price it (in a pricing process): the chunk's counts and its priced groups as
    the write takes them (`ChunkInputs` without the groups' inputs)."""
    loop, ctx = _context(settings)
    inputs = loop.run_until_complete(_read(ctx, scope, seeds))
    priced = price_chunk(scope, inputs)
    return ChunkInputs([], [], inputs.skipped_mine, inputs.skipped_issued), _as_written(priced)


def _context(settings: Settings) -> tuple[asyncio.AbstractEventLoop, InvoiceContext]:
    from invoice_svc.bootstrap import build

    key = str(settings.database_url)
    found = _CONTEXTS.get(key)
    if found is None:
        if not _CONTEXTS:
            atexit.register(_close_all)
        found = _CONTEXTS[key] = (asyncio.new_event_loop(), build(settings))
    return found


def _close_all() -> None:
    """Close the connections when the pool shuts the process down (a killed worker's process just exits)."""
    for loop, ctx in _CONTEXTS.values():
        loop.run_until_complete(ctx.close())
        loop.close()
    _CONTEXTS.clear()


async def _read(ctx: InvoiceContext, scope: RunScope, seeds: Sequence[GroupSeed]) -> ChunkInputs:
    async with ctx.sessions() as session:
        return await read_chunk(ctx.deps.units.over(session), scope, seeds)


def _as_written(priced: PricedChunk) -> PricedChunk:
    """The priced groups with what the write reads of their contract (its names for the invoice document), not the
    contract's stored state, about a kilobyte a group that would otherwise travel back."""
    return replace(priced, groups=[g if g.contract is None else replace(g, contract=g.contract.named_only())
                                   for g in priced.groups])
