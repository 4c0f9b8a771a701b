"""close.md C10 "nothing dead-lettered": an event accounting-svc's consumer dead-letters, on the real broker and
database, fails journal_complete with its event id and reason until a replay of it is applied."""

from __future__ import annotations

import json
import random
import uuid

import httpx
import pytest
from sqlalchemy import insert, select, text

from accounting_svc.adapters.tables import dead_letters
from accounting_svc.bootstrap import build, build_app
from accounting_svc.context import AccountingDeps
from accounting_svc.entrypoints.consumer import make_runner
from accounting_svc.settings import Settings
from accounting_svc.testing import invoice_issued
from accounting_svc.testing.fakes import FakeInvoiceService, FakeOpenAmounts
from mediabill_common.events.catalog import INVOICES_TOPIC, dlq_topic
from mediabill_common.kafka import make_producer
from mediabill_common.testing.kafka import end_offsets, envelope_for, publish, read_from
from mediabill_common.testing.plugin import bearer, run_migrations
from tests.e2e.harness import fresh_database

pytestmark = pytest.mark.integration
DIRECTOR = bearer(["billing-director"], "dora")
MANAGER = bearer(["billing-manager"], "max")


@pytest.fixture(scope="module")
async def dead_letter_ctx(database_url, kafka_bootstrap, topics_ready):
    """A database of its own: every dead letter since the period began counts, whoever's test caused it."""
    url = await fresh_database(database_url, "mediabill_accounting_dead_letters")
    run_migrations("accounting-svc", url)
    ctx = build(Settings(database_url=url, kafka_bootstrap_servers=kafka_bootstrap))
    yield ctx
    await ctx.close()


async def _unappliable_invoice(bootstrap: str) -> tuple[str, object]:
    """Publish an InvoiceIssued whose total is not a number on the topic accounting-svc consumes; the record back.
    Its source is not Mediabill's own: tests/e2e/test_event_contracts checks every event of a /mediabill/ source on
    the shared broker against its schema (this one would fail it on purpose)."""
    envelope = envelope_for("InvoiceIssued", invoice_issued(f"i-{uuid.uuid4().hex[:8]}", [("L1", "usage", "10.00")]),
                            subject="s", source="/tests/poison")
    body = json.loads(envelope.to_json_bytes())
    body["data"]["total"] = "ten dollars"
    start = await end_offsets(bootstrap, INVOICES_TOPIC)
    await publish(bootstrap, INVOICES_TOPIC, [("AG-1", json.dumps(body).encode())])
    [record] = await read_from(bootstrap, start, 1)
    return envelope.id, record


async def test_an_event_the_consumer_dead_letters_fails_journal_complete_with_its_id_and_reason(
        dead_letter_ctx, kafka_bootstrap):
    period = f"{random.randint(1900, 1999)}-06"  # begun long ago: today's dead letters count for it
    invoice_svc = FakeInvoiceService(status={period: {"period": period, "complete": True, "reasons": [],
                                                      "documents": []}})
    ctx = dead_letter_ctx.with_deps(AccountingDeps(dead_letter_ctx.deps.invoice_http, invoice_svc, FakeOpenAmounts(),
                                                   FakeOpenAmounts()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(ctx)), base_url="http://t") as api:
        async def journal_item() -> dict:
            response = await api.get(f"/v1/periods/{period}", headers=DIRECTOR)
            assert response.status_code == 200, response.text
            return next(i for i in response.json()["checklist"] if i["item"] == "journal_complete")

        assert (await journal_item())["status"] == "pass"

        event_id, record = await _unappliable_invoice(kafka_bootstrap)
        dlq_start = await end_offsets(kafka_bootstrap, dlq_topic(INVOICES_TOPIC))
        producer = make_producer(kafka_bootstrap, client_id="test-dlq")
        await producer.start()
        try:
            await make_runner(ctx, producer).process([record])
        finally:
            await producer.stop()
        [letter] = await read_from(kafka_bootstrap, dlq_start, 1)
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers["dlq-consumer"] == "accounting-svc" and headers["dlq-reason"]

        item = await journal_item()
        assert (item["status"], item["blocking"]) == ("fail", True)
        assert f"InvoiceIssued {event_id}" in item["why"]
        [dead] = item["details"]["dead_letters"]
        assert (dead["event_id"], dead["event_type"], dead["topic"], dead["offset"], dead["reason"]) == (
            event_id, "InvoiceIssued", INVOICES_TOPIC, record.offset, headers["dlq-reason"])

        refused = await api.post(f"/v1/periods/{period}/close", headers=DIRECTOR)
        assert refused.status_code == 409, refused.text
        assert [i["item"] for i in refused.json()["failing"]] == ["journal_complete"]

        # a replay of the event, fixed, applied after the dead letter (its inbox row) clears it
        async with ctx.sessions.begin() as session:
            await session.execute(insert(ctx.tables.inbox).values(
                consumer="accounting-svc", source=json.loads(record.value)["source"], event_id=event_id,
                event_type="InvoiceIssued", topic=INVOICES_TOPIC, partition=record.partition, offset=record.offset + 1))
        assert (await journal_item())["status"] == "pass"


async def test_a_dead_letter_whose_envelope_holds_nul_characters_is_recorded_and_the_consumer_goes_on(
        dead_letter_ctx, kafka_bootstrap):
    # PostgreSQL text cannot hold NUL: recording the envelope's id as it came once failed, and the batch was read
    # again and again (a stalled consumer)
    body = {"specversion": "1.0", "id": "evt-\u0000-nul", "type": "InvoiceIssued\u0000", "source": "/x\u0000",
            "data": {"total": "\u0000"}}
    start = await end_offsets(kafka_bootstrap, INVOICES_TOPIC)
    await publish(kafka_bootstrap, INVOICES_TOPIC, [("AG-1", json.dumps(body).encode())])
    [record] = await read_from(kafka_bootstrap, start, 1)
    producer = make_producer(kafka_bootstrap, client_id="test-dlq")
    await producer.start()
    try:
        await make_runner(dead_letter_ctx, producer).process([record])
    finally:
        await producer.stop()
    async with dead_letter_ctx.sessions() as session:
        row = (await session.execute(select(dead_letters.c.event_id, dead_letters.c.event_type).where(
            dead_letters.c.topic == INVOICES_TOPIC, dead_letters.c.offset == record.offset))).one()
    assert tuple(row) == ("evt--nul", "InvoiceIssued")


async def test_a_billing_director_dismisses_a_dead_letter_that_posts_nothing_and_it_no_longer_holds_the_close(
        dead_letter_ctx, kafka_bootstrap):
    period = f"{random.randint(1000, 1899)}-03"
    invoice_svc = FakeInvoiceService(status={period: {"period": period, "complete": True, "reasons": [],
                                                      "documents": []}})
    ctx = dead_letter_ctx.with_deps(AccountingDeps(dead_letter_ctx.deps.invoice_http, invoice_svc, FakeOpenAmounts(),
                                                   FakeOpenAmounts()))
    event_id, record = await _unappliable_invoice(kafka_bootstrap)
    producer = make_producer(kafka_bootstrap, client_id="test-dlq")
    await producer.start()
    try:
        await make_runner(ctx, producer).process([record])
    finally:
        await producer.stop()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(ctx)), base_url="http://t") as api:
        async def journal_item() -> dict:
            response = await api.get(f"/v1/periods/{period}", headers=DIRECTOR)
            return next(i for i in response.json()["checklist"] if i["item"] == "journal_complete")

        held = await journal_item()
        [letter_id] = [d["letter_id"] for d in held["details"]["dead_letters"] if d["event_id"] == event_id]
        listed = (await api.get("/v1/dead-letters", headers=MANAGER)).json()["items"]
        assert [(d["event_id"], d["topic"], d["offset"]) for d in listed if d["letter_id"] == letter_id] == [
            (event_id, INVOICES_TOPIC, record.offset)]

        path = f"/v1/dead-letters/{letter_id}/dismiss"
        assert (await api.post(path, json={"reason": "x"}, headers=MANAGER)).status_code == 403
        assert (await api.post(path, json={}, headers=DIRECTOR)).status_code == 422
        dismissed = await api.post(path, json={"reason": "a test record; no invoice behind it"}, headers=DIRECTOR)
        assert dismissed.status_code == 200, dismissed.text
        assert (dismissed.json()["dismissed_by"], dismissed.json()["dismiss_reason"]) == (
            "dora", "a test record; no invoice behind it")
        assert letter_id not in [d["letter_id"] for d in (await journal_item())["details"]["dead_letters"]]
        again = await api.post(path, json={"reason": "again"}, headers=DIRECTOR)
        assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
        assert (await api.post("/v1/dead-letters/999999999/dismiss", json={"reason": "x"},
                               headers=DIRECTOR)).status_code == 404
        outstanding = [d["letter_id"] for d in (await api.get("/v1/dead-letters", headers=MANAGER)).json()["items"]]
        every = (await api.get("/v1/dead-letters", params={"dismissed": "true"}, headers=MANAGER)).json()["items"]
        everything = [d["letter_id"] for d in every]
        assert letter_id not in outstanding and letter_id in everything
    async with ctx.sessions() as session:
        audited = (await session.execute(text(
            "SELECT actor, reason FROM accounting_svc.audit_log WHERE entity_type = 'dead_letter' AND entity_id = :i"),
            {"i": str(letter_id)})).all()
    assert [tuple(a) for a in audited] == [("dora", "a test record; no invoice behind it")]
