"""Price simulations off the event loop: a small pool of worker threads for all but the smallest.

A simulation is pure CPU (validating the request, pricing, building the answer). On the event loop a large one
held every other request of the process until it finished (100,000 deliveries: another user's GET waited 1.28 s).
In a worker thread the loop still gets the interpreter back every switch interval (5 ms), so other requests are
served meanwhile; a few workers bound how many simulations price at once, the rest wait their turn.

A small simulation (the readiness check's sample, a dispute's few deliveries) is priced on the loop: it takes well
under a millisecond, less than a hand-off to a thread costs -- the reason tests/contracts/test_no_thread_pool.py
keeps FastAPI from sending any endpoint through its thread pool.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
# Up to this many deliveries a simulation is priced on the event loop (about 1 ms of CPU at 100).
INLINE_DELIVERIES = 100


class SimulationPool:
    """Runs simulations: small ones at once on the loop, larger ones in `workers` threads."""

    def __init__(self, workers: int) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="price-simulation")
        self.in_threads = 0  # simulations handed to the workers and not finished (running or waiting their turn)

    async def run(self, deliveries: int, price: Callable[[], T]) -> T:
        """`price()` for a simulation of `deliveries` deliveries; its exceptions propagate."""
        if deliveries <= INLINE_DELIVERIES:
            return price()
        context = contextvars.copy_context()  # the request's correlation id reaches the worker's log lines
        self.in_threads += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, context.run, price)
        finally:
            self.in_threads -= 1

    async def aclose(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
