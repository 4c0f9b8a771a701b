"""Payments that cannot be applied as sent, in one batch through invoice-svc's real consumer on the real broker:
none is dropped in silence and none is rounded. A payment_id sent again with other details raises
payment_conflict, one naming another bill-to account payment_account_mismatch, an amount finer than its currency's
minor unit payment_amount_precision; an exact resend changes nothing, and the valid payment after them applies."""

from __future__ import annotations

import pytest

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
from invoice_svc.testing.events import Feed
from mediabill_common.events.catalog import PAYMENTS_TOPIC
from tests.hostile.support import HostileFeed
from tests.hostile.test_delivery_hostile import raw_event

pytestmark = pytest.mark.integration


async def test_hostile_payments_raise_exceptions_never_silence_and_the_next_one_applies(
        hostile_invoice_ctx, kafka_bootstrap, unique):
    u, adv, p = unique, f"ADV-{unique}", f"P-{unique}"
    feed = Feed(hostile_invoice_ctx, kafka_bootstrap, f"hostile-payment-ids-{u}")
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
        sent = [pay, pay,  # an exact resend: nothing more
                pay | {"amount": "90.00"},
                pay | {"payment_id": f"PAY-{u}-b", "bill_to_account_id": f"ADV-{u}-elsewhere"},
                pay | {"payment_id": f"PAY-{u}-c", "amount": "0.0000000001"},
                pay | {"payment_id": f"PAY-{u}-d", "amount": "50.00"}]
        async with HostileFeed(hostile_invoice_ctx, kafka_bootstrap, invoice_runner) as hostile:
            await hostile.send(PAYMENTS_TOPIC, [(adv, raw_event("PaymentApplied", data, source="/collections/hostile"))
                                                for data in sent])

        raised = {e["kind"]: e["refs"] for e in await exceptions_of(hostile_invoice_ctx, adv)}
        assert set(raised) == {"payment_conflict", "payment_account_mismatch", "payment_amount_precision"}
        assert (raised["payment_conflict"]["payment_id"], raised["payment_conflict"]["differs"]) == \
            (f"PAY-{u}", "amount")
        assert raised["payment_account_mismatch"]["payment_bill_to_account_id"] == f"ADV-{u}-elsewhere"
        assert raised["payment_amount_precision"]["amount"] == "0.0000000001"
        balance = (await billing.invoice(invoice["invoice_id"]))["balance"]
        assert balance["paid"] == "150.00"
    finally:
        await billing.client.aclose()
        await feed.stop()
