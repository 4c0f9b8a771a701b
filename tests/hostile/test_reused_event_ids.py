"""A producer that reuses a CloudEvents id for other data, through invoice-svc's real consumer on the real broker:
the same (source, id) with the same data is a duplicate and changes nothing, silently; with other data it is
dead-lettered with the reason, in a later batch and within the same batch alike, and the first data stays."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import text

from invoice_svc.entrypoints.consumer import make_runner
from invoice_svc.testing.events import delivery
from mediabill_common.events.catalog import DELIVERY_TOPIC
from mediabill_common.testing.kafka import read_all
from tests.hostile.support import HostileFeed, dead_letters
from tests.hostile.test_delivery_hostile import raw_event

pytestmark = pytest.mark.integration


def _same_id(data: dict, event_id: str) -> bytes:
    return raw_event("CampaignDelivered", data, id=event_id)


async def _impressions(ctx, delivery_id: str) -> int | None:
    async with ctx.sessions() as s:
        return (await s.execute(text("SELECT impressions FROM invoice_svc.deliveries WHERE delivery_id = :d"),
                                {"d": delivery_id})).scalar_one_or_none()


async def test_an_id_reused_for_other_data_is_dead_lettered_and_an_exact_resend_is_a_duplicate(
        hostile_invoice_ctx, kafka_bootstrap, unique):
    u = unique
    first = delivery(f"D-{u}", account_id=f"A-{u}", product_code=f"P-{u}", line_item_id=f"L-{u}", impressions=1000)
    other = first | {"revision": 1, "impressions": 5000}
    event_id = str(uuid.uuid4())
    # the same data with its keys in another order is the same data
    reordered = raw_event("CampaignDelivered", dict(reversed(list(first.items()))), id=event_id)
    assert json.loads(reordered)["data"] == first
    async with HostileFeed(hostile_invoice_ctx, kafka_bootstrap, make_runner) as feed:
        await feed.send(DELIVERY_TOPIC, [(f"L-{u}", _same_id(first, event_id))])
        later = await feed.send(DELIVERY_TOPIC, [(f"L-{u}", reordered), (f"L-{u}", _same_id(other, event_id))])

        second_id = str(uuid.uuid4())
        same_batch = await feed.send(DELIVERY_TOPIC, [
            (f"L-{u}", _same_id(delivery(f"E-{u}", account_id=f"A-{u}", product_code=f"P-{u}",
                                         line_item_id=f"L-{u}", impressions=7), second_id)),
            (f"L-{u}", _same_id(delivery(f"E-{u}", account_id=f"A-{u}", product_code=f"P-{u}",
                                         line_item_id=f"L-{u}", impressions=9, revision=1), second_id)),
        ])

    reasons = await dead_letters(kafka_bootstrap, DELIVERY_TOPIC, [later[1], same_batch[1]], "invoice-svc")
    assert set(reasons) == {later[1].offset, same_batch[1].offset}
    for reason in reasons.values():
        assert "was already applied with other data: a producer reused the id" in reason
    assert await _impressions(hostile_invoice_ctx, f"D-{u}") == 1000
    assert await _impressions(hostile_invoice_ctx, f"E-{u}") == 7
    # the exact resend (reordered keys) was a duplicate: not dead-lettered
    letters = [dict(r.headers) for _, r in await read_all(kafka_bootstrap, f"{DELIVERY_TOPIC}.dlq")]
    assert not [h for h in letters if h.get("dlq-consumer") == b"invoice-svc"
                and h.get("dlq-original-partition") == str(later[0].partition).encode()
                and h.get("dlq-original-offset") == str(later[0].offset).encode()]
