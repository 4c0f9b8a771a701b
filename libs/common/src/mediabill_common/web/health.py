"""`/health/live`, `/health/ready` (database and Kafka) and `/metrics`, without auth."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiokafka import AIOKafkaClient
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from mediabill_common.web.observability import metrics_response


class KafkaProbe:
    """Checks that the broker answers a metadata request; caches the answer for a few seconds."""

    def __init__(self, bootstrap_servers: str, ttl_s: float = 5.0) -> None:
        self._bootstrap = bootstrap_servers
        self._ttl = ttl_s
        self._checked_at = 0.0
        self._result: tuple[bool, str] = (False, "not checked")
        self._lock = asyncio.Lock()

    async def check(self) -> tuple[bool, str]:
        async with self._lock:
            if time.monotonic() - self._checked_at < self._ttl:
                return self._result
            client = AIOKafkaClient(bootstrap_servers=self._bootstrap, request_timeout_ms=3000)
            try:
                await asyncio.wait_for(client.bootstrap(), timeout=3)
                self._result = (True, "ok")
            except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its reason
                self._result = (False, f"kafka unreachable: {type(exc).__name__}")
            finally:
                await client.close()
            self._checked_at = time.monotonic()
            return self._result


def health_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/live", summary="The process is up")
    async def live() -> dict[str, Any]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="Database and Kafka reachable")
    async def ready(request: Request) -> JSONResponse:
        ctx = request.app.state.ctx
        checks: dict[str, str] = {}
        try:
            async with ctx.engine.connect() as conn:
                await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=3)
            checks["database"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["database"] = f"database unreachable: {type(exc).__name__}"
        _, checks["kafka"] = await ctx.kafka_probe.check()
        healthy = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if healthy else "unavailable", "checks": checks},
                            status_code=200 if healthy else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return metrics_response()

    return router
