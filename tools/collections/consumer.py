"""Collections' consumer: billing.invoices.v1 and billing.disputes.v1 into the AR ledger.

At-least-once from Kafka, exactly-once in effect through the ledger's processed-events table. A record is decoded
as the services decode theirs (mediabill_common.consumer.decode: the CloudEvents envelope, the catalog's payload
model, the producer's source), then checked by the ledger against the published JSON Schema. A record that cannot
be decoded or applied goes to `<topic>.dlq` with the reason (mediabill_common.kafka.dead_letter, which also carries
a record too large to send whole) and the consumer moves on: one bad record never holds up a partition. Only the
database or the broker being away makes the consumer start again from the last committed offsets."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord

from mediabill_common.consumer.decode import Undecodable, UnknownType, decode, describe_exception
from mediabill_common.consumer.runner import is_transient
from mediabill_common.kafka import make_consumer
from mediabill_common.kafka.dead_letter import dead_letter
from tools.collections.ledger import CONSUMED_TYPES, ArLedger, ContractViolation
from tools.collections.settings import CollectionsSettings

log = logging.getLogger("collections")
TOPICS = ("billing.invoices.v1", "billing.disputes.v1")
CONSUMER_NAME = "collections"


async def consume(ledger: ArLedger, producer: AIOKafkaProducer, settings: CollectionsSettings,
                  stop: asyncio.Event, *, topics: Sequence[str] = TOPICS) -> None:
    """Apply `topics` to the ledger until `stop`; dead letters go out through `producer`.

    Outlives database and broker outages: a batch that could not be applied is not committed, and the consumer
    starts again from the last committed offsets (events applied meanwhile are recognised as seen)."""
    while not stop.is_set():
        consumer = make_consumer(settings.kafka_bootstrap_servers, group_id=settings.collections_group,
                                 client_id=CONSUMER_NAME, topics=list(topics))
        try:
            await consumer.start()
            await _consume_batches(consumer, ledger, producer, stop)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - database or broker away: start over from the committed offsets
            log.warning("consumer interrupted (%r); resuming from the last committed offsets", exc)
            await asyncio.sleep(2)
        finally:
            try:
                await consumer.stop()
            except Exception as exc:  # noqa: BLE001
                log.warning("consumer did not stop cleanly: %r", exc)


async def _consume_batches(consumer: AIOKafkaConsumer, ledger: ArLedger, producer: AIOKafkaProducer,
                           stop: asyncio.Event) -> None:
    while not stop.is_set():
        batches = await consumer.getmany(timeout_ms=500, max_records=200)
        for records in batches.values():
            for record in records:
                reason = await _apply(record, ledger)
                if reason is not None:
                    log.error("dead-lettering %s:%s@%s: %s", record.topic, record.partition, record.offset, reason)
                    await dead_letter(producer, record, reason=reason, consumer=CONSUMER_NAME)
        if batches:
            await consumer.commit()


async def _apply(record: ConsumerRecord, ledger: ArLedger) -> str | None:
    """Apply one record; the reason it can never be applied, or None (applied, seen before, or of a type
    collections ignores). A database or broker outage is raised, so the record is read again."""
    try:
        received = decode(record, CONSUMED_TYPES)
    except UnknownType:
        return None
    except Undecodable as exc:
        return str(exc)
    try:
        await ledger.apply(received.envelope)
    except ContractViolation as exc:
        return f"breaks the published contract: {exc}"
    except Exception as exc:
        if is_transient(exc):
            raise
        return f"cannot be applied: {describe_exception(exc)}"
    return None
