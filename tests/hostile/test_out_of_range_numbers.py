"""Numbers out of range, or not written in ASCII digits, on Kafka through each service's real consumer and the real
broker (issue 17 items 4 and 12): a configuration event with a rate of 10^30 (in a contract's lines, or in the terms
an amendment set), a budget past its bound, a tax rate in Arabic-Indic digits or a price with a leading space, a
delivery whose media cost is written so, a payment in Arabic-Indic digits: each goes to the dead-letter topic with a
reason naming the field, and the valid event sent after them is applied."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from dispute_svc.entrypoints.consumer import make_runner as dispute_runner
from invoice_svc.entrypoints.consumer import make_runner as invoice_runner
from invoice_svc.testing.events import account_state, contract_state, delivery, product_state
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC, PAYMENTS_TOPIC
from tests.hostile.support import HostileFeed, dead_letters

pytestmark = pytest.mark.integration

HUGE = "1" + "0" * 30
CONFIG_SOURCE = "/mediabill/product-config-svc"
# Where each consumer keeps the contract it was sent (its configuration read model).
STORED_CONTRACT = {
    "invoice-svc": "SELECT state_version, state FROM invoice_svc.contracts WHERE contract_id = :id",
    "dispute-svc": "SELECT state_version, state FROM dispute_svc.config_states WHERE kind = 'contract' AND key = :id",
}
RUNNERS = {"invoice-svc": invoice_runner, "dispute-svc": dispute_runner}


def raw_event(event_type: str, data: dict, source: str) -> bytes:
    return json.dumps({"specversion": "1.0", "id": str(uuid.uuid4()), "source": source, "type": event_type,
                       "time": datetime.now(UTC).isoformat(), "subject": "numbers",
                       "datacontenttype": "application/json", "schemaversion": 1, "data": data}).encode()


def _config(event_type: str, name: str, state: dict, version: int) -> bytes:
    return raw_event(event_type, {"state_version": version, name: state}, CONFIG_SOURCE)


@pytest.mark.parametrize("service", list(RUNNERS))
async def test_out_of_range_or_non_ascii_configuration_is_dead_lettered_and_the_valid_state_applied(
        hostile_contexts, kafka_bootstrap, unique, service):
    u = unique
    cid, account, product = f"C-{u}", f"A-{u}", f"P-{u}"
    good = contract_state(cid, account_id=account, product_code=product, line_item_id=f"L-{u}")
    amended = {**good, "amendment_no": 1, "versions": [*good["versions"], {
        "amendment_no": 1, "effective_from": good["flight_start"],
        "terms": {"lines": [{**good["lines"][0], "rate": HUGE}]}}]}
    dead = {
        "a contract line rate of 10^30": _config(
            "ContractActivated", "contract", {**good, "lines": [{**good["lines"][0], "rate": HUGE}]}, 1),
        "an amendment setting a rate of 10^30": _config("ContractAmended", "contract", amended, 2),
        "a budget past its bound": _config(
            "ContractAmended", "contract", {**good, "lines": [{**good["lines"][0], "budget": "1" + "0" * 13}]}, 2),
        "a tax rate in Arabic-Indic digits": _config(
            "BillingAccountUpserted", "account", {**account_state(account), "tax_rates": {"ADV": "١٠"}}, 1),
        "a rate-card price with a leading space": _config(
            "ProductActivated", "product", {**product_state(product), "rate_cards": [
                {"effective_from": "2025-01-01", "currency": "USD", "price": " 5.00"}]}, 1),
    }
    async with HostileFeed(hostile_contexts[service], kafka_bootstrap, RUNNERS[service]) as feed:
        records = await feed.send(CONFIG_TOPIC, [(cid, value) for value in dead.values()]
                                  + [(cid, _config("ContractActivated", "contract", good, 3))])

    reasons = await dead_letters(kafka_bootstrap, CONFIG_TOPIC, records[:len(dead)], service)
    by_case = dict(zip(dead, (reasons[r.offset] for r in records[:len(dead)]), strict=True))
    assert "contract.lines.0.rate" in by_case["a contract line rate of 10^30"]
    assert "below 1,000,000,000" in by_case["a contract line rate of 10^30"]
    assert "contract.versions.1.terms" in by_case["an amendment setting a rate of 10^30"]
    assert "lines.0.rate" in by_case["an amendment setting a rate of 10^30"]
    assert "contract.lines.0.budget" in by_case["a budget past its bound"]
    assert "account.tax_rates.ADV" in by_case["a tax rate in Arabic-Indic digits"]
    assert "ASCII digits" in by_case["a tax rate in Arabic-Indic digits"]
    assert "product.rate_cards.0.price" in by_case["a rate-card price with a leading space"]
    async with hostile_contexts[service].sessions() as s:
        version, state = (await s.execute(text(STORED_CONTRACT[service]), {"id": cid})).one()
    assert (version, state["lines"][0]["rate"]) == (3, "6.00")


async def test_money_in_other_digits_or_with_spaces_is_dead_lettered_on_delivery_and_payment_topics(
        hostile_invoice_ctx, kafka_bootstrap, unique):
    u = unique
    li = f"L-{u}"
    base = delivery(f"D-{u}", account_id=f"A-{u}", product_code=f"P-{u}", line_item_id=li)
    dead_deliveries = {
        "media_cost in Arabic-Indic digits": raw_event(
            "CampaignDelivered", {**base, "delivery_id": f"D-{u}-ar", "media_cost": "١.٠٠", "currency": "USD"},
            "/ad-platforms/hostile"),
        "media_cost with a leading space": raw_event(
            "CampaignDelivered", {**base, "delivery_id": f"D-{u}-sp", "media_cost": " 1.00", "currency": "USD"},
            "/ad-platforms/hostile"),
    }
    payment = {"payment_id": f"PAY-{u}", "invoice_id": f"INV-{u}", "bill_to_account_id": f"A-{u}",
               "amount": "١.٠٠", "currency": "USD", "applied_at": datetime.now(UTC).isoformat()}
    async with HostileFeed(hostile_invoice_ctx, kafka_bootstrap, invoice_runner) as feed:
        deliveries = await feed.send(DELIVERY_TOPIC, [(li, v) for v in dead_deliveries.values()]
                                     + [(li, raw_event("CampaignDelivered", base, "/ad-platforms/hostile"))])
        payments = await feed.send(PAYMENTS_TOPIC, [(f"A-{u}", raw_event("PaymentApplied", payment,
                                                                          "/collections/hostile"))])

    reasons = await dead_letters(kafka_bootstrap, DELIVERY_TOPIC, deliveries[:2], "invoice-svc")
    for record in deliveries[:2]:
        assert "media_cost" in reasons[record.offset] and "ASCII digits" in reasons[record.offset]
    [paid] = (await dead_letters(kafka_bootstrap, PAYMENTS_TOPIC, payments, "invoice-svc")).values()
    assert "amount" in paid and "ASCII digits" in paid
    async with hostile_invoice_ctx.sessions() as s:
        kept = (await s.execute(text("SELECT delivery_id FROM invoice_svc.deliveries WHERE delivery_id LIKE :p"),
                                {"p": f"D-{u}%"})).scalars().all()
    assert kept == [f"D-{u}"]
