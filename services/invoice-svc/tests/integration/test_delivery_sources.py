"""One line item's day is billed from one delivery source (oversight.md O1): without `billing_sources` on the
product, the first source seen for a (line item, service date) bills it; another source's record for the same day
is kept, not billed, and raises `source_conflict`."""

from __future__ import annotations

import pytest

from invoice_svc.testing.billing import (
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    line,
    make_billing,
    product,
)
from mediabill_common.events.catalog import EXCEPTIONS_TOPIC
from mediabill_common.testing.kafka import flush_outbox, read_topic

pytestmark = pytest.mark.integration


@pytest.fixture
async def billing(invoice_ctx):
    b = make_billing(invoice_ctx)
    yield b
    await b.client.aclose()


async def _one_line_contract(feed, u: str) -> dict:
    p, adv = f"P-{u}", f"ADV-{u}"
    await configure(feed, products=[product(p)], accounts=[account(adv)],
                    contracts=[contract(f"C-{u}", advertiser=adv, bill_to=adv,
                                        lines=[{"line_item_id": f"L-{u}", "product_code": p, "rate": "5.00"}])])
    return {"account_id": adv, "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": p}


async def _ledger(billing, **filters: str) -> dict[str, dict]:
    response = await billing.client.get("/v1/deliveries", params=filters | {"limit": 200}, headers=READER)
    assert response.status_code == 200, response.text
    return {d["delivery_id"]: d for d in response.json()["items"]}


async def test_same_line_item_day_from_two_sources_is_billed_once_and_raises_source_conflict(
        invoice_feed, billing, kafka_bootstrap, unique):
    base = await _one_line_contract(invoice_feed, unique)
    adv = base["account_id"]
    await deliver(invoice_feed, [delivery(f"PIO-{unique}", day="2025-03-10", impressions=100_000, **base)])
    await deliver(invoice_feed, [delivery(f"OMS-{unique}", day="2025-03-10", impressions=100_000,
                                          source_system="oms", **base)])
    await billing.bill("2025-03", "issue", [adv])
    march = await billing.issued_invoice(adv, "2025-03")
    assert (line(march, "usage")["quantity"], march["total"]) == (100_000, "500.00")  # not 200,000 / 1,000.00

    ledger = await _ledger(billing, account_id=adv)
    kept = ledger[f"OMS-{unique}"]  # stored, never lost, but not billed
    assert (kept["billable"], kept["exception_kinds"], kept["impressions"]) == (False, ["source_conflict"], 100_000)
    assert (ledger[f"PIO-{unique}"]["billable"], ledger[f"PIO-{unique}"]["exception_kinds"]) == (True, [])
    [conflict] = await exceptions_of(billing.ctx, adv, "source_conflict")
    assert (conflict["status"], conflict["delivery_id"]) == ("open", f"OMS-{unique}")
    assert conflict["refs"]["source_system"] == "oms" and conflict["refs"]["billing_source_system"] == "pio"
    assert conflict["refs"]["billing_delivery_id"] == f"PIO-{unique}"
    assert (conflict["quantity"], conflict["unit"], conflict["amount_at_risk"]) == (100_000, "impressions", 500)
    await flush_outbox(billing.ctx)
    [(event, _)] = await read_topic(kafka_bootstrap, EXCEPTIONS_TOPIC, lambda v, r: bool(v) and v.get(
        "data", {}).get("exception_id") == conflict["exception_id"], count=1)
    assert event["type"] == "BillingExceptionRaised" and event["data"]["kind"] == "source_conflict"
