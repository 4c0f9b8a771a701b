"""The inbox claim on the real database: new events, duplicates (the same data, keys in any order) and reused ids
(the same (source, id) with other data) told apart within a batch and across batches, in one statement per batch
whatever the inbox already holds."""

import json

import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import event, text

from mediabill_common.consumer.decode import Received, decode
from mediabill_common.consumer.digest import data_digest
from mediabill_common.consumer.inbox import Inbox
from mediabill_common.testing.kafka import envelope_for

pytestmark = pytest.mark.integration

_offsets = iter(range(1_000_000))


def _payment(payment_id: str, amount: str = "1.00", *, id: str, reorder: bool = False) -> Received:
    envelope = envelope_for("PaymentApplied", {
        "payment_id": payment_id, "invoice_id": "inv", "bill_to_account_id": "acct", "amount": amount,
        "currency": "USD", "applied_at": "2026-11-01T00:00:00Z"}, subject="inv", id=id)
    raw = json.loads(envelope.to_json_bytes())
    if reorder:
        raw["data"] = dict(reversed(list(raw["data"].items())))
    value = json.dumps(raw).encode()
    record = ConsumerRecord("test.inbox", 0, next(_offsets), 0, 0, b"k", value, None, 1, len(value), [])
    return decode(record, {"PaymentApplied"})


def _ids(items: list[Received]) -> list[str]:
    return [item.envelope.id for item in items]


def _count_statements(engine) -> list[str]:
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    return statements


async def test_new_duplicate_and_reused_ids_are_told_apart_in_one_statement_per_batch(common_schema, unique):
    schema, tables, engine, sessions = common_schema
    inbox = Inbox(tables.inbox, f"inbox-test-{unique}")
    first = [_payment("p-a", id=f"a-{unique}"), _payment("p-b", id=f"b-{unique}")]
    async with sessions.begin() as session:
        claim = await inbox.claim(session, first)
    assert (_ids(claim.fresh), claim.reused, claim.duplicates) == ([f"a-{unique}", f"b-{unique}"], [], 0)

    again = _payment("p-a", id=f"a-{unique}", reorder=True)  # the same data, keys in another order
    reused_later = _payment("p-b", "2.00", id=f"b-{unique}")
    new, new_again = _payment("p-c", id=f"c-{unique}"), _payment("p-c", id=f"c-{unique}", reorder=True)
    other, reused_within = _payment("p-d", id=f"d-{unique}"), _payment("p-d", "9.00", id=f"d-{unique}")
    statements = _count_statements(engine)
    async with sessions.begin() as session:
        claim = await inbox.claim(session, [again, reused_later, new, new_again, other, reused_within])
    assert _ids(claim.fresh) == [f"c-{unique}", f"d-{unique}"]
    assert sorted(claim.reused, key=lambda r: r.envelope.id) == [reused_later, reused_within]
    assert claim.duplicates == 2  # `again` from the earlier batch, `new_again` within this one
    assert len([s for s in statements if "inbox" in s]) == 1

    async with sessions() as session:
        stored = dict((await session.execute(text(
            f'SELECT event_id, data_sha256 FROM "{schema}".inbox WHERE consumer = :c'),
            {"c": f"inbox-test-{unique}"})).all())
    # one row per id, each with its first data's digest: a reused id changes nothing stored
    assert stored == {item.envelope.id: data_digest(item) for item in [*first, new, other]}
    async with sessions.begin() as session:
        claim = await inbox.claim(session, [_payment("p-b", id=f"b-{unique}", reorder=True)])
    assert (claim.fresh, claim.reused, claim.duplicates) == ([], [], 1)


async def test_a_row_from_before_digests_were_kept_counts_any_data_as_a_duplicate(common_schema, unique):
    schema, tables, _, sessions = common_schema
    consumer = f"inbox-test-{unique}"
    async with sessions.begin() as session:
        await session.execute(text(
            f'INSERT INTO "{schema}".inbox (consumer, source, event_id, event_type, topic, "partition", "offset") '
            "VALUES (:c, :s, :i, 'PaymentApplied', 'test.inbox', 0, 0)"),
            {"c": consumer, "s": _payment("p-old", id="x").envelope.source, "i": f"old-{unique}"})
    inbox = Inbox(tables.inbox, consumer)
    async with sessions.begin() as session:
        claim = await inbox.claim(session, [_payment("p-old", "3.00", id=f"old-{unique}")])
    assert (claim.fresh, claim.reused, claim.duplicates) == ([], [], 1)
    async with sessions() as session:
        digest = (await session.execute(text(f'SELECT data_sha256 FROM "{schema}".inbox WHERE event_id = :i'),
                                        {"i": f"old-{unique}"})).scalar_one()
    assert digest is None


async def test_a_claim_rolled_back_leaves_the_events_new(common_schema, unique):
    _, tables, _, sessions = common_schema
    inbox = Inbox(tables.inbox, f"inbox-test-{unique}")
    item = _payment("p-r", id=f"r-{unique}")
    async with sessions() as session:
        assert _ids((await inbox.claim(session, [item])).fresh) == [f"r-{unique}"]
        await session.rollback()
    async with sessions.begin() as session:
        assert _ids((await inbox.claim(session, [item])).fresh) == [f"r-{unique}"]
