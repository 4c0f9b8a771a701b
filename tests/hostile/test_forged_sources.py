"""Forged events through the real consumers on the real broker: an event is accepted only from a source that may
publish its type (Mediabill's own events from the producing service, deliveries from /ad-platforms/..., payments
from /collections/...). A forged ContractAmended with a huge state_version must not pin the read models: it is
dead-lettered with the reason, and the real amendment after it applies."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dispute_svc.entrypoints.consumer import make_runner as dispute_runner
from invoice_svc.entrypoints.consumer import make_runner as invoice_runner
from invoice_svc.testing.events import contract_state, delivery
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC, PAYMENTS_TOPIC
from tests.hostile.support import HostileFeed, dead_letters
from tests.hostile.test_delivery_hostile import raw_event

pytestmark = pytest.mark.integration

PRODUCT_CONFIG = "/mediabill/product-config-svc"
CONTRACT_READERS = {
    "invoice-svc": (invoice_runner, "SELECT state_version, state FROM invoice_svc.contracts WHERE contract_id = :k"),
    "dispute-svc": (dispute_runner, "SELECT state_version, state FROM dispute_svc.config_states "
                                    "WHERE kind = 'contract' AND key = :k"),
}


async def _contract_row(ctx, sql: str, key: str):
    async with ctx.sessions() as s:
        return (await s.execute(text(sql), {"k": key})).one_or_none()


def _amended(contract: dict, version: int, rate: str, source: str) -> bytes:
    state = contract | {"amendment_no": version, "lines": [contract["lines"][0] | {"rate": rate}]}
    return raw_event("ContractAmended", {"state_version": version, "contract": state}, source=source,
                     subject=contract["contract_id"])


@pytest.mark.parametrize("service", list(CONTRACT_READERS))
async def test_a_forged_amendment_is_dead_lettered_and_the_real_one_after_it_applies(
        service, hostile_contexts, kafka_bootstrap, unique):
    make_runner, sql = CONTRACT_READERS[service]
    ctx = hostile_contexts[service]
    c = f"C-{unique}"
    contract = contract_state(c, account_id=f"A-{unique}", product_code=f"P-{unique}")
    async with HostileFeed(ctx, kafka_bootstrap, make_runner) as feed:
        records = await feed.send(CONFIG_TOPIC, [
            (c, raw_event("ContractActivated", {"state_version": 1, "contract": contract}, source=PRODUCT_CONFIG)),
            (c, _amended(contract, 1_000_000, "0.01", "/rt/forged")),
            # a source that is Mediabill's, but not the producer of configuration
            (c, _amended(contract, 999_999, "0.02", "/mediabill/invoice-svc")),
            (c, _amended(contract, 3, "7.50", PRODUCT_CONFIG)),
        ])

    reasons = await dead_letters(kafka_bootstrap, CONFIG_TOPIC, records[1:3], service)
    assert reasons[records[1].offset] == ("source '/rt/forged' may not publish ContractAmended: only "
                                          "product-config-svc (/mediabill/product-config-svc) does")
    assert "'/mediabill/invoice-svc' may not publish ContractAmended" in reasons[records[2].offset]
    version, state = await _contract_row(ctx, sql, c)
    assert version == 3
    assert state["lines"][0]["rate"] == "7.50"


async def test_deliveries_and_payments_are_accepted_only_from_their_configured_sources(
        hostile_invoice_ctx, kafka_bootstrap, unique):
    u = unique
    good = delivery(f"D-{u}", account_id=f"A-{u}", product_code=f"P-{u}", line_item_id=f"L-{u}")
    payment = {"payment_id": f"PAY-{u}", "invoice_id": f"INV-{u}", "bill_to_account_id": f"A-{u}",
               "amount": "1.00", "currency": "USD", "applied_at": "2025-07-10T09:00:00Z"}
    async with HostileFeed(hostile_invoice_ctx, kafka_bootstrap, invoice_runner) as feed:
        deliveries = await feed.send(DELIVERY_TOPIC, [
            (f"L-{u}", raw_event("CampaignDelivered", good, source="/mediabill/invoice-svc")),
            (f"L-{u}", raw_event("CampaignDelivered", good, source="/ad-platforms/")),
            (f"L-{u}", raw_event("CampaignDelivered", good, source="/collections/pio")),
            (f"L-{u}", raw_event("CampaignDelivered", good, source="/ad-platforms/oms")),
        ])
        payments = await feed.send(PAYMENTS_TOPIC, [
            (f"A-{u}", raw_event("PaymentApplied", payment, source="/ad-platforms/pio")),
        ])

    reasons = await dead_letters(kafka_bootstrap, DELIVERY_TOPIC, deliveries[:3], "invoice-svc")
    for record in deliveries[:3]:
        assert "may not publish CampaignDelivered: accepted are /ad-platforms/..." in reasons[record.offset]
    [payment_reason] = (await dead_letters(kafka_bootstrap, PAYMENTS_TOPIC, payments, "invoice-svc")).values()
    assert "may not publish PaymentApplied: accepted are /collections/..." in payment_reason
    async with hostile_invoice_ctx.sessions() as s:
        stored = (await s.execute(text("SELECT count(*) FROM invoice_svc.deliveries WHERE delivery_id = :d"),
                                  {"d": f"D-{u}"})).scalar_one()
    assert stored == 1


async def test_dispute_svc_keeps_a_64_bit_state_version(hostile_contexts, kafka_bootstrap, unique):
    ctx = hostile_contexts["dispute-svc"]
    c = f"C-{unique}"
    contract = contract_state(c, account_id=f"A-{unique}", product_code=f"P-{unique}")
    async with HostileFeed(ctx, kafka_bootstrap, dispute_runner) as feed:
        await feed.send(CONFIG_TOPIC, [(c, _amended(contract, 3_000_000_000, "6.00", PRODUCT_CONFIG))])
    version, _ = await _contract_row(ctx, CONTRACT_READERS["dispute-svc"][1], c)
    assert version == 3_000_000_000
