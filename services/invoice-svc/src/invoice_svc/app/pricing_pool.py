"""Bill-run pricing on more than one core: a pool of pricing processes the worker role owns.

Pricing is pure Python (the engine of domain/pricing) and most of a bill run's CPU. In a thread of the worker it
shares one interpreter with the event loop that reads and writes the chunks: each waits for the other's turn with
the interpreter, and the second core is left to PostgreSQL alone. In processes of its own a chunk is priced while
the worker reads the next chunks and writes the previous one, and with more than one process several chunks are
priced at once. A chunk goes to a process as one task: its groups' inputs there, and back only what pricing adds
(`Pricing`: the draft, the terms, the problems), which the worker joins to the inputs it kept.

With `processes=0` pricing runs in a thread of the worker, as it did before the pool (tests, small machines).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler
from types import MappingProxyType
from typing import Any

from invoice_svc.app.bill_run_pricing import (
    ChunkInputs,
    GroupToPrice,
    PricedChunk,
    Pricing,
    RunScope,
    assemble_chunk,
    price_chunk,
    price_groups,
)
from invoice_svc.app.stored import NewException
from invoice_svc.domain.pricing import DraftInvoice


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


# The engine's inputs keep read-only mappings (tax rates, what a period billed); pickle has no reduction for them.
ForkingPickler.register(MappingProxyType, lambda proxy: (_mapping_proxy, (dict(proxy),)))
# A draft travels as what it is made of: its totals (five `Money`, whose slotted pickling is slow) are sums of its
# lines, computed again on arrival exactly as the engine computed them.
ForkingPickler.register(DraftInvoice, lambda draft: (DraftInvoice, (draft.currency, draft.lines, draft.exceptions)))


class PricingPool:
    """Prices bill-run chunks in `processes` processes (0: in a thread of this process)."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None

    @property
    def parallel(self) -> int:
        """How many chunks are worth pricing at once."""
        return max(self.processes, 1)

    async def price(self, scope: RunScope, inputs: ChunkInputs) -> PricedChunk:
        if not self.processes:
            return await asyncio.to_thread(price_chunk, scope, inputs)
        pool = self._started()
        try:
            results = await asyncio.get_running_loop().run_in_executor(
                pool, _price_in_process, scope, [g.to_price() for g in inputs.groups])
        except BrokenProcessPool:
            # A pricing process died (killed, out of memory): the run fails like any other error, and the next
            # one starts a fresh pool.
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        return assemble_chunk(inputs, results)

    def _started(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: the worker has an event loop, connections and threads a forked child must not share.
            self._pool = ProcessPoolExecutor(max_workers=self.processes,
                                             mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_pricing_process)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _price_in_process(scope: RunScope, groups: Sequence[GroupToPrice]) -> list[Pricing | NewException]:
    return price_groups(scope, groups)


def _start_pricing_process() -> None:
    """A pricing process allocates like the worker (tuned the same way) and exits when the worker is gone: a
    SIGKILLed worker cannot shut its pool down, and the pool's queue would keep an orphan waiting forever."""
    from mediabill_common.process import tune_gc_for_throughput

    tune_gc_for_throughput()
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with, args=(parent.sentinel,), name="exit-with-worker", daemon=True).start()


def _exit_with(sentinel: int) -> None:
    wait([sentinel])
    os._exit(0)
