"""What create_app and make_engine configure, without I/O: neither connects until a request comes."""

import asyncio

import pytest
from sqlalchemy import MetaData

from mediabill_common.db.engine import make_engine
from mediabill_common.service import build_context, create_app
from mediabill_common.settings import ServiceSettings


@pytest.mark.parametrize("enabled", [False, True])
def test_fastapi_native_telemetry_follows_the_setting(enabled):
    ctx = build_context(ServiceSettings(service_name="t", otel_telemetry=enabled), MetaData())
    app = create_app(ctx, title="t", description="t", routers=[])
    # FastAPI keeps its telemetry config here; with every part off it never looks for an OpenTelemetry provider.
    config = app._telemetry
    assert [config[k] for k in ("tracing", "metrics", "logs", "operation_spans")] == [enabled] * 4
    if not enabled:
        assert app._native_telemetry.enabled() is False
    asyncio.run(ctx.close())


def test_pools_hand_out_the_connection_used_last():
    engine = make_engine("postgresql+asyncpg://u@127.0.0.1:1/db")
    assert engine.sync_engine.pool._pool.use_lifo is True  # the queue behind SQLAlchemy's QueuePool
    asyncio.run(engine.dispose())
