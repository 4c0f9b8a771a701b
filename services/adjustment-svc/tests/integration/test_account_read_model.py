"""adjustment-svc consumes billing.config.v1 (events.md) into its account read model: the newest state_version wins,
products and contracts are ignored. Real topic, real consumer, real database."""

from __future__ import annotations

from adjustment_svc.adapters.account_repository import AccountReadModel
from adjustment_svc.entrypoints.consumer import TOPICS, make_runner
from mediabill_common.events.catalog import CONFIG_TOPIC
from mediabill_common.testing.kafka import consume_until, envelope_for, publish


def _account(account_id: str, legal_name: str) -> dict:
    return {"account_id": account_id, "type": "agency", "legal_name": legal_name, "currency": "USD",
            "payment_terms_days": 45, "invoice_contact": "ap@agency.example", "address": "1 Main St, Springfield"}


def _upserted(account_id: str, legal_name: str, version: int):
    return envelope_for("BillingAccountUpserted", {"state_version": version,
                                                   "account": _account(account_id, legal_name)}, subject=account_id)


async def test_the_newest_account_state_is_kept_and_products_and_contracts_are_ignored(adjustment_ctx,
                                                                                      kafka_bootstrap, unique):
    account_id, later = f"AG-{unique}", f"AG2-{unique}"
    big = 3_000_000_000  # state_version is 64-bit: product-config-svc counts past 2**31
    contract = {"state_version": 1, "contract": {
        "contract_id": f"IO-{unique}", "advertiser_account_id": "ADV", "bill_to_account_id": account_id,
        "currency": "USD", "flight_start": "2025-03-01", "flight_end": "2025-03-31"}}
    await publish(kafka_bootstrap, CONFIG_TOPIC, [
        (account_id, _upserted(account_id, "Media Agency v2", 2)),
        (account_id, _upserted(account_id, "Media Agency v1 (late)", 1)),
        (account_id, envelope_for("ContractActivated", contract, subject=f"IO-{unique}")),
        (account_id, _upserted(account_id, "Media Agency v3", big)),
        (account_id, _upserted(account_id, "Media Agency v2 (again)", 2)),
        (account_id, _upserted(later, "Last one", 1)),  # same key: applied after every event above, the contract too
    ])

    async def all_applied():
        async with adjustment_ctx.sessions() as session:
            return await AccountReadModel(session).get(later)

    await consume_until(adjustment_ctx, make_runner, TOPICS, all_applied, group_id=f"adj-accounts-{unique}")
    async with adjustment_ctx.sessions() as session:
        account = await AccountReadModel(session).get(account_id)
    assert (account.legal_name, account.state_version) == ("Media Agency v3", big)
    assert account.state["invoice_contact"] == "ap@agency.example"
    assert account.state["address"] == "1 Main St, Springfield"  # an optional field the contract may add, kept
