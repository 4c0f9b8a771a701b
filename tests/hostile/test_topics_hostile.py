"""Hostile records on the other consumed topics, each through the real consumer of every service that reads the
topic: billing.config.v1 (invoice-svc, dispute-svc, adjustment-svc), billing.invoices.v1 (dispute-svc,
adjustment-svc) and collections.payments.v1 (invoice-svc). Unparseable -> <topic>.dlq with the reason; unknown type
-> ignored and counted; a payment in the wrong currency -> kept, payment_currency_mismatch; the valid record after
them applies."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from adjustment_svc.entrypoints.consumer import make_runner as adjustment_runner
from dispute_svc.entrypoints.consumer import make_runner as dispute_runner
from invoice_svc.entrypoints.consumer import make_runner as invoice_runner
from invoice_svc.testing.billing import (
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    make_billing,
    product,
)
from invoice_svc.testing.events import Feed, account_state, contract_state, product_state
from mediabill_common.consumer.runner import UNKNOWN
from mediabill_common.events.catalog import CONFIG_TOPIC, INVOICES_TOPIC, PAYMENTS_TOPIC
from tests.hostile.support import HostileFeed, dead_letters
from tests.hostile.test_delivery_hostile import raw_event

pytestmark = pytest.mark.integration

CONFIG_READERS = {
    "invoice-svc": ("invoice-svc", invoice_runner,
                    "SELECT state_version FROM invoice_svc.accounts WHERE account_id = :k"),
    "dispute-svc": ("dispute-svc", dispute_runner,
                    "SELECT state_version FROM dispute_svc.config_states WHERE key = :k"),
    "adjustment-svc": ("adjustment-svc", adjustment_runner,
                       "SELECT state_version FROM adjustment_svc.accounts WHERE account_id = :k"),
}
# adjustment-svc reads only accounts there: product and contract events are types it ignores, never dead letters.
ACCOUNT_CASES = ("a 5000-character legal_name", "payment terms as text")
INVOICE_READERS = {
    "dispute-svc": ("dispute-svc", dispute_runner, "SELECT invoice_number FROM dispute_svc.invoices "
                                                           "WHERE invoice_id = :k"),
    "adjustment-svc": ("adjustment-svc", adjustment_runner, "SELECT invoice_number FROM "
                                                                    "adjustment_svc.invoices WHERE invoice_id = :k"),
}


async def _scalar(ctx, sql: str, key: str):
    async with ctx.sessions() as s:
        return (await s.execute(text(sql), {"k": key})).scalar_one_or_none()


@pytest.mark.parametrize("service", list(CONFIG_READERS))
async def test_hostile_configuration_events_are_dead_lettered_and_the_next_state_applies(
        service, hostile_contexts, kafka_bootstrap, unique):
    fixture, make_runner, applied_sql = CONFIG_READERS[service]
    ctx = hostile_contexts[fixture]
    a, p, c = f"A-{unique}", f"P-{unique}", f"C-{unique}"

    def config(event_type: str, name: str, state: dict, version: int = 1) -> bytes:
        return raw_event(event_type, {"state_version": version, name: state}, source="/mediabill/product-config-svc")

    dead = {
        "state_version 0": config("ProductActivated", "product", product_state(p), version=0),
        "a contract without currency": config("ContractActivated", "contract", {
            k: v for k, v in contract_state(c, account_id=a, product_code=p).items() if k != "currency"}),
        "a 5000-character legal_name": config("BillingAccountUpserted", "account",
                                              account_state(a) | {"legal_name": "L" * 5000}),
        "payment terms as text": config("BillingAccountUpserted", "account",
                                        account_state(a) | {"payment_terms_days": "thirty"}),
        "an unknown pricing model": config("ProductActivated", "product",
                                           product_state(p) | {"pricing_model": "cpv"}),
    }
    if service == "adjustment-svc":
        dead = {case: dead[case] for case in ACCOUNT_CASES}
    unknown_before = UNKNOWN.labels(service, "ProductArchived")._value.get()
    async with HostileFeed(ctx, kafka_bootstrap, make_runner) as feed:
        records = await feed.send(CONFIG_TOPIC, [(a, value) for value in dead.values()] + [
            (a, raw_event("ProductArchived", {"state_version": 2, "product": {"code": p}})),
            (a, config("BillingAccountUpserted", "account", account_state(a), version=3)),
        ])

    reasons = await dead_letters(kafka_bootstrap, CONFIG_TOPIC, records[:len(dead)], service)
    by_case = dict(zip(dead, (reasons[r.offset] for r in records[:len(dead)]), strict=True))
    expected = {"state_version 0": "state_version",
                "a contract without currency": "contract.currency: Field required",
                "a 5000-character legal_name": "legal_name: String should have at most 1000 characters",
                "payment terms as text": "payment_terms_days", "an unknown pricing model": "pricing_model"}
    for case, reason in by_case.items():
        assert expected[case] in reason, (case, reason)
    assert UNKNOWN.labels(service, "ProductArchived")._value.get() == unknown_before + 1
    assert await _scalar(ctx, applied_sql, a) == 3


def _invoice_issued(invoice_id: str, account_id: str) -> dict:
    return {"invoice_id": invoice_id, "invoice_number": f"INV-{invoice_id[-10:]}", "account_id": account_id,
            "bill_to_account_id": account_id, "contract_id": None, "po_number": None, "period": "2025-06",
            "period_start": "2025-06-01", "period_end": "2025-06-30", "issue_date": "2025-07-01",
            "due_date": "2025-07-31", "currency": "USD", "lines": [{
                "invoice_line_id": f"{invoice_id}-L1", "kind": "usage", "product_code": "P", "description": "Display",
                "quantity": 1000, "unit": "impressions", "unit_price": "5.00", "price_base_quantity": 1000,
                "amount": "5.00"}],
            "subtotal": "5.00", "discount_total": "0.00", "commission_total": "0.00", "tax_total": "0.00",
            "total": "5.00"}


@pytest.mark.parametrize("service", list(INVOICE_READERS))
async def test_hostile_invoice_events_are_dead_lettered_and_the_next_invoice_is_recorded(
        service, hostile_contexts, kafka_bootstrap, unique):
    fixture, make_runner, recorded_sql = INVOICE_READERS[service]
    ctx = hostile_contexts[fixture]
    a = f"A-{unique}"
    issued = _invoice_issued(f"INV-{unique}", a)
    source = "/mediabill/invoice-svc"
    dead = {
        "a total as a JSON number": raw_event("InvoiceIssued", issued | {"total": 5.0}, source=source),
        "no lines": raw_event("InvoiceIssued", {k: v for k, v in issued.items() if k != "lines"}, source=source),
        "a line of an unknown kind": raw_event("InvoiceIssued", issued | {"lines": [
            issued["lines"][0] | {"kind": "bonus"}]}, source=source),
        # both services read InvoiceVoided (adjustment-svc ignores InvoiceBalanceChanged: not a dead letter there)
        "a void without its reason": raw_event("InvoiceVoided", {
            "invoice_id": issued["invoice_id"], "invoice_number": issued["invoice_number"], "bill_to_account_id": a,
            "voided_by": "x", "voided_at": "2025-07-02T10:00:00Z"}, source=source),
        "an invoice id of 300 characters": raw_event("InvoiceIssued", issued | {"invoice_id": "I" * 300},
                                                     source=source),
    }
    unknown_before = UNKNOWN.labels(service, "InvoiceArchived")._value.get()
    async with HostileFeed(ctx, kafka_bootstrap, make_runner) as feed:
        records = await feed.send(INVOICES_TOPIC, [(a, value) for value in dead.values()] + [
            (a, raw_event("InvoiceArchived", {"invoice_id": issued["invoice_id"]}, source=source)),
            (a, raw_event("InvoiceIssued", issued, source=source)),
        ])

    reasons = await dead_letters(kafka_bootstrap, INVOICES_TOPIC, records[:len(dead)], service)
    by_case = dict(zip(dead, (reasons[r.offset] for r in records[:len(dead)]), strict=True))
    assert "total" in by_case["a total as a JSON number"]
    assert "lines: Field required" in by_case["no lines"]
    assert "lines.0.kind" in by_case["a line of an unknown kind"]
    assert "reason: Field required" in by_case["a void without its reason"]
    assert "invoice_id: String should have at most 200 characters" in by_case["an invoice id of 300 characters"]
    assert UNKNOWN.labels(service, "InvoiceArchived")._value.get() == unknown_before + 1
    assert await _scalar(ctx, recorded_sql, issued["invoice_id"]) == issued["invoice_number"]


async def test_hostile_payments_are_dead_lettered_a_wrong_currency_is_an_exception_and_the_next_one_applies(
        hostile_invoice_ctx, kafka_bootstrap, unique):
    u, adv, p = unique, f"ADV-{unique}", f"P-{unique}"
    feed = Feed(hostile_invoice_ctx, kafka_bootstrap, f"hostile-payments-{u}")
    await feed.start()
    billing = make_billing(hostile_invoice_ctx)
    try:
        await configure(feed, products=[product(p)], accounts=[account(adv)], contracts=[
            contract(f"C-{u}", advertiser=adv, bill_to=adv,
                     lines=[{"line_item_id": f"L-{u}", "product_code": p, "rate": "5.00"}])])
        await deliver(feed, [delivery(f"D-{u}", account_id=adv, contract_id=f"C-{u}", line_item_id=f"L-{u}",
                                      product_code=p, day="2025-06-11", impressions=200_000)])
        await billing.bill("2025-06", "issue", [adv])
        invoice = await billing.issued_invoice(adv, "2025-06")
        pay = {"payment_id": f"PAY-{u}", "invoice_id": invoice["invoice_id"], "bill_to_account_id": adv,
               "amount": "100.00", "currency": "USD", "applied_at": "2025-07-10T09:00:00Z"}
        source = "/collections/hostile"
        dead = {
            "an amount as a JSON number": raw_event("PaymentApplied", pay | {"amount": 100.0}, source=source),
            "a negative amount": raw_event("PaymentApplied", pay | {"amount": "-100.00"}, source=source),
            "no invoice_id": raw_event("PaymentApplied", {k: v for k, v in pay.items() if k != "invoice_id"},
                                       source=source),
            "a lowercase currency": raw_event("PaymentApplied", pay | {"currency": "usd"}, source=source),
        }
        async with HostileFeed(hostile_invoice_ctx, kafka_bootstrap, invoice_runner) as hostile:
            records = await hostile.send(PAYMENTS_TOPIC, [(adv, value) for value in dead.values()] + [
                (adv, raw_event("PaymentApplied", pay | {"payment_id": f"PAY-{u}-eur", "currency": "EUR"},
                                source=source)),
                (adv, raw_event("PaymentApplied", pay, source=source)),
            ])
        reasons = await dead_letters(kafka_bootstrap, PAYMENTS_TOPIC, records[:len(dead)], "invoice-svc")
        by_case = dict(zip(dead, (reasons[r.offset] for r in records[:len(dead)]), strict=True))
        assert "amount" in by_case["an amount as a JSON number"]
        assert "amount: Value error, must not be negative" in by_case["a negative amount"]
        assert "invoice_id: Field required" in by_case["no invoice_id"]
        assert "currency" in by_case["a lowercase currency"]
        [wrong] = await exceptions_of(hostile_invoice_ctx, adv, "payment_currency_mismatch")
        assert (wrong["currency"], wrong["refs"]["payment_id"]) == ("EUR", f"PAY-{u}-eur")
        balance = (await billing.invoice(invoice["invoice_id"]))["balance"]
        assert balance["paid"] == "100.00"
    finally:
        await billing.client.aclose()
        await feed.stop()
