"""The consumer loop every Mediabill consumer runs.

For each batch fetched from Kafka:
1. decode every record (undecodable, or from a source that may not publish its type -> dead-letter topic; unknown
   type -> logged, counted, skipped). Nothing a record holds can make decoding raise anything else;
2. in ONE database transaction: insert an inbox row per event keyed by (consumer, source, id) and run the
   handlers only for events not seen before (an id seen before with other data -> dead-letter topic); transient
   failures (database or broker unreachable, deadlock, serialization failure) are retried with exponential
   backoff, without limit, until `stop`;
3. if a handler fails for another reason, the batch is replayed event by event, each in its own transaction,
   up to `max_attempts` times; an event that still fails goes to `<topic>.dlq` and the consumer carries on (a
   record too large to re-publish whole is dead-lettered truncated, see kafka/dead_letter.py);
4. only after the commit are the Kafka offsets committed. A rebalance waits for the batch in hand to finish.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter, Gauge
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, stop_never, wait_exponential

from mediabill_common.consumer.decode import Received, Undecodable, UnknownType, decode, describe_exception
from mediabill_common.consumer.inbox import Inbox, reuse_reason
from mediabill_common.db.errors import describe_database_error, is_database_unavailable, sqlstate_of
from mediabill_common.events.sources import TrustedSources
from mediabill_common.kafka.dead_letter import dead_letter
from mediabill_common.logging import correlation_id_var

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[AsyncSession, Received], Awaitable[None]]
BatchHandler = Callable[[AsyncSession, list[Received]], Awaitable[None]]
# Told of each record once it is on its dead-letter topic, with the reason (a service that must know what it
# dead-lettered, e.g. accounting-svc's close checklist, records it); raising makes the batch be read again.
DeadLetterHook = Callable[[ConsumerRecord, str], Awaitable[None]]

CONSUMED = Counter("mediabill_events_consumed_total", "Events applied by a consumer", ["consumer", "type"])
DUPLICATES = Counter("mediabill_events_duplicate_total", "Events skipped as already processed", ["consumer"])
DEAD_LETTERED = Counter("mediabill_events_dead_lettered_total", "Events sent to a DLQ", ["consumer", "topic"])
UNKNOWN = Counter("mediabill_events_unknown_type_total", "Events of types this consumer ignores",
                  ["consumer", "type"])
LAG = Gauge("mediabill_consumer_lag", "Records of a partition not yet committed by this consumer, as of its last "
            "commit (the partition's end offset then, minus the committed offset)", ["consumer", "topic", "partition"])

# records decoded between two yields of a read-ahead (about a millisecond's work)
_DECODE_SLICE = 100

# serialization failure and deadlock: the transaction can simply be run again
_CONFLICT_SQLSTATES = {"40001", "40P01"}


class PermanentError(Exception):
    """A handler's way to say: this event can never be applied; dead-letter it now with this reason."""


def failure_reason(exc: BaseException) -> str:
    """Why an event could not be applied, as its dead letter says it: no SQL, bounded, never raising."""
    if isinstance(exc, DBAPIError):
        return describe_database_error(exc)
    return describe_exception(exc, limit=900)


def is_transient(exc: BaseException) -> bool:
    """Errors worth retrying as they are: the database or broker is away, or a concurrency conflict."""
    if is_database_unavailable(exc) or sqlstate_of(exc) in _CONFLICT_SQLSTATES:
        return True
    return isinstance(exc, KafkaError) and getattr(exc, "retriable", False)


class _WaitForBatch(ConsumerRebalanceListener):  # type: ignore[misc]  # aiokafka ships no type information
    def __init__(self, lock: asyncio.Lock, rebalanced: Callable[[], None]) -> None:
        self._lock = lock
        self._rebalanced = rebalanced

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._rebalanced()  # a batch read ahead is dropped: its partitions may be another consumer's now
        async with self._lock:  # the batch in hand finishes and commits its offsets first
            pass

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self._rebalanced()


@dataclass(frozen=True)
class _Fetched:
    """A batch read from Kafka and decoded, with the count of rebalances seen when it was read."""

    rebalances: int
    records: list[ConsumerRecord]
    received: list[Received]
    dead: list[tuple[ConsumerRecord, str]]


class ConsumerRunner:
    def __init__(
        self, *, name: str, session_factory: async_sessionmaker[AsyncSession], inbox: Table,
        handlers: dict[str, Handler] | None = None, batch_handlers: dict[str, BatchHandler] | None = None,
        producer: AIOKafkaProducer, max_attempts: int = 5, retry_wait_s: float = 0.2,
        sources: TrustedSources | None = None, on_dead_letter: DeadLetterHook | None = None,
    ) -> None:
        self.name = name
        self._sessions = session_factory
        self._handlers = handlers or {}
        self._batch_handlers = batch_handlers or {}
        self._known = set(self._handlers) | set(self._batch_handlers)
        self._producer = producer
        self._sources = sources or TrustedSources()
        self._max_attempts = max_attempts
        self._retry_wait_s = retry_wait_s
        self._lock = asyncio.Lock()
        self._inbox = Inbox(inbox, name)
        self._on_dead_letter = on_dead_letter
        self._rebalances = 0

    @property
    def rebalance_listener(self) -> ConsumerRebalanceListener:
        return _WaitForBatch(self._lock, self._count_rebalance)

    def _count_rebalance(self) -> None:
        self._rebalances += 1

    async def run(self, consumer: AIOKafkaConsumer, stop: asyncio.Event, *, batch_size: int = 500) -> None:
        """Consume until `stop` is set. The consumer must be subscribed with `rebalance_listener`.

        The next batch is read and decoded while the current one's transaction runs (the database works while
        this process decodes). It is applied only if no rebalance came in between: a rebalance resets every
        assigned partition to its committed offset, so a batch read before it is dropped and read again. The
        read-ahead is never awaited under the lock: during a rebalance getmany waits for the new assignment, which
        waits for the lock."""
        ahead: asyncio.Task[_Fetched] | None = None
        try:
            while not stop.is_set():
                batch = await (ahead or self._fetch(consumer, batch_size))
                ahead = None
                if not batch.records or batch.rebalances != self._rebalances:
                    continue
                failed = False
                async with self._lock:
                    ahead = asyncio.create_task(self._fetch(consumer, batch_size))
                    try:
                        await self._apply_decoded(batch.received, batch.dead, stop)
                        await self._commit_offsets(consumer, batch.records)
                    except Exception as exc:
                        # The batch is read again from its first offsets; the inbox makes what was applied a no-op.
                        log.exception("batch failed; it will be read again", extra={"consumer": self.name,
                                                                                    "error": repr(exc)})
                        failed = True
                        self._rewind(consumer, batch.records)
                        await asyncio.sleep(1.0)
                if failed:
                    read_ahead, ahead = await self._settle(ahead), None
                    if read_ahead:  # what was read ahead, too (it may have taken the batch again after the seek)
                        self._rewind(consumer, [*batch.records, *read_ahead])
        finally:
            if ahead is not None:  # stopping: what was read ahead is read again by whoever consumes next
                ahead.cancel()  # a read still waiting for records takes none; one decoding gives them back
                self._rewind(consumer, await self._settle(ahead))

    async def _fetch(self, consumer: AIOKafkaConsumer, batch_size: int) -> _Fetched:
        batches = await consumer.getmany(timeout_ms=500, max_records=batch_size)
        # counted once getmany is back: it waits out a rebalance under way and returns what the new assignment reads
        rebalances = self._rebalances
        records = [r for part in batches.values() for r in part]
        received: list[Received] = []
        dead: list[tuple[ConsumerRecord, str]] = []
        # Decoded a slice at a time, yielding between slices: this runs while the batch before is in its
        # transaction, and each of that transaction's statements goes on as soon as the database answers instead
        # of waiting for the whole batch's decoding. The inbox digests are worked out here too.
        try:
            for start in range(0, len(records), _DECODE_SLICE):
                if start:
                    await asyncio.sleep(0)
                decoded, undecodable = self._decode_all(records[start:start + _DECODE_SLICE])
                for item in decoded:
                    item.data_sha256  # noqa: B018 - worked out now, kept on the item for the inbox claim
                received += decoded
                dead += undecodable
        except asyncio.CancelledError:  # a read cancelled while it decodes gives back what it took
            if rebalances == self._rebalances:
                self._rewind(consumer, records)
            raise
        return _Fetched(rebalances, records, received, dead)

    async def _settle(self, ahead: asyncio.Task[_Fetched]) -> list[ConsumerRecord]:
        """The records a read-ahead took from the consumer, once it is done (none if a rebalance reset them)."""
        try:
            batch = await ahead
        except asyncio.CancelledError:
            if not ahead.cancelled():  # it is this task that is being cancelled, not the read
                raise
            return []
        except Exception:  # noqa: BLE001 - the next read meets the same broker error, as it did without read-ahead
            return []
        return batch.records if batch.rebalances == self._rebalances else []

    @staticmethod
    def _rewind(consumer: AIOKafkaConsumer, records: Sequence[ConsumerRecord]) -> None:
        first: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            first[tp] = min(first.get(tp, r.offset), r.offset)
        for tp, offset in first.items():
            if tp in consumer.assignment():
                consumer.seek(tp, offset)

    async def process(self, records: Sequence[ConsumerRecord], stop: asyncio.Event | None = None) -> None:
        """Apply a batch of records (exposed for tests and tools that drive the runner directly)."""
        received, dead = self._decode_all(records)
        await self._apply_decoded(received, dead, stop)

    def _decode_all(self, records: Sequence[ConsumerRecord]) \
            -> tuple[list[Received], list[tuple[ConsumerRecord, str]]]:
        received: list[Received] = []
        dead: list[tuple[ConsumerRecord, str]] = []
        for record in records:
            try:
                received.append(decode(record, self._known, self._sources))
            except Undecodable as exc:
                dead.append((record, str(exc)))
            except UnknownType as exc:
                UNKNOWN.labels(self.name, str(exc)).inc()
                # counted per type in mediabill_events_unknown_type_total; a log line per event would be noise
                log.debug("ignoring unknown event type", extra={"type": str(exc), "consumer": self.name})
        return received, dead

    async def _apply_decoded(self, received: list[Received], dead: list[tuple[ConsumerRecord, str]],
                             stop: asyncio.Event | None) -> None:
        dead = list(dead)
        if received:
            dead.extend(await self._apply_or_isolate(received, stop))
        for record, reason in dead:
            await self._dead_letter(record, reason)

    async def _apply_or_isolate(self, received: list[Received], stop: asyncio.Event | None) \
            -> list[tuple[ConsumerRecord, str]]:
        try:
            reused = await self._with_transient_retry(lambda: self._apply(received), stop)
            return [(item.record, reuse_reason(item)) for item in reused]
        except Exception as exc:  # noqa: BLE001 - isolate the poison message below
            if len(received) == 1:
                first_error: Exception | None = exc
            else:
                first_error = None
                log.warning("batch failed; replaying event by event", extra={"consumer": self.name,
                                                                              "error": failure_reason(exc)})
        dead = []
        for item in received:
            reason = await self._apply_one_with_attempts(item, stop, first_error)
            first_error = None
            if reason is not None:
                dead.append((item.record, reason))
        return dead

    async def _apply_one_with_attempts(self, item: Received, stop: asyncio.Event | None,
                                       first_error: Exception | None) -> str | None:
        attempts = 1 if first_error is not None else 0
        last: Exception | None = first_error
        while attempts < self._max_attempts and not isinstance(last, PermanentError):
            try:
                reused = await self._with_transient_retry(lambda: self._apply([item]), stop)
                return reuse_reason(item) if reused else None
            except Exception as exc:  # noqa: BLE001
                last = exc
                attempts += 1
                if isinstance(exc, PermanentError) or attempts >= self._max_attempts:
                    break  # the backoff is for an error that may pass: none after a refusal or the last attempt
                await asyncio.sleep(self._retry_wait_s * attempts)
        reason = failure_reason(last) if last else "unknown failure"
        log.error("dead-lettering event", extra={"consumer": self.name, "event_id": item.envelope.id,
                                                 "type": item.envelope.type, "error": reason})
        return reason

    async def _with_transient_retry(self, attempt: Callable[[], Awaitable[T]], stop: asyncio.Event | None) -> T:
        def _retry(exc: BaseException) -> bool:
            return is_transient(exc) and not (stop is not None and stop.is_set())

        async for state in AsyncRetrying(retry=retry_if_exception(_retry), wait=wait_exponential(0.2, max=10),
                                         stop=stop_never, reraise=True):
            with state:
                return await attempt()
        raise AssertionError("unreachable: stop_never retries until the attempt returns or raises")

    async def _apply(self, items: list[Received]) -> list[Received]:
        """Apply the events not seen before in one transaction; returns those that reuse an applied event's id."""
        async with self._sessions.begin() as session:
            claim = await self._inbox.claim(session, items)
            DUPLICATES.labels(self.name).inc(claim.duplicates)
            fresh = claim.fresh
            done_batches: set[str] = set()
            applied: dict[str, int] = {}
            for item in fresh:
                event_type = item.envelope.type
                correlation_id_var.set(item.envelope.correlationid)
                batch_handler = self._batch_handlers.get(event_type)
                if batch_handler is not None:
                    if event_type not in done_batches:
                        done_batches.add(event_type)
                        await batch_handler(session, [i for i in fresh if i.envelope.type == event_type])
                else:
                    await self._handlers[event_type](session, item)
                applied[event_type] = applied.get(event_type, 0) + 1
            # counted per type once the batch's handlers are through (a label look-up per event cost more)
            for event_type, count in applied.items():
                CONSUMED.labels(self.name, event_type).inc(count)
            return claim.reused

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        await dead_letter(self._producer, record, reason=reason, consumer=self.name)
        DEAD_LETTERED.labels(self.name, record.topic).inc()
        if self._on_dead_letter is not None:
            await self._on_dead_letter(record, reason)

    async def _commit_offsets(self, consumer: AIOKafkaConsumer, records: Sequence[ConsumerRecord]) -> None:
        offsets: dict[TopicPartition, int] = {}
        for r in records:
            tp = TopicPartition(r.topic, r.partition)
            offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
        try:
            await consumer.commit(offsets)
        except CommitFailedError as exc:
            # The group rebalanced away from us; the new owner re-reads and the inbox makes that harmless.
            log.warning("offset commit failed after rebalance", extra={"consumer": self.name, "error": str(exc)})
            return
        assigned = consumer.assignment()
        for tp, committed in offsets.items():
            end = consumer.highwater(tp) if tp in assigned else None  # as of the fetch that brought these records
            if end is not None:
                LAG.labels(self.name, tp.topic, str(tp.partition)).set(max(end - committed, 0))

