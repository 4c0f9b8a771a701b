"""The revenue subledger across real processes (close.md C1–C7): what invoice-svc issues and collections collects
posts to accounting-svc's journal through Kafka; every entry balances; the journal's receivable equals the
`balance_due` invoice-svc reports for each invoice, to the cent; a redelivered or republished event posts nothing
twice."""

import uuid
from decimal import Decimal

import pytest

from mediabill_common.events.envelope import new_envelope
from mediabill_common.testing.kafka import publish
from tests.e2e.test_billing_to_cash import PERIOD, configure, delivery
from tools.demo.client import ApiError

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
RECEIVABLE, CUSTOMER_CREDITS, CASH = "1200", "2150", "1010"


async def _entries(api, **filters) -> list[dict]:
    return await api.get_all("accounting-svc", "/v1/journal", **filters)


def _net(entries: list[dict], account: str) -> Decimal:
    return sum((Decimal(line["debit"]) - Decimal(line["credit"]) for e in entries for line in e["lines"]
                if line["account"] == account), Decimal(0))


def _balanced(entry: dict) -> bool:
    currencies = {line["currency"] for line in entry["lines"]}
    return all(sum(Decimal(x["debit"]) for x in entry["lines"] if x["currency"] == c)
               == sum(Decimal(x["credit"]) for x in entry["lines"] if x["currency"] == c) for c in currencies)


async def test_issued_invoices_and_payments_post_balanced_entries_that_tie_out_to_invoice_svc(system, api,
                                                                                              kafka_bootstrap):
    u = uuid.uuid4().hex[:8].upper()
    ids = await configure(api, u)
    days = [delivery(u, "L1", d, contract=ids["io"], account=ids["adv"], product=ids["cpm"], impressions=50_000)
            for d in range(1, 4)]
    await publish(kafka_bootstrap, "ads.delivery.v1", [(d["line_item_id"], new_envelope(
        type="CampaignDelivered", source="/ad-platforms/pio", subject=d["delivery_id"], data=d)) for d in days])

    async def ledger_complete():
        rows = await api.get_all("invoice-svc", "/v1/deliveries", contract_id=ids["io"])
        return rows if len(rows) == len(days) and all(r["billable"] for r in rows) else None

    await api.wait_until(ledger_complete, timeout_s=120, what="the ledger")
    run = await api.post("invoice-svc", "/v1/bill-runs",
                         {"period": PERIOD, "mode": "issue", "bill_to_account_ids": [ids["agency"]]},
                         as_="billing-manager")

    async def run_done():
        state = await api.get("invoice-svc", f"/v1/bill-runs/{run['run_id']}")
        assert state["status"] != "failed", state
        return state if state["status"] == "completed" else None

    await api.wait_until(run_done, timeout_s=120, what="the bill run")
    invoice = (await api.get_all("invoice-svc", "/v1/invoices", period=PERIOD, status="issued",
                                 bill_to_account_id=ids["agency"]))[0]
    total = Decimal(invoice["total"])

    async def posted(source_type: str, count: int):
        async def check():
            entries = await _entries(api, contract_id=ids["io"], source_type=source_type)
            return entries if len(entries) == count else None
        return await api.wait_until(check, timeout_s=120, what=f"{count} {source_type} entries")

    [entry] = await posted("invoice", 1)
    assert entry["source_id"] == invoice["invoice_id"] and entry["posting_period"] == PERIOD
    assert _net([entry], RECEIVABLE) == total

    # Collections pays more than is owed: the excess is a customer credit, as invoice-svc's `overpaid` says.
    async def collections_knows():
        try:
            return await api.get("collections", f"/v1/invoices/{invoice['invoice_id']}")
        except ApiError:
            return None

    await api.wait_until(collections_knows, timeout_s=60, what="collections' copy")
    for amount in ("1000.00", str(total)):
        await api.post("collections", "/v1/payments", {"invoice_id": invoice["invoice_id"], "amount": amount},
                       as_="service")
    await posted("payment", 2)
    reported = (await api.get("invoice-svc", f"/v1/invoices/{invoice['invoice_id']}"))["balance"]
    entries = await _entries(api, contract_id=ids["io"])
    assert all(_balanced(e) for e in entries)
    assert _net(entries, RECEIVABLE) == Decimal(reported["balance_due"]) == 0
    assert -_net(entries, CUSTOMER_CREDITS) == Decimal(reported["overpaid"]) == Decimal("1000.00")
    assert _net(entries, CASH) == total + Decimal("1000.00")

    # The same InvoiceIssued again (a redelivery under its id, and a producer's resend under a new id), then a
    # marker invoice on the same key: once the marker is posted, the copies were consumed and posted nothing.
    issued = invoice_issued_data(await api.get("invoice-svc", f"/v1/invoices/{invoice['invoice_id']}"))
    marker = {**issued, "invoice_id": f"marker-{u}", "invoice_number": f"INV-M-{u}"}
    source = "/mediabill/invoice-svc"
    copies = [new_envelope(type="InvoiceIssued", source=source, subject=issued["invoice_id"], data=issued)
              for _ in range(2)]
    copies.append(copies[0])
    await publish(kafka_bootstrap, "billing.invoices.v1", [
        *((ids["agency"], c) for c in copies),
        (ids["agency"], new_envelope(type="InvoiceIssued", source=source, subject=marker["invoice_id"], data=marker))])

    async def marker_posted():
        return await _entries(api, source_id=marker["invoice_id"]) or None

    await api.wait_until(marker_posted, timeout_s=120, what="the marker invoice")
    assert len(await _entries(api, source_id=invoice["invoice_id"])) == 1


def invoice_issued_data(invoice: dict) -> dict:
    """The InvoiceIssued payload of an invoice as GET /v1/invoices/{id} shows it."""
    fields = ("invoice_id", "invoice_number", "account_id", "bill_to_account_id", "contract_id", "po_number", "period",
              "period_start", "period_end", "issue_date", "due_date", "currency", "subtotal", "discount_total",
              "commission_total", "tax_total", "total")
    line_fields = ("invoice_line_id", "kind", "product_code", "gl_revenue_account", "campaign_id", "campaign_name",
                   "line_item_id", "description", "quantity", "unit", "unit_price", "price_base_quantity", "amount",
                   "original_invoice_number", "value", "tax_code")
    return {**{f: invoice.get(f) for f in fields},
            "lines": [{f: line.get(f) for f in line_fields if f in line} for line in invoice["lines"]]}
