"""The real consumer on the real topics: invoice read model, parking, credits, config versions, reopening."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from dispute_svc.adapters.config_repository import ConfigRepository
from dispute_svc.adapters.dispute_repository import DisputeRepository
from dispute_svc.adapters.invoice_repository import InvoiceRepository
from dispute_svc.adapters.tables import common
from dispute_svc.entrypoints.consumer import TOPICS, make_runner
from mediabill_common.events.catalog import DisputeReopened
from mediabill_common.testing.kafka import consume_until, envelope_for, flush_outbox, publish, read_topic


async def _invoice(env, invoice_id):
    async with env.ctx.sessions() as session:
        return await InvoiceRepository(session).get(invoice_id)


async def test_invoices_from_the_topic_feed_the_read_model_and_parked_events_apply_on_arrival(
        dispute_env, dispute_invoice_data, unique, kafka_bootstrap):
    live = dispute_invoice_data(f"{unique}a")
    voided = dispute_invoice_data(f"{unique}b")
    void_first = envelope_for("InvoiceVoided", {
        "invoice_id": voided["invoice_id"], "invoice_number": voided["invoice_number"],
        "bill_to_account_id": voided["bill_to_account_id"], "reason": "duplicate", "voided_by": "mgr",
        "voided_at": "2026-11-03T10:00:00Z"}, subject=voided["invoice_id"], source="/mediabill/invoice-svc")
    memo_first = envelope_for("CreditMemoIssued", {
        "memo_id": f"m-{unique}", "memo_number": f"CM-2026-{unique[:8]}", "adjustment_id": f"adj-{unique}",
        "invoice_id": live["invoice_id"], "invoice_number": live["invoice_number"],
        "bill_to_account_id": live["bill_to_account_id"], "dispute_id": None,
        "lines": [{"invoice_line_id": f"{unique}a-u2", "kind": "usage", "amount": "200.00", "description": "x"},
                  {"invoice_line_id": f"{unique}a-d1", "kind": "discount", "amount": "-5.00", "description": "y"}],
        "total": "195.00", "currency": "USD", "reason_code": "other", "requested_by": "ana", "approved_by": ["m"],
        "issued_at": "2026-11-04T10:00:00Z"}, subject=f"m-{unique}", source="/mediabill/adjustment-svc")
    await publish(kafka_bootstrap, "billing.adjustments.v1", [(live["bill_to_account_id"], memo_first)])
    await publish(kafka_bootstrap, "billing.invoices.v1", [
        (voided["bill_to_account_id"], void_first),
        (voided["bill_to_account_id"], envelope_for("InvoiceIssued", voided, subject=voided["invoice_id"],
                                                    source="/mediabill/invoice-svc")),
        (live["bill_to_account_id"], envelope_for("InvoiceIssued", live, subject=live["invoice_id"],
                                                  source="/mediabill/invoice-svc")),
    ])

    async def applied() -> bool:
        v, inv = await _invoice(dispute_env, voided["invoice_id"]), await _invoice(dispute_env, live["invoice_id"])
        return v is not None and v.status == "void" and inv is not None and inv.line(f"{unique}a-u2").credited > 0

    await consume_until(dispute_env.ctx, make_runner, TOPICS, applied, group_id=f"dispute-test-{unique}")

    invoice = await _invoice(dispute_env, live["invoice_id"])
    assert [ln.invoice_line_id for ln in invoice.lines] == [f"{unique}a-{k}" for k in ("u1", "u2", "f1", "o1", "d1")]
    assert str(invoice.line(f"{unique}a-u2").credited) == "200.00"
    async with dispute_env.ctx.sessions() as session:
        parked = (await session.execute(select(common.parked_events).where(
            common.parked_events.c.waiting_for.in_([live["invoice_id"], voided["invoice_id"]])))).all()
    assert parked == []
    void_resp = await dispute_env.open(voided, {f"{unique}b-u1": "10.00"})
    assert void_resp.status_code == 409 and "is void" in void_resp.json()["detail"]
    headroom = await dispute_env.open(live, {f"{unique}a-u2": "500.01"})
    assert "headroom of 500.00 USD" in headroom.json()["detail"]
    assert (await dispute_env.open(live, {f"{unique}a-u2": "500.00"})).status_code == 201


async def test_config_read_model_ignores_stale_state_versions(dispute_env, unique, kafka_bootstrap):
    def contract(version: int, po: str):
        return envelope_for("ContractAmended", {"state_version": version, "contract": {
            "contract_id": f"IO-{unique}", "advertiser_account_id": "adv", "bill_to_account_id": "agy",
            "currency": "USD", "flight_start": "2026-01-01", "flight_end": "2026-12-31", "po_number": po}},
            subject=f"IO-{unique}", source="/mediabill/product-config-svc")

    await publish(kafka_bootstrap, "billing.config.v1", [(f"IO-{unique}", contract(2, "PO-2")),
                                                         (f"IO-{unique}", contract(1, "PO-1"))])
    marker = envelope_for("BillingAccountUpserted", {"state_version": 1, "account": {
        "account_id": f"acc-{unique}", "type": "advertiser", "legal_name": "Acme", "currency": "USD"}},
        subject=f"acc-{unique}", source="/mediabill/product-config-svc")
    await publish(kafka_bootstrap, "billing.config.v1", [(f"IO-{unique}", marker)])  # same key: after both

    async def consumed() -> bool:
        async with dispute_env.ctx.sessions() as session:
            return await ConfigRepository(session).get("account", f"acc-{unique}") is not None

    await consume_until(dispute_env.ctx, make_runner, TOPICS, consumed, group_id=f"dispute-test-{unique}")
    async with dispute_env.ctx.sessions() as session:
        kept = await ConfigRepository(session).get("contract", f"IO-{unique}")
    assert kept["po_number"] == "PO-2"


async def test_rejected_settling_credit_reopens_the_upheld_dispute(dispute_env, unique, kafka_bootstrap):
    inv = await dispute_env.seed_invoice(unique)
    did = (await dispute_env.open(inv, {f"{unique}-u1": "200.00"})).json()["dispute_id"]
    await dispute_env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
    resolved = await dispute_env.post(f"/v1/disputes/{did}/resolve", {
        "outcome": "upheld", "credit_amount": "200.00", "resolution_note": "rate was wrong"}, sub="jane")
    assert resolved.status_code == 200
    # While the credit is pending the hold stays: the line's headroom still excludes the 200.00.
    assert "headroom of 2800.00" in (await dispute_env.open(inv, {f"{unique}-u1": "2800.01"})).json()["detail"]

    rejected = envelope_for("AdjustmentRejected", {
        "adjustment_id": f"adj-{unique}", "invoice_id": inv["invoice_id"],
        "bill_to_account_id": inv["bill_to_account_id"], "dispute_id": did, "rejected_by": "director",
        "reason": "no evidence attached", "rejected_at": "2026-11-12T10:00:00Z"},
        subject=f"adj-{unique}", source="/mediabill/adjustment-svc")
    await publish(kafka_bootstrap, "billing.adjustments.v1", [(inv["bill_to_account_id"], rejected)])

    async def reopened() -> bool:
        async with dispute_env.ctx.sessions() as session:
            return (await DisputeRepository(session).get(did)).status == "in_review"

    await consume_until(dispute_env.ctx, make_runner, TOPICS, reopened, group_id=f"dispute-test-{unique}")
    body = (await dispute_env.get(f"/v1/disputes/{did}")).json()
    assert (body["status"], body["outcome"], body["credit_amount"]) == ("in_review", None, None)
    assert body["history"][-1]["action"] == "reopened" and "no evidence attached" in body["history"][-1]["note"]

    await flush_outbox(dispute_env.ctx)
    [(value, record)] = await read_topic(
        kafka_bootstrap, "billing.disputes.v1",
        lambda v, r: bool(v) and v["type"] == "DisputeReopened" and v["data"]["dispute_id"] == did, count=1)
    event = DisputeReopened.model_validate(value["data"])
    assert event.reopened_at == datetime(2026, 11, 12, 10, tzinfo=UTC)
    assert "credit request adj-" in event.reason and record.key.decode() == inv["bill_to_account_id"]
    assert value["causationid"] == rejected.id
    # Reopened, the dispute can be decided again.
    again = await dispute_env.post(f"/v1/disputes/{did}/resolve", {
        "outcome": "partially_upheld", "credit_amount": "150.00", "resolution_note": "evidence now attached"})
    assert again.status_code == 200
