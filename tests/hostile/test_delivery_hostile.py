"""ads.delivery.v1 under hostile input, through invoice-svc's real consumer and the real broker: whatever does not
parse goes to ads.delivery.v1.dlq with its reason, an unknown type is ignored and counted, a record that parses but
cannot be billed is kept with a billing exception, and a valid record after all of them is still recorded."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from invoice_svc.entrypoints.consumer import make_runner
from invoice_svc.testing.billing import exceptions_of
from invoice_svc.testing.events import account_state, config_event, contract_state, delivery, product_state
from mediabill_common.consumer.runner import UNKNOWN
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC
from tests.hostile.support import HostileFeed, dead_letters

pytestmark = pytest.mark.integration


def raw_event(event_type: str, data: dict, *, drop: tuple[str, ...] = (), **attrs) -> bytes:
    """A CloudEvents envelope built by hand, so that any field may be wrong, missing or huge."""
    envelope = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/ad-platforms/hostile",
                "type": event_type, "time": datetime.now(UTC).isoformat(), "subject": "hostile",
                "datacontenttype": "application/json", "schemaversion": 1, "data": data, **attrs}
    for name in drop:
        envelope.pop(name)
    return json.dumps(envelope).encode()


def without(data: dict, name: str) -> dict:
    return {k: v for k, v in data.items() if k != name}


async def test_hostile_deliveries_are_dead_lettered_or_kept_as_exceptions_and_the_consumer_carries_on(
        hostile_invoice_ctx, kafka_bootstrap, unique):
    u = unique
    p, a, c, li = f"P-{u}", f"A-{u}", f"C-{u}", f"L-{u}"
    async with HostileFeed(hostile_invoice_ctx, kafka_bootstrap, make_runner) as feed:
        await feed.send(CONFIG_TOPIC, [(key, env.to_json_bytes()) for key, env in (
            config_event("ProductActivated", product_state(p)),
            config_event("BillingAccountUpserted", account_state(a)),
            config_event("ContractActivated", contract_state(c, account_id=a, product_code=p, line_item_id=li)))])
        good = delivery(f"D-{u}", account_id=a, product_code=p, contract_id=c, line_item_id=li)
        dead = {
            "not JSON": b"{not json " + u.encode(),
            "a JSON array": b"[1, 2, 3]",
            "an empty value": None,
            "an envelope without type": raw_event("CampaignDelivered", good, drop=("type",)),
            "impressions as text": raw_event("CampaignDelivered", good | {"impressions": "lots"}),
            "a negative revision": raw_event("CampaignDelivered", good | {"revision": -1}),
            "money as a JSON number": raw_event("CampaignDelivered", good | {"media_cost": 12.5, "currency": "USD"}),
            "no line_item_id": raw_event("CampaignDelivered", without(good, "line_item_id")),
            "no delivery_date": raw_event("CampaignDelivered", without(good, "delivery_date")),
            "a currency that is not ISO 4217": raw_event("CampaignDelivered",
                                                        good | {"media_cost": "1.00", "currency": "dollars"}),
            "an unsupported schemaversion": raw_event("CampaignDelivered", good, schemaversion=2),
            "a 900 KB campaign_name": raw_event("CampaignDelivered", good | {"campaign_name": "x" * 900_000}),
            # past what the ledger's columns hold: refused for its schema, not by a failing INSERT
            "a revision past 32 bits": raw_event("CampaignDelivered", good | {"revision": 2 ** 31}),
            "impressions past 64 bits": raw_event("CampaignDelivered", good | {"impressions": 2 ** 63}),
        }
        unknown_before = UNKNOWN.labels("invoice-svc", "CampaignPaused")._value.get()
        not_billable = delivery(f"D-{u}-np", account_id=a, product_code=f"NOPE-{u}", contract_id=c, line_item_id=li)
        items = [(li, value) for value in dead.values()] + [
            (li, raw_event("CampaignPaused", {"line_item_id": li})),
            (li, raw_event("CampaignDelivered", not_billable)),
            (li, raw_event("CampaignDelivered", good)),
        ]
        records = await feed.send(DELIVERY_TOPIC, items)

    reasons = await dead_letters(kafka_bootstrap, DELIVERY_TOPIC, records[:len(dead)], "invoice-svc")
    by_case = dict(zip(dead, (reasons[r.offset] for r in records[:len(dead)]), strict=True))
    assert "not JSON" in by_case["not JSON"]
    assert "not a JSON object" in by_case["a JSON array"]
    assert "empty message value" in by_case["an empty value"]
    assert "not a CloudEvents 1.0 envelope: type" in by_case["an envelope without type"]
    assert "impressions" in by_case["impressions as text"]
    assert "revision" in by_case["a negative revision"]
    assert "media_cost" in by_case["money as a JSON number"]
    assert "line_item_id: Field required" in by_case["no line_item_id"]
    assert "delivery_date: Field required" in by_case["no delivery_date"]
    assert "currency" in by_case["a currency that is not ISO 4217"]
    assert "schemaversion 2" in by_case["an unsupported schemaversion"]
    assert "campaign_name: String should have at most 1000 characters" in by_case["a 900 KB campaign_name"]
    assert "revision: Input should be less than or equal to 2147483647" in by_case["a revision past 32 bits"]
    assert ("impressions: Input should be less than or equal to 9223372036854775807"
            in by_case["impressions past 64 bits"])
    # nothing else of ours was dead-lettered: the unknown type is ignored and counted, not a dead letter
    assert UNKNOWN.labels("invoice-svc", "CampaignPaused")._value.get() == unknown_before + 1
    async with hostile_invoice_ctx.sessions() as s:
        kept = dict((await s.execute(text(
            "SELECT delivery_id, billable FROM invoice_svc.deliveries WHERE delivery_id LIKE :p"),
            {"p": f"D-{u}%"})).all())
    assert kept == {f"D-{u}": True, f"D-{u}-np": False}
    [raised] = await exceptions_of(hostile_invoice_ctx, a, "unknown_product")
    assert raised["refs"]["delivery_id"] == f"D-{u}-np"
