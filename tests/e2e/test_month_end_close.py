"""The month-end close across real processes (close.md C9–C12): the checklist reads invoice-svc's billing status,
the close accrues invoice-svc's unbilled snapshot (here a restatement that arrived after the month was invoiced)
and posts its reversal on the next month's first day, PeriodClosed locks the month in invoice-svc (an issue run for
it answers 409), and the journal's receivable ties out to invoice-svc."""

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


def _net(entries: list[dict], account: str) -> Decimal:
    return sum((Decimal(line["debit"]) - Decimal(line["credit"]) for e in entries for line in e["lines"]
                if line["account"] == account), Decimal(0))


async def test_close_accrues_the_unbilled_restatement_reverses_it_next_month_and_locks_the_month(system, api,
                                                                                                 kafka_bootstrap):
    u = uuid.uuid4().hex[:8].upper()
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
    # A restatement of day 2 after the month was invoiced: +100,000 impressions, billed next month (rule 13).
    await _publish(kafka_bootstrap, [_delivery(u, 2, 300_000, revision=1)])
    await ledger(1)
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
