"""The month-end close across real processes (close.md C9–C12): the checklist reads invoice-svc's billing status,
the close accrues invoice-svc's unbilled snapshot (here a restatement that arrived after the month was invoiced)
and posts its reversal on the next month's first day, PeriodClosed locks the month in invoice-svc (an issue run for
it answers 409), and the journal's receivable ties out to invoice-svc. What other services hold open -- a billing
exception of the month, a dispute, a credit request awaiting approval -- is listed with its figures, never blocking."""

import uuid
from decimal import Decimal

import pytest

from mediabill_common.events.envelope import new_envelope
from mediabill_common.testing.kafka import publish
from tests.e2e.test_billing_to_cash import book
from tools.demo.client import ApiError

pytestmark = [pytest.mark.e2e, pytest.mark.integration]
PERIOD, NEXT = "2026-07", "2026-08"
UNBILLED = "1210"


def _delivery(u: str, day: int, impressions: int, revision: int = 0) -> dict:
    return {"delivery_id": f"{u}-D{day}", "revision": revision, "source_system": "pio", "account_id": f"ADV-{u}",
            "contract_id": f"IO-{u}", "campaign_id": f"CMP-{u}", "line_item_id": f"{u}-L1", "campaign_name": "July",
            "product_code": f"CPM-{u}", "delivery_date": f"{PERIOD}-{day:02d}", "impressions": impressions,
            "viewable_impressions": impressions // 2, "clicks": 0, "conversions": 0, "third_party_impressions": None,
            "media_cost": None, "currency": None}


async def _publish(kafka_bootstrap: str, deliveries: list[dict]) -> None:
    await publish(kafka_bootstrap, "ads.delivery.v1", [(d["line_item_id"], new_envelope(
        type="CampaignDelivered", source="/ad-platforms/pio", subject=d["delivery_id"], data=d)) for d in deliveries])


async def _issue(api, period: str, *, again: bool = False) -> dict:
    body = {"period": period, "mode": "issue"} | ({"bill_to_account_ids": None} if again else {})  # another request
    run = await api.post("invoice-svc", "/v1/bill-runs", body, as_="billing-manager")

    async def done():
        state = await api.get("invoice-svc", f"/v1/bill-runs/{run['run_id']}")
        assert state["status"] != "failed", state
        return state if state["status"] == "completed" else None

    return await api.wait_until(done, timeout_s=180, what="the bill run")


async def _checklist(api) -> list[dict]:
    return (await api.get("accounting-svc", f"/v1/periods/{PERIOD}", as_="billing-director"))["checklist"]


def _exposure(checklist: list[dict]) -> dict:
    """The informational items' figures: (count, USD amount) of open disputes and pending credit requests, and the
    month's open exceptions with their revenue at risk per currency (value, unpriced count)."""
    items = {i["item"]: i for i in checklist}
    assert all((items[i]["status"], items[i]["blocking"]) == ("info", False)
               for i in ("open_disputes", "pending_credit_requests", "open_billing_exceptions")), items

    def usd(item: str) -> tuple[int, Decimal]:
        row = items[item]["details"]["by_currency"].get("USD", {"count": 0, "amount": "0"})
        return row["count"], Decimal(row["amount"])

    exceptions = items["open_billing_exceptions"]["details"]
    return {"disputes": usd("open_disputes"), "credits": usd("pending_credit_requests"),
            "exceptions": exceptions["count"],
            "at_risk": {r["currency"]: (Decimal(r["value"]), r["unpriced"]) for r in exceptions["revenue_at_risk"]}}


async def _dispute_and_credit_request(api, u: str) -> dict:
    """A dispute of 100.00 and a credit request of 600.00 (above auto-approval: it waits) on July's usage line; the
    request as adjustment-svc answered it."""
    [invoice] = await api.get_all("invoice-svc", "/v1/invoices", bill_to_account_id=f"ADV-{u}", period=PERIOD,
                                  status="issued")
    invoice = await api.get("invoice-svc", f"/v1/invoices/{invoice['invoice_id']}")
    usage = next(ln for ln in invoice["lines"] if ln["kind"] == "usage")

    def once_known(service: str, path: str, body: dict, as_: str):
        async def attempt():
            try:
                return await api.post(service, path, body, as_=as_)
            except ApiError as exc:
                if exc.status == 422:
                    return None  # the service has not consumed InvoiceIssued yet
                raise
        return attempt

    await api.wait_until(once_known("dispute-svc", "/v1/disputes", {
        "invoice_id": invoice["invoice_id"], "reason_code": "delivery_discrepancy", "description": "dark screens",
        "lines": [{"invoice_line_id": usage["invoice_line_id"], "amount": "100.00"}]}, "billing-analyst"),
        timeout_s=60, what="dispute-svc's invoice copy")
    return await api.wait_until(once_known("adjustment-svc", "/v1/adjustments", {
        "invoice_id": invoice["invoice_id"], "kind": "credit", "reason_code": "invalid_traffic",
        "note": "IVT on day 2", "lines": [{"invoice_line_id": usage["invoice_line_id"], "amount": "600.00"}]},
        "billing-analyst"), timeout_s=60, what="adjustment-svc's invoice copy")


def _net(entries: list[dict], account: str) -> Decimal:
    return sum((Decimal(line["debit"]) - Decimal(line["credit"]) for e in entries for line in e["lines"]
                if line["account"] == account), Decimal(0))


async def test_close_accrues_the_unbilled_restatement_reverses_it_next_month_and_locks_the_month(system, api,
                                                                                                 kafka_bootstrap):
    u = uuid.uuid4().hex[:8].upper()
    before = _exposure(await _checklist(api))  # what earlier tests of this system left open
    await api.post("product-config-svc", "/v1/products", {
        "code": f"CPM-{u}", "name": "July display", "channel": "onsite", "pricing_model": "cpm",
        "gl_revenue_account": "401000", "tax_code": "ADV", "invoice_description": "Display"}, as_="config-admin")
    await api.post("product-config-svc", f"/v1/products/CPM-{u}/rate-cards",
                   {"effective_from": "2026-01-01", "currency": "USD", "price": "5.00"}, as_="config-admin")
    await api.post("product-config-svc", f"/v1/products/CPM-{u}/activate", {"reason": "go live"}, as_="config-admin")
    await api.post("product-config-svc", "/v1/accounts", {"account_id": f"ADV-{u}", "type": "advertiser",
                                                          "legal_name": "July Foods", "currency": "USD"},
                   as_="config-admin")
    await book(api, {"contract_id": f"IO-{u}", "advertiser_account_id": f"ADV-{u}", "bill_to_account_id": f"ADV-{u}",
                     "currency": "USD", "flight_start": f"{PERIOD}-01", "flight_end": f"{PERIOD}-31",
                     "discount_pct": "10", "lines": [{"line_item_id": f"{u}-L1", "product_code": f"CPM-{u}",
                                                      "rate": "5.00", "budget": "100000.00"}]})
    await _publish(kafka_bootstrap, [_delivery(u, d, 200_000) for d in (1, 2)])

    async def ledger(revisions: int):
        async def check():
            rows = await api.get_all("invoice-svc", "/v1/deliveries", contract_id=f"IO-{u}")
            return rows if sum(r["revision"] for r in rows) == revisions and len(rows) == 2 else None
        return await api.wait_until(check, timeout_s=120, what="the ledger")

    await ledger(0)
    await _issue(api, PERIOD)  # 400,000 impressions at 5.00 CPM = 2,000.00, less 10%: 1,800.00
    # A restatement of day 2 after the month was invoiced: +100,000 impressions, billed next month (rule 13); and a
    # July delivery on a contract nobody booked: an open billing exception of the month.
    stray = _delivery(u, 3, 10_000) | {"delivery_id": f"{u}-X3", "contract_id": f"IO-X{u}", "line_item_id": f"{u}-X1"}
    await _publish(kafka_bootstrap, [_delivery(u, 2, 300_000, revision=1), stray])
    await ledger(1)

    async def held():
        return await api.get_all("invoice-svc", "/v1/exceptions", account_id=f"ADV-{u}", kind="unknown_contract",
                                 status="open") or None

    [exception] = await api.wait_until(held, timeout_s=120, what="the stray delivery's exception")
    await _issue(api, PERIOD, again=True)  # billing is complete again: the run completed after the last delivery

    last: list[dict] = []

    async def ready():
        state = await api.get("accounting-svc", f"/v1/periods/{PERIOD}", as_="billing-director")
        last[:] = [i for i in state["checklist"] if i["blocking"] and i["status"] != "pass"]
        return state if not last else None

    try:
        checklist = await api.wait_until(ready, timeout_s=180, every_s=2, what="a passing checklist")
    except TimeoutError:
        pytest.fail(f"the checklist kept failing: {last}")
    assert {i["item"] for i in checklist["checklist"]} >= {"billing_complete", "journal_complete",
                                                         "receivable_ties_out", "previous_period_closed"}
    # Exposure is listed with its figures and blocks nothing.
    request = await _dispute_and_credit_request(api, u)
    after = _exposure(await _checklist(api))
    assert after["disputes"] == (before["disputes"][0] + 1, before["disputes"][1] + Decimal("100.00"))
    assert after["credits"] == (before["credits"][0] + 1, before["credits"][1] + Decimal(request["total"]))
    assert after["exceptions"] == before["exceptions"] + 1
    value, unpriced = before["at_risk"].get(exception["currency"], (Decimal(0), 0))
    held_back = Decimal(exception["value_at_risk"] or 0)
    assert after["at_risk"][exception["currency"]] == (value + held_back,
                                                       unpriced + (exception["value_at_risk"] is None))
    closed = await api.post("accounting-svc", f"/v1/periods/{PERIOD}/close", as_="billing-director")
    assert closed["status"] == "closed"

    accrual = await api.get_all("accounting-svc", "/v1/journal", period=PERIOD, source_type="accrual")
    reversal = await api.get_all("accounting-svc", "/v1/journal", period=NEXT, source_type="accrual_reversal")
    # The pending restatement: 100,000 impressions at 5.00 CPM = 500.00 gross, -50.00 discount, 450.00 net.
    assert _net(accrual, UNBILLED) == Decimal("450.00")
    assert _net(accrual, "401000") == Decimal("-500.00")
    assert _net(reversal, UNBILLED) == Decimal("-450.00")
    assert [e["posting_date"] for e in accrual] == [f"{PERIOD}-31"]
    assert [e["posting_date"] for e in reversal] == [f"{NEXT}-01"]

    async def locked():
        status = await api.get("invoice-svc", f"/v1/periods/{PERIOD}/billing-status")
        return status if status["locked"] else None

    await api.wait_until(locked, timeout_s=120, what="invoice-svc's lock of the month (PeriodClosed)")
    with pytest.raises(ApiError) as refused:
        await api.post("invoice-svc", "/v1/bill-runs", {"period": PERIOD, "mode": "issue",
                                                        "bill_to_account_ids": [f"ADV-{u}"]}, as_="billing-manager")
    assert refused.value.status == 409
    with pytest.raises(ApiError) as twice:  # another key: the same one would replay the first answer
        await api.post("accounting-svc", f"/v1/periods/{PERIOD}/close", {"note": "again"}, as_="billing-director")
    assert twice.value.status == 409
