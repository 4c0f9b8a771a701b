"""Issue 2, must-show 2: outbox -> Kafka -> inbox across real processes, with SIGKILLs mid-stream."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.polling import poll_until

APP = Path(__file__).with_name("roundtrip_app.py")
COUNT = 10_000
pytestmark = pytest.mark.integration


def _start(role: str, schema: str, topic: str, env: dict, log_dir: Path) -> subprocess.Popen:
    # The child keeps its own copy of the log's descriptor; ours is closed once it has started.
    with open(log_dir / f"{role}-{time.monotonic_ns()}.log", "w") as log:
        return subprocess.Popen([sys.executable, str(APP), role, "--schema", schema, "--topic", topic,
                                 "--count", str(COUNT)], env=env, stdout=log, stderr=subprocess.STDOUT)


async def _count(conn, schema: str) -> int:
    return await conn.fetchval(f'SELECT count(*) FROM "{schema}".received')


async def _wait_for(conn, schema: str, at_least: int, timeout_s: float = 120) -> int:
    return await poll_until(lambda: _count(conn, schema), what=f"{at_least} events to arrive",
                            until=lambda n: n >= at_least, timeout_s=timeout_s, every_s=0.2)


async def test_every_event_arrives_once_in_key_order_despite_relay_and_consumer_kills(
        database_url, kafka_bootstrap, unique, tmp_path):
    schema, topic = f"roundtrip_{unique}", f"test.roundtrip.{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 3})
    env = {**os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "PYTHONPATH": str(APP.parent)}
    setup = await asyncio.create_subprocess_exec(sys.executable, str(APP), "setup", "--schema", schema,
                                                 "--topic", topic, env=env)
    assert await setup.wait() == 0, "the round-trip schema and topic could not be set up"
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    procs: list[subprocess.Popen] = []
    try:
        writer = _start("writer", schema, topic, env, tmp_path)
        relay = _start("relay", schema, topic, env, tmp_path)
        consumer = _start("consumer", schema, topic, env, tmp_path)
        procs += [writer, relay, consumer]

        await _wait_for(conn, schema, 1_500)
        assert writer.poll() is None, "the relay kill must land mid-stream"
        relay.send_signal(signal.SIGKILL)
        relay.wait()
        relay = _start("relay", schema, topic, env, tmp_path)
        procs.append(relay)

        await _wait_for(conn, schema, 4_000)
        assert writer.poll() is None, "the consumer kill must land mid-stream"
        consumer.send_signal(signal.SIGKILL)
        consumer.wait()
        consumer = _start("consumer", schema, topic, env, tmp_path)
        procs.append(consumer)

        assert writer.wait(timeout=300) == 0
        await _wait_for(conn, schema, COUNT, timeout_s=180)
        await asyncio.sleep(2)  # anything duplicated would land now

        rows = await conn.fetch(f'SELECT key, seq, event_id FROM "{schema}".received ORDER BY id')
        assert len(rows) == COUNT
        assert len({r["event_id"] for r in rows}) == COUNT
        by_key: dict[str, list[int]] = {}
        for r in rows:
            by_key.setdefault(r["key"], []).append(r["seq"])
        assert len(by_key) == 20
        for key, seqs in by_key.items():
            assert seqs == list(range(COUNT // 20)), f"{key} arrived out of order or with gaps"
        unsent = await conn.fetchval(f'SELECT count(*) FROM "{schema}".outbox WHERE sent_at IS NULL')
        assert unsent == 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()
