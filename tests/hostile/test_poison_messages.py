"""Poison messages through every service's real consumer LOOP (not just `process`), on the real broker: a value whose
`data` holds a 5,000-digit integer, JSON nested 5,000 deep, and a value too large to re-publish with the dead-letter
headers. Each must end on the dead-letter topic with its reason and the consumer must move on: the valid event sent
after them is applied and the group's offsets reach the end of the topic.

Each case gets a topic of its own (and its `.dlq`), so the group starts on exactly these records."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from adjustment_svc.entrypoints.consumer import make_runner as adjustment_runner
from dispute_svc.entrypoints.consumer import make_runner as dispute_runner
from invoice_svc.entrypoints.consumer import make_runner as invoice_runner
from mediabill_common.events.envelope import CONTENT_TYPE
from mediabill_common.kafka import make_producer
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.kafka import read_all, run_consumer_until
from mediabill_common.testing.plugin import run_migrations
from product_config_svc.entrypoints.consumer import make_runner as product_config_runner
from tests.contracts.conftest import BUILDERS
from tests.hostile.support import committed_offset

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
PLACEHOLDER = '"__poison__"'


def _envelope(event_type: str, data: dict, source: str) -> dict:
    return {"specversion": "1.0", "id": str(uuid.uuid4()), "source": source, "type": event_type,
            "time": datetime.now(UTC).isoformat(), "subject": "poison", "datacontenttype": "application/json",
            "schemaversion": 1, "data": data}


def _with_raw(event_type: str, data: dict, source: str, raw: str) -> bytes:
    """The event with the value `__poison__` in its data replaced by raw JSON text (which json.dumps cannot write)."""
    return json.dumps(_envelope(event_type, data, source)).replace(PLACEHOLDER, raw, 1).encode()


def _account_upserted(account_id: str, version: int = 1, **extra) -> dict:
    return {"state_version": version, "account": {"account_id": account_id, "type": "advertiser",
                                                  "legal_name": f"Advertiser {account_id}", "currency": "USD",
                                                  **extra}}


def _invoice_issued(invoice_id: str, account_id: str, **extra) -> dict:
    return {"invoice_id": invoice_id, "invoice_number": f"INV-{invoice_id[-10:]}", "account_id": account_id,
            "bill_to_account_id": account_id, "contract_id": f"C-{invoice_id}", "po_number": None,
            "period": "2025-06", "period_start": "2025-06-01", "period_end": "2025-06-30",
            "issue_date": "2025-07-01", "due_date": "2025-07-31", "currency": "USD", "lines": [{
                "invoice_line_id": f"{invoice_id}-L1", "kind": "usage", "product_code": "P", "description": "Display",
                "quantity": 1000, "unit": "impressions", "unit_price": "5.00", "price_base_quantity": 1000,
                "amount": "5.00"}],
            "subtotal": "5.00", "discount_total": "0.00", "commission_total": "0.00", "tax_total": "0.00",
            "total": "5.00", **extra}


CONFIG = ("BillingAccountUpserted", _account_upserted, "/mediabill/product-config-svc")
INVOICES = ("InvoiceIssued", _invoice_issued, "/mediabill/invoice-svc")

# consumer name -> (how its runner is made, the kind of event it is sent)
CONSUMERS = {
    "invoice-svc": (invoice_runner, CONFIG),
    "dispute-svc": (dispute_runner, CONFIG),
    "adjustment-svc": (adjustment_runner, INVOICES),
    "product-config-svc": (product_config_runner, INVOICES),
}


def _poison(event: tuple, u: str) -> dict[str, bytes]:
    event_type, build, source = event
    key = f"X-{u}"
    if event_type == "InvoiceIssued":
        big_int = build(key, key, note=PLACEHOLDER.strip('"'))
        deep = build(key, key, note=PLACEHOLDER.strip('"'))
    else:
        big_int = build(key, note=PLACEHOLDER.strip('"'))
        deep = build(key, note=PLACEHOLDER.strip('"'))
    big_int_value = _with_raw(event_type, big_int, source, "1" + "0" * 4999)
    deep_value = _with_raw(event_type, deep, source, "[" * 5000 + "]" * 5000)
    # Not an event at all, and just under the producer's 1 MiB request: the broker takes it, but the same value
    # with the dead-letter headers added is too large to re-publish.
    oversized = b'{"junk": "' + b"x" * (MIB - 400) + b'"}'
    return {"a 5,000-digit integer": big_int_value, "JSON nested 5,000 deep": deep_value,
            "a value too large to re-publish": oversized}


@pytest.fixture(scope="module")
async def contexts(database_url, kafka_bootstrap):
    built = {}
    for service in CONSUMERS:
        settings_cls, build, _ = BUILDERS[service]
        run_migrations(service, database_url)
        built[service] = build(settings_cls(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap))
    yield built
    for ctx in built.values():
        await ctx.close()


@pytest.mark.parametrize("service", list(CONSUMERS))
async def test_poison_messages_are_dead_lettered_and_the_consumer_loop_moves_on(
        service, contexts, kafka_bootstrap, unique):
    make_runner, event = CONSUMERS[service]
    ctx = contexts[service]
    topic = f"poison-{service}-{unique}"
    await ensure_topics(kafka_bootstrap, {topic: 1, f"{topic}.dlq": 1})
    poison = _poison(event, unique)
    event_type, build, source = event
    valid_id = f"V-{unique}"
    valid = _envelope(event_type, build(valid_id, valid_id) if event_type == "InvoiceIssued" else build(valid_id),
                      source)

    producer = make_producer(kafka_bootstrap, client_id="poison-tests")
    await producer.start()
    try:
        for value in [*poison.values(), json.dumps(valid).encode()]:
            await producer.send_and_wait(topic, value=value, key=b"poison",
                                         headers=[("content-type", CONTENT_TYPE.encode())])
    finally:
        await producer.stop()

    inbox = ctx.tables.inbox
    group = f"poison-{unique}"

    async def valid_applied() -> bool:
        async with ctx.sessions() as session:
            row = (await session.execute(select(inbox.c.event_id).where(
                inbox.c.consumer == service, inbox.c.source == source, inbox.c.event_id == valid["id"]))).first()
        return row is not None and await committed_offset(kafka_bootstrap, group, topic) == len(poison) + 1

    await run_consumer_until(kafka_bootstrap, lambda producer: make_runner(ctx, producer), [topic], valid_applied,
                             timeout_s=45, group_id=group)

    letters = await read_all(kafka_bootstrap, f"{topic}.dlq")
    by_offset = {int(dict(r.headers)["dlq-original-offset"]): (r, dict(r.headers)) for _, r in letters}
    assert sorted(by_offset) == [0, 1, 2], "each poison message is dead-lettered exactly once"
    for offset, case in enumerate(poison):
        _, headers = by_offset[offset]
        assert headers["dlq-original-topic"] == topic.encode()
        assert headers["dlq-original-partition"] == b"0"
        assert headers["dlq-consumer"] == service.encode()
        assert headers["dlq-reason"], case
    _, big_headers = by_offset[1 - 1]
    assert b"integer" in big_headers["dlq-reason"] or b"digits" in big_headers["dlq-reason"]
    _, deep_headers = by_offset[1]
    assert b"nest" in deep_headers["dlq-reason"] or b"recursion" in deep_headers["dlq-reason"].lower()
    oversized_record, oversized_headers = by_offset[2]
    # Too large to carry whole: a truncated value, and the original size, so nothing is silently different.
    assert oversized_headers["dlq-value-truncated"] == str(len(poison["a value too large to re-publish"])).encode()
    assert 0 < len(oversized_record.value) < len(poison["a value too large to re-publish"])
    assert poison["a value too large to re-publish"].startswith(oversized_record.value)
