"""The billing-to-cash flow as its users drive it, across real processes, the real broker and database:
configure -> deliver (duplicates, restatement, late record, unconfigured product, contract after its deliveries)
-> bill run -> invoices checked against figures computed here from the terms -> dispute -> evidence -> resolution
-> maker-checker credit memo -> payment -> invoice-svc and collections agree to the cent."""

import hashlib
import io
import uuid
from decimal import ROUND_HALF_UP, Decimal

import pytest
from pypdf import PdfReader

from mediabill_common.events.envelope import new_envelope
from mediabill_common.testing.kafka import publish
from tools.demo.client import PEOPLE, ApiError

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
PERIOD, FIRST, LAST = "2026-10", "2026-10-01", "2026-10-31"
CENT = Decimal("0.01")


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def delivery(u: str, line: str, day: int, *, contract: str | None, account: str, product: str, revision: int = 0,
             impressions: int = 0, clicks: int = 0, media_cost: str | None = None) -> dict:
    return {"delivery_id": f"{u}-{line}-{day}", "revision": revision, "source_system": "pio", "account_id": account,
            "contract_id": contract, "campaign_id": f"CMP-{u}", "line_item_id": f"{u}-{line}",
            "campaign_name": "Holiday push", "product_code": product, "delivery_date": f"2026-10-{day:02d}",
            "impressions": impressions, "viewable_impressions": impressions // 2, "clicks": clicks,
            "conversions": 0, "third_party_impressions": None, "media_cost": media_cost,
            "currency": "USD" if media_cost else None}


async def configure(api, u: str) -> dict:
    ids = {"cpm": f"CPM-{u}", "flat": f"FLAT-{u}", "auction": f"AUC-{u}", "cpc": f"CPC-{u}",
           "adv": f"ADV-{u}", "agency": f"AGY-{u}", "seller": f"SEL-{u}", "io": f"IO-{u}", "late_io": f"IOL-{u}"}
    products = [(ids["cpm"], "cpm", "onsite", "6.00"), (ids["flat"], "flat_fee", "in_store", None),
                (ids["auction"], "auction_cpc", "onsite", None), (ids["cpc"], "cpc", "offsite", "0.80")]
    for code, model, channel, price in products:
        await api.post("product-config-svc", "/v1/products", {
            "code": code, "name": f"E2E {model}", "channel": channel, "pricing_model": model,
            "gl_revenue_account": "401000", "tax_code": "ADV", "invoice_description": f"E2E {model}"},
            as_="config-admin")
        if price:
            await api.post("product-config-svc", f"/v1/products/{code}/rate-cards",
                           {"effective_from": "2026-01-01", "currency": "USD", "price": price}, as_="config-admin")
        live = await api.post("product-config-svc", f"/v1/products/{code}/activate", {"reason": "go live"},
                              as_="config-admin")
        assert live["status"] == "live"  # readiness priced a sample through invoice-svc over HTTP
    for account in ({"account_id": ids["adv"], "type": "advertiser", "legal_name": "Acme Foods"},
                    {"account_id": ids["seller"], "type": "seller", "legal_name": "Marketplace Seller"},
                    {"account_id": ids["agency"], "type": "agency", "legal_name": "Media Agency",
                     "represented_advertisers": [ids["adv"]], "payment_terms_days": 45,
                     "postal_address": "200 Park Avenue, New York NY 10166, USA",
                     "tax_registration_id": "US EIN 13-1234567"}):
        await api.post("product-config-svc", "/v1/accounts", {"currency": "USD", **account}, as_="config-admin")
    await book(api, {
        "contract_id": ids["io"], "advertiser_account_id": ids["adv"], "bill_to_account_id": ids["agency"],
        "currency": "USD", "flight_start": FIRST, "flight_end": LAST, "po_number": "PO-1", "discount_pct": "5",
        "agency_commission_pct": "15", "lines": [
            {"line_item_id": f"{u}-L1", "product_code": ids["cpm"], "rate": "6.00", "budget": "2000.00"},
            {"line_item_id": f"{u}-L2", "product_code": ids["flat"], "fee": "3100.00"}]})
    return ids


async def book(api, contract: dict) -> None:
    await api.post("product-config-svc", "/v1/contracts", contract, as_="config-admin")
    await api.post("product-config-svc", f"/v1/contracts/{contract['contract_id']}/activate", {"reason": "signed"},
                   as_="config-admin")


async def test_billing_to_cash_end_to_end(system, api, kafka_bootstrap):
    u = uuid.uuid4().hex[:8].upper()
    ids = await configure(api, u)

    # The ad platform's stream: L1 delivers 500,000 impressions over 5 days (one day restated, one resent, one
    # late); the seller's auction clicks; a product nobody configured; a contract booked after its deliveries.
    l1 = [delivery(u, "L1", d, contract=ids["io"], account=ids["adv"], product=ids["cpm"], impressions=100_000)
          for d in range(1, 6)]
    restated = {**l1[1], "revision": 1, "impressions": 90_000}
    auction = [delivery(u, "S1", d, contract=None, account=ids["seller"], product=ids["auction"], clicks=100,
                        media_cost=cost) for d, cost in ((1, "100.10"), (2, "200.20"), (3, "50.05"))]
    stray = delivery(u, "X1", 3, contract=ids["io"], account=ids["adv"], product=f"NOPE-{u}", impressions=5_000)
    late_io = [delivery(u, "L3", d, contract=ids["late_io"], account=ids["adv"], product=ids["cpc"], clicks=250)
               for d in (7, 8)]
    envelopes = [(d["line_item_id"], new_envelope(type="CampaignDelivered", source="/ad-platforms/pio",
                                                  subject=d["delivery_id"], data=d))
                 for d in [*l1[:4], restated, *auction, stray, *late_io]]
    envelopes.append(envelopes[0])  # resent with the same id
    await publish(kafka_bootstrap, "ads.delivery.v1", envelopes)

    async def late_deliveries_held():
        # Book the contract only once its deliveries are in the ledger waiting for it: topics are consumed
        # independently, so a contract booked at once can reach invoice-svc before the deliveries do.
        raised = await api.get_all("invoice-svc", "/v1/exceptions", account_id=ids["adv"], kind="unknown_contract")
        held = await api.get_all("invoice-svc", "/v1/deliveries", contract_id=ids["late_io"])
        return (any(e["refs"].get("contract_id") == ids["late_io"] for e in raised)
                and len(held) == len(late_io) and not any(d["billable"] for d in held))

    await api.wait_until(late_deliveries_held, timeout_s=120, what="the late contract's deliveries")
    await book(api, {"contract_id": ids["late_io"], "advertiser_account_id": ids["adv"],
                     "bill_to_account_id": ids["adv"], "currency": "USD", "flight_start": FIRST, "flight_end": LAST,
                     "lines": [{"line_item_id": f"{u}-L3", "product_code": ids["cpc"]}]})
    await publish(kafka_bootstrap, "ads.delivery.v1", [(l1[4]["line_item_id"], new_envelope(
        type="CampaignDelivered", source="/ad-platforms/pio", subject=l1[4]["delivery_id"], data=l1[4]))])

    async def ledger_complete():
        rows = await api.get_all("invoice-svc", "/v1/deliveries", account_id=ids["adv"])
        billable = [r for r in rows if r["billable"]]
        return rows if len(rows) == 8 and len(billable) == 7 else None

    ledger = await api.wait_until(ledger_complete, timeout_s=120, what="the ledger")
    assert {r["delivery_id"]: r["revision"] for r in ledger}[restated["delivery_id"]] == 1
    exceptions = await api.get_all("invoice-svc", "/v1/exceptions", account_id=ids["adv"])
    kinds = {(e["kind"], e["status"]) for e in exceptions}
    assert ("unknown_product", "open") in kinds
    assert ("unknown_contract", "resolved") in kinds  # healed when the late contract arrived

    run = await api.post("invoice-svc", "/v1/bill-runs", {"period": PERIOD, "mode": "issue", "bill_to_account_ids": [
        ids["agency"], ids["adv"], ids["seller"]]}, as_="billing-manager")

    async def run_done():
        state = await api.get("invoice-svc", f"/v1/bill-runs/{run['run_id']}")
        assert state["status"] != "failed", state
        return state if state["status"] == "completed" else None

    await api.wait_until(run_done, timeout_s=120, what="the bill run")
    invoices = {i["bill_to_account_id"]: i for i in await api.get_all("invoice-svc", "/v1/invoices", period=PERIOD,
                                                                        status="issued")
                if i["bill_to_account_id"] in (ids["agency"], ids["adv"], ids["seller"])}

    # Expectations computed here from the terms and the final figures (rules 6-10).
    l1_impressions = 100_000 * 4 + 90_000
    l1_gross = cents(Decimal(l1_impressions) / 1000 * Decimal("6.00"))  # 2,940.00: over the 2,000.00 budget
    l1_usage = min(l1_gross, Decimal("2000.00"))
    flat = Decimal("3100.00")  # the whole flight lies in the period
    discount = -cents((l1_usage + flat) * Decimal("0.05"))
    commission = -cents((l1_usage + flat + discount) * Decimal("0.15"))
    agency_total = l1_usage + flat + discount + commission
    agency_invoice = await api.get("invoice-svc", f"/v1/invoices/{invoices[ids['agency']]['invoice_id']}")
    assert Decimal(agency_invoice["total"]) == agency_total == Decimal("4118.25")
    by_kind = {line["kind"]: line for line in agency_invoice["lines"]}
    assert Decimal(by_kind["usage"]["amount"]) == l1_usage
    assert by_kind["over_delivery"]["quantity"] == l1_impressions - 333_333
    assert Decimal(by_kind["discount"]["amount"]) == discount
    assert Decimal(by_kind["agency_commission"]["amount"]) == commission
    assert agency_invoice["invoice_number"].startswith("INV-")
    assert Decimal(invoices[ids["seller"]]["total"]) == Decimal("350.35")  # Σ media_cost, self-serve
    assert Decimal(invoices[ids["adv"]]["total"]) == Decimal("400.00")  # 500 clicks x 0.80, late contract

    # The invoice document as the agency's accounts-payable gets it: stored once, everything AP needs, no internals.
    issued_pdf = await api.download("invoice-svc", f"/v1/invoices/{agency_invoice['invoice_id']}/document")
    text = pdf_text(issued_pdf.content)
    required = ["Media Agency", "200 Park Avenue, New York NY 10166", "US EIN 13-1234567", "Remit to", "PO-1",
                ids["io"], "Tax registration id", "Delivered beyond booked budget - not billed",
                "net of agency commission"]
    assert [r for r in required if r not in text] == [], text
    assert not [w for w in ("would-be value", "rate card", "Balance due") if w in text], text

    # Dispute the flat fee: dispute-svc validates it against its own copy of the invoice (from Kafka).
    flat_line = by_kind["flat_fee"]

    async def dispute_opened():
        try:
            return await api.post("dispute-svc", "/v1/disputes", {
                "invoice_id": agency_invoice["invoice_id"], "reason_code": "delivery_discrepancy",
                "description": "Screens were dark for three days",
                "lines": [{"invoice_line_id": flat_line["invoice_line_id"], "amount": "1000.00"}]},
                as_="billing-analyst")
        except ApiError as exc:
            if exc.status == 422:
                return None  # dispute-svc has not consumed InvoiceIssued yet
            raise

    dispute = await api.wait_until(dispute_opened, timeout_s=60, what="dispute-svc's invoice copy")
    did = dispute["dispute_id"]

    async def balance(expect_key, expect_value):
        async def check():
            inv = await api.get("invoice-svc", f"/v1/invoices/{agency_invoice['invoice_id']}")
            return inv["balance"] if Decimal(inv["balance"][expect_key]) == Decimal(expect_value) else None
        return await api.wait_until(check, timeout_s=60, what=f"invoice-svc {expect_key}={expect_value}")

    await balance("disputed_amount", "1000.00")  # DisputeOpened crossed processes via Kafka
    await api.post("dispute-svc", f"/v1/disputes/{did}/assign", {"assignee": "omar.analyst"}, as_="billing-analyst")
    evidence = await api.get("dispute-svc", f"/v1/disputes/{did}/evidence")
    assert evidence["reprice"]["available"] is True, evidence["reprice"]
    with pytest.raises(ApiError) as refused:  # 1,000.00 is above the analyst's resolution limit
        await api.post("dispute-svc", f"/v1/disputes/{did}/resolve", {
            "outcome": "upheld", "credit_amount": "1000.00", "resolution_note": "confirmed outage"},
            as_="billing-analyst")
    assert refused.value.status == 403
    await api.post("dispute-svc", f"/v1/disputes/{did}/resolve", {
        "outcome": "upheld", "credit_amount": "1000.00", "resolution_note": "confirmed outage"},
        as_="billing-manager")

    async def credit_request():
        items = await api.get_all("adjustment-svc", "/v1/adjustments")
        return next((a for a in items if a.get("dispute_id") == did), None)

    request = await api.wait_until(credit_request, timeout_s=60, what="the credit request from the dispute")
    # Memo = 1,000.00 less its pro-rata discount and commission (rule 21), computed independently here.
    base = l1_usage + flat
    memo_total = Decimal("1000.00") + cents(discount * Decimal("1000.00") / base) \
        + cents(commission * Decimal("1000.00") / base)
    assert request["status"] == "pending_approval"
    with pytest.raises(ApiError) as self_approval:  # the resolver requested it, so may not approve it
        await api.post("adjustment-svc", f"/v1/adjustments/{request['adjustment_id']}/approve",
                       {"comment": "evidence reviewed"}, as_="billing-manager")
    assert self_approval.value.status == 403
    await api.post("adjustment-svc", f"/v1/adjustments/{request['adjustment_id']}/approve",
                   {"comment": "evidence reviewed"}, as_="billing-manager-2")

    after_memo = await balance("credited", str(memo_total))
    assert Decimal(after_memo["disputed_amount"]) == 0
    assert Decimal(after_memo["balance_due"]) == agency_total - memo_total

    async def collections_knows():
        try:
            return await api.get("collections", f"/v1/invoices/{agency_invoice['invoice_id']}")
        except ApiError:
            return None

    await api.wait_until(collections_knows, timeout_s=60, what="collections' copy")
    await api.post("collections", "/v1/payments", {"invoice_id": agency_invoice["invoice_id"], "amount": "1000.00"},
                   as_="service")
    final = await balance("paid", "1000.00")
    expected_due = agency_total - memo_total - Decimal("1000.00")
    assert Decimal(final["balance_due"]) == expected_due
    assert final["status"] == "partially_paid"

    async def collections_agrees():
        row = await api.get("collections", f"/v1/invoices/{agency_invoice['invoice_id']}")
        return row if Decimal(row["balance_due"]) == expected_due else None

    ar_row = await api.wait_until(collections_agrees, timeout_s=60, what="collections' AR")
    assert Decimal(ar_row["paid"]) == Decimal("1000.00")
    assert ar_row["status"] == "partially_paid"

    # The issued document did not change with the dispute, the memo and the payment; the statement has what is due.
    after_pdf = await api.download("invoice-svc", f"/v1/invoices/{agency_invoice['invoice_id']}/document")
    digest = hashlib.sha256(issued_pdf.content).hexdigest()
    assert hashlib.sha256(after_pdf.content).hexdigest() == digest == after_pdf.headers["etag"].strip('"')
    statement = await api.get("invoice-svc", f"/v1/accounts/{ids['agency']}/statement")
    assert [Decimal(t["balance_due"]) for t in statement["totals"]] == [expected_due]
    assert [a["kind"] for a in statement["activity"]] == ["credit_memo", "payment"]

    # The memo's document names the bill-to, the invoice, IO and PO and the invoice's lines; no staff, no codes.
    memo_id = (await api.get("adjustment-svc", f"/v1/adjustments/{request['adjustment_id']}"))["memo_id"]
    memo_pdf = pdf_text((await api.download("adjustment-svc", f"/v1/memos/{memo_id}/document")).content)
    memo_required = ["Media Agency", "200 Park Avenue", agency_invoice["invoice_number"], ids["io"], "PO-1",
                     flat_line["description"], "Agency commission"]
    assert [r for r in memo_required if r not in memo_pdf] == [], memo_pdf
    assert not [w for w in (*PEOPLE.values(), "agency_commission") if w in memo_pdf], memo_pdf

    # One timeline: issue, dispute opened and resolved, the memo, the payment, each with who and when, in order.
    history = await api.get("invoice-svc", f"/v1/invoices/{agency_invoice['invoice_id']}/history")
    steps = [(s["kind"], s["actor"]) for s in history["steps"]]
    assert steps == [("issued", PEOPLE["billing-manager"]), ("dispute_opened", PEOPLE["billing-analyst"]),
                     ("dispute_resolved", PEOPLE["billing-manager"]), ("credit_memo", PEOPLE["billing-manager"]),
                     ("payment", steps[-1][1])], steps
    assert steps[-1][1].startswith("/")  # a payment names no person: the system that sent it
    memo_step = history["steps"][3]
    assert memo_step["details"]["approved_by"] == [PEOPLE["billing-manager-2"]]
    assert Decimal(history["steps"][-1]["balance_due_after"]) == expected_due
