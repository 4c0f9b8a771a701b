"""Kafka plumbing: producer/consumer factories and topic administration."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener

from mediabill_common.kafka.security import KafkaSecurity, client_kwargs


def make_producer(bootstrap_servers: str, *, client_id: str, security: KafkaSecurity | None = None) \
        -> AIOKafkaProducer:
    """An idempotent producer: acks from all in-sync replicas, no duplicates on internal retries. It authenticates
    as `security` says (by default as the process's environment says: kafka/security.py)."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=30_000,
        **client_kwargs(security),
    )


def make_consumer(bootstrap_servers: str, *, group_id: str, client_id: str, topics: list[str],
                  max_poll_records: int = 500, listener: ConsumerRebalanceListener | None = None,
                  fetch_min_bytes: int = 1, fetch_max_wait_ms: int = 500,
                  security: KafkaSecurity | None = None) -> AIOKafkaConsumer:
    """A group consumer with manual offset commits, starting from the earliest offset for a new group.

    The broker answers a fetch once it holds `fetch_min_bytes` for it, or after `fetch_max_wait_ms`. The defaults
    (aiokafka's) suit topics that carry a few events a second: an event is handed over as soon as it arrives, and
    an idle consumer asks twice a second. A high-volume consumer raises `fetch_min_bytes` to read in batches
    (see invoice-svc's settings). It authenticates as `security` says (by default, the environment's)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id=client_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=max_poll_records,
        isolation_level="read_committed",
        fetch_min_bytes=fetch_min_bytes,
        fetch_max_wait_ms=fetch_max_wait_ms,
        # A consumer that died unannounced (SIGKILL) holds its partitions until this expires: keep it short.
        session_timeout_ms=10_000,
        # A member learns of a rebalance (another member joining or leaving) from its next heartbeat, and the group
        # waits for every member to rejoin: at 3 s, four members joining one after another kept the group from
        # working for about 9 s (bench.ingest --runners 4); at 1 s, about 3 s.
        heartbeat_interval_ms=1_000,
        max_poll_interval_ms=600_000,
        **client_kwargs(security),
    )
    consumer.subscribe(topics=topics, listener=listener)
    return consumer
