"""Create the contract's topics (and their dead-letter topics) with explicit partition counts.

Usage: python -m mediabill_common.kafka.admin ensure-topics [--bootstrap HOST:PORT]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from mediabill_common.events.catalog import all_topics
from mediabill_common.kafka.security import KafkaSecurity, client_kwargs


async def ensure_topics(bootstrap_servers: str, topics: dict[str, int] | None = None,
                        replication_factor: int = 1, security: KafkaSecurity | None = None) -> list[str]:
    """Create missing topics; returns the names created. Existing topics are left as they are."""
    wanted = topics if topics is not None else all_topics()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="mediabill-admin",
                                **client_kwargs(security))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, partitions, replication_factor) for name, partitions in wanted.items()
                   if name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another process created them between list and create
                await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mediabill_common.kafka.admin")
    parser.add_argument("command", choices=["ensure-topics"])
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:39092"))
    # A managed broker keeps each partition on several brokers (commonly 3); the local one has a single broker.
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    created = asyncio.run(ensure_topics(args.bootstrap, replication_factor=args.replication_factor))
    print(f"topics ready ({len(created)} created)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
