"""Sending a record that cannot be decoded or applied to its dead-letter topic, whatever the record is.

A dead letter is the original key, value and headers plus `dlq-reason`, `dlq-consumer`, `dlq-at` and where it came
from (`dlq-original-topic`, `-partition`, `-offset`). A value the broker accepted can still be too large to send again
with those headers added (a value just under the 1 MiB request limit): such a record is dead-lettered with its value
cut to `TRUNCATED_VALUE_BYTES` and `dlq-value-truncated` giving the original size, so that nothing ever stalls a
partition. The original is still on its topic (until retention) at the offset the headers name.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError, RecordListTooLargeError, RecordTooLargeError
from aiokafka.structs import ConsumerRecord

from mediabill_common.events.catalog import dlq_topic

log = logging.getLogger(__name__)

DLQ_HEADERS = ("dlq-reason", "dlq-consumer", "dlq-at", "dlq-original-topic", "dlq-original-partition",
               "dlq-original-offset", "dlq-value-truncated")
REASON_MAX_CHARS = 1000
TRUNCATED_VALUE_BYTES = 64 * 1024
# Keys and original headers beyond this are dropped from a truncated letter (they count towards the same limit).
_KEPT_BYTES = 16 * 1024
_TOO_LARGE = (MessageSizeTooLargeError, RecordListTooLargeError, RecordTooLargeError)

Headers = list[tuple[str, bytes]]


def bounded_reason(reason: str) -> str:
    """The reason as it goes into the `dlq-reason` header: one bounded line of text."""
    text = " ".join(reason.split())
    return text if len(text) <= REASON_MAX_CHARS else text[: REASON_MAX_CHARS - 1] + "…"


def _letter_headers(record: ConsumerRecord, reason: str, consumer: str) -> Headers:
    return [
        ("dlq-reason", bounded_reason(reason).encode()), ("dlq-consumer", consumer.encode()),
        ("dlq-at", datetime.now(UTC).isoformat().encode()), ("dlq-original-topic", record.topic.encode()),
        ("dlq-original-partition", str(record.partition).encode()),
        ("dlq-original-offset", str(record.offset).encode()),
    ]


def _original_headers(record: ConsumerRecord, budget: int | None = None) -> Headers:
    kept: Headers = []
    used = 0
    for name, value in record.headers or ():
        if name in DLQ_HEADERS:  # a replayed letter that failed again carries the new letter's headers only
            continue
        used += len(name) + len(value or b"")
        if budget is not None and used > budget:
            break
        kept.append((name, value))
    return kept


async def dead_letter(producer: AIOKafkaProducer, record: ConsumerRecord, *, reason: str, consumer: str) -> None:
    """Publish `record` to `<topic>.dlq` with the reason; a record too large to carry whole is truncated.

    Raises only when the broker cannot be reached or refuses for another reason (the caller reads the batch again).
    """
    headers = _letter_headers(record, reason, consumer)
    topic = dlq_topic(record.topic)
    try:
        await producer.send_and_wait(topic, value=record.value, key=record.key,
                                     headers=_original_headers(record) + headers)
        return
    except _TOO_LARGE as exc:
        log.warning("dead letter too large to carry whole; truncating its value",
                    extra={"consumer": consumer, "topic": record.topic, "offset": record.offset,
                           "size": len(record.value or b""), "error": type(exc).__name__})
    value = record.value or b""
    key = record.key if record.key is None or len(record.key) <= _KEPT_BYTES else record.key[:_KEPT_BYTES]
    truncated = [*_original_headers(record, _KEPT_BYTES), *headers,
                 ("dlq-value-truncated", str(len(value)).encode())]
    await producer.send_and_wait(topic, value=value[:TRUNCATED_VALUE_BYTES], key=key, headers=truncated)


def original_headers_of(headers: Sequence[tuple[str, bytes]]) -> Headers:
    """A dead letter's headers without the ones dead-lettering added (what a replay sends back)."""
    return [(k, v) for k, v in headers if k not in DLQ_HEADERS]
