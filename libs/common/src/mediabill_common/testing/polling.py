"""Waiting for an effect: poll a check until it holds, or fail naming what was awaited and what was last seen.

Tests never assert on time. The deadline only bounds a run that hangs (a consumer that never catches up, a process
that never gets ready): the test then fails with what it waited for and the check's last value, and what it asserts
is the state the check returned.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

T = TypeVar("T")

# The last value is quoted in the failure; a list of records or a page of rows is cut after this many characters.
_SHOWN = 2000


class NotReached(AssertionError, TimeoutError):
    """The awaited state did not come about before the deadline (an AssertionError for pytest, a TimeoutError for
    code that waited on one before)."""

    def __init__(self, what: str, last: object, timeout_s: float) -> None:
        shown = repr(last)
        if len(shown) > _SHOWN:
            shown = shown[:_SHOWN] + "..."
        super().__init__(f"gave up waiting for {what} after {timeout_s:g}s; last seen: {shown}")
        self.what, self.last = what, last


@overload
async def poll_until(check: Callable[[], Awaitable[T]], *, what: str, until: Callable[[T], object] = ...,
                     timeout_s: float = ..., every_s: float = ..., alive: Callable[[], object] | None = ...) -> T: ...
@overload
async def poll_until(check: Callable[[], T], *, what: str, until: Callable[[T], object] = ...,
                     timeout_s: float = ..., every_s: float = ..., alive: Callable[[], object] | None = ...) -> T: ...
async def poll_until(check: Callable[[], Any], *, what: str, until: Callable[[Any], object] = bool,
                     timeout_s: float = 30.0, every_s: float = 0.1, alive: Callable[[], object] | None = None) -> Any:
    """Call `check()` (sync or async) until `until(value)` holds (by default: until the value is truthy) and
    return that value.

    `until` lets the check return what is worth reporting (a count, a status) rather than a bare False.
    `alive`, when given, runs before every check and raises if what the test waits on has died (a process exited,
    a consumer task failed): waiting longer would be pointless. After `timeout_s` raise `NotReached` naming `what`
    and the last value seen.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while True:
        if alive is not None:
            alive()
        value = check()
        last = await value if inspect.isawaitable(value) else value
        if until(last):
            return last
        if loop.time() > deadline:
            raise NotReached(what, last, timeout_s)
        await asyncio.sleep(every_s)


def poll_until_sync(check: Callable[[], T], *, what: str, until: Callable[[T], object] = bool,
                    timeout_s: float = 30.0, every_s: float = 0.05, alive: Callable[[], object] | None = None) -> T:
    """`poll_until` for code without an event loop: sleeps between checks."""
    deadline = time.monotonic() + timeout_s
    while True:
        if alive is not None:
            alive()
        last = check()
        if until(last):
            return last
        if time.monotonic() > deadline:
            raise NotReached(what, last, timeout_s)
        time.sleep(every_s)
