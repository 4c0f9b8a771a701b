"""Bill-run pricing on more than one core: a pool of pricing processes the worker role owns.

Pricing is pure Python (the engine of domain/pricing) and most of a bill run's CPU. In a thread of the worker it
shares one interpreter with the event loop that reads and writes the chunks: each waits for the other's turn with
the interpreter, and the second core is left to PostgreSQL alone. In processes of its own a chunk is read and priced
while the worker writes the previous ones, and with more than one process several chunks at once. A chunk goes to a
process as one task (`in_process`, with entrypoints/pricing_process.py's `read_and_price`): the process reads the
chunk over its own connections and sends back only what the write needs.

With `processes=0` pricing runs in a thread of the worker (`price`), as it did before the pool (small machines).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import wait
from multiprocessing.reduction import ForkingPickler
from types import MappingProxyType
from typing import Any, TypeVar

from invoice_svc.app.bill_run_pricing import ChunkInputs, PricedChunk, RunScope, price_chunk
from invoice_svc.domain.pricing import DraftInvoice

T = TypeVar("T")


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
        """Price a chunk read by this process, in a thread of it (`processes=0`)."""
        return await asyncio.to_thread(price_chunk, scope, inputs)

    async def in_process(self, task: Callable[..., T], *args: Any) -> T:
        """`task(*args)` in one of the pool's processes (`processes` > 0)."""
        pool = self._started()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, task, *args)
        except BrokenProcessPool:
            # A pricing process died (killed, out of memory): the run fails like any other error, and the next
            # one starts a fresh pool.
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)
            raise

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
