"""Reading the fault system's state straight from its database, tolerant of the server being restarted, and
waiting for the system to converge without ever asserting on time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx

from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.testing.polling import NotReached, poll_until
from tests.faults.chaos import Chaos
from tools.demo.client import Api, ApiError

# Which producer's events each consumer must have taken in: (consumer schema, inbox consumer name, topics).
CONSUMERS = {
    "invoice-svc": ("invoice_svc", "invoice-svc"),
    "dispute-svc": ("dispute_svc", "dispute-svc"),
    "adjustment-svc": ("adjustment_svc", "adjustment-svc"),
    "product-config-svc": ("product_config_svc", "product-config-svc"),
    "accounting-svc": ("accounting_svc", "accounting-svc"),
}


class Db:
    def __init__(self, database_url: str) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._conn: asyncpg.Connection | None = None

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        for attempt in range(120):
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(self._dsn, timeout=10)
                return await self._conn.fetch(sql, *args)
            except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
                    asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError):
                self._conn = None
                await asyncio.sleep(min(0.5 * (attempt + 1), 3))
        raise RuntimeError("the fault system's database stayed unreachable")

    async def value(self, sql: str, *args: Any) -> Any:
        rows = await self.fetch(sql, *args)
        return rows[0][0] if rows else None

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()


async def converge(chaos: Chaos, check: Callable[[], Awaitable[Any]], *, what: str, timeout_s: float = 600,
                   every_s: float = 1.0, status: Callable[[], Awaitable[str]] | None = None) -> Any:
    """Wait until `check()` is truthy; every process must stay alive meanwhile (they must recover by themselves).
    The timeout only bounds a hung run: it fails with the process logs, it is not what the test asserts."""
    last_report = time.monotonic()

    def alive() -> None:
        try:
            chaos.check_alive()
        except RuntimeError as exc:
            raise AssertionError(f"a process died on its own while waiting for {what}: {exc}\n"
                                 f"{chaos.tails()}") from exc

    async def reported_check() -> Any:
        nonlocal last_report
        result = await check()
        if not result and status and time.monotonic() - last_report > 15:
            print(f"[faults] waiting for {what}: {await status()}", flush=True)
            last_report = time.monotonic()
        return result

    try:
        return await poll_until(reported_check, what=what, timeout_s=timeout_s, every_s=every_s, alive=alive)
    except NotReached as exc:
        detail = await status() if status else ""
        raise AssertionError(f"never converged: {what} ({detail})\n{exc}\n{chaos.tails(40)}") from exc


async def call(api: Api, method: str, service: str, path: str, body: dict | None = None, *, as_: str,
               attempts: int = 90, retry_statuses: tuple[int, ...] = (409, 502, 503), **params) -> dict:
    """A REST call that rides out a restarting service or database. Mediabill's POSTs carry an Idempotency-Key,
    so repeating one is safe; statuses in `retry_statuses` are retried too."""
    for attempt in range(attempts):
        try:
            if method == "GET":
                return await api.get(service, path, as_=as_, **params)
            return await api.post(service, path, body, as_=as_)
        except httpx.TransportError:
            pass
        except ApiError as exc:
            if exc.status not in retry_statuses and exc.status < 500:
                raise
            if attempt == attempts - 1:
                raise
        await asyncio.sleep(min(0.5 + attempt * 0.25, 3))
    raise RuntimeError(f"{method} {service}{path} kept failing")
