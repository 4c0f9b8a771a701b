"""Fixtures for the security suite: every service's real app on the real database, driven from one event loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
import pytest

from dispute_svc.adapters.invoice_svc_client import HttpInvoiceServiceClient
from mediabill_common.testing.plugin import run_migrations
from tests.contracts.conftest import BUILDERS
from tests.e2e.harness import fresh_database

T = TypeVar("T")


class LoopThread:
    """An event loop in its own thread. Hypothesis-driven tests are synchronous; every request they make runs on
    this one loop, so the apps' connection pools never cross event loops."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="security-loop", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=timeout_s)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def security_services(database_url, kafka_bootstrap):
    """{service: (ctx, app)} built on a private loop thread, each schema migrated in a database of their own:
    schemathesis writes random (valid) data, e.g. SLA and approval policies, that other tests must not see."""
    database_url = asyncio.run(fresh_database(database_url, "mediabill_security"))
    runner = LoopThread()
    built = {}
    # invoice-svc first: product-config-svc's simulations and dispute-svc's evidence call it, here in-process
    # rather than over a port (where a developer's stack may be running).
    for name in ["invoice-svc", *[n for n in BUILDERS if n != "invoice-svc"]]:
        settings_cls, build, build_app = BUILDERS[name]
        run_migrations(name, database_url)
        settings = settings_cls(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap)
        to_invoice_svc = httpx.ASGITransport(app=built["invoice-svc"][1]) if built else None
        if name == "product-config-svc":
            ctx = build(settings, invoice_client=httpx.AsyncClient(transport=to_invoice_svc,
                                                                   base_url="http://invoice-svc"))
        elif name == "dispute-svc":
            ctx = build(settings, invoice_client=HttpInvoiceServiceClient(
                "http://invoice-svc", secret=settings.jwt_hs256_secret or "", transport=to_invoice_svc))
        else:
            ctx = build(settings)
        built[name] = (ctx, build_app(ctx))
    yield runner, built
    for ctx, _ in built.values():
        runner.run(ctx.close())
    runner.stop()
