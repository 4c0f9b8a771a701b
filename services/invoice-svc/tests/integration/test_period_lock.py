"""The period lock (close.md C12) on the real broker and database: PeriodClosed from accounting-svc (published to
accounting.journal.v1 and applied by invoice-svc's own runner, so invoice-svc is driven alone) refuses issue runs of
the period with 409; what the closed period still owes is billed on the next open period's invoice as prior-period
lines with their real quantities; a PeriodClosed from any other source is dead-lettered and locks nothing."""

from __future__ import annotations

import pytest

from invoice_svc.testing.billing import (
    ANALYST,
    MANAGER,
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    line,
    own_year,
    product,
)
from invoice_svc.testing.events import read_from
from mediabill_common.events.catalog import ACCOUNTING_TOPIC, dlq_topic
from mediabill_common.testing.kafka import end_offsets, envelope_for

pytestmark = pytest.mark.integration

ACCOUNTING = "/mediabill/accounting-svc"


async def close_period(feed, period: str, *, source: str = ACCOUNTING, event: str = "PeriodClosed") -> None:
    data = {"period": period, "by": "dora@example.com", "at": "2026-01-06T10:00:00Z"}
    if event == "PeriodReopened":
        data["reason"] = "late agency deliveries"
    await feed.publish_and_apply(ACCOUNTING_TOPIC, [(period, envelope_for(event, data, subject=period,
                                                                          source=source))])


async def _locked(billing, period: str) -> bool:
    response = await billing.client.get(f"/v1/periods/{period}/billing-status", headers=READER)
    assert response.status_code == 200, response.text
    return response.json()["locked"]


async def _setup(feed, u: str, y: int) -> None:
    await configure(feed, products=[product(f"P-{u}", tax_code="VAT")],
                    accounts=[account(f"A-{u}", tax_rates={"VAT": "10"})],
                    contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-03-01",
                                        end=f"{y}-06-30", discount_pct="5",
                                        lines=[{"line_item_id": f"L-{u}", "product_code": f"P-{u}",
                                                "rate": "4.00"}])])


def _delivered(u: str, n: int, day: str, impressions: int, revision: int = 0) -> dict:
    return delivery(f"D{n}-{u}", account_id=f"A-{u}", contract_id=f"C-{u}", line_item_id=f"L-{u}",
                    product_code=f"P-{u}", day=day, impressions=impressions, revision=revision)


async def test_a_closed_period_refuses_issue_runs_and_its_late_delivery_lands_on_the_next_invoice(
        invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    march, april = f"{y}-03", f"{y}-04"
    await _setup(invoice_feed, u, y)
    await deliver(invoice_feed, [_delivered(u, 1, f"{y}-03-10", 500_000)])
    first = await billing.bill(march, "issue", [f"A-{u}"])
    assert first["counts"]["invoices"] == 1
    original = await billing.issued_invoice(f"A-{u}", march)

    await close_period(invoice_feed, march)
    assert await _locked(billing, march)
    refused = await billing.client.post("/v1/bill-runs", json={"period": march, "mode": "issue"}, headers=MANAGER)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert f"Period {march} is closed" in refused.json()["detail"]
    preview = await billing.client.post("/v1/bill-runs", json={"period": march, "mode": "preview"}, headers=ANALYST)
    assert preview.status_code == 202, preview.text
    await billing.finish(preview.json()["run_id"])

    # a late March delivery and April's own delivery: April's invoice bills both
    await deliver(invoice_feed, [_delivered(u, 2, f"{y}-03-28", 125_000), _delivered(u, 3, f"{y}-04-02", 250_000)])
    await billing.bill(april, "issue", [f"A-{u}"])
    invoice = await billing.issued_invoice(f"A-{u}", april)
    usage = line(invoice, "usage", line_item_id=f"L-{u}")
    assert (usage["quantity"], usage["amount"]) == (250_000, "1000.00")
    late = line(invoice, "prior_period_adjustment", line_item_id=f"L-{u}")
    assert (late["quantity"], late["unit"], late["amount"], late["adjusts_kind"], late["original_period"],
            late["original_invoice_number"]) == (125_000, "impressions", "500.00", "usage", march,
                                                 original["invoice_number"])
    assert [(ln["adjusts_kind"], ln["amount"], ln["tax_code"]) for ln in invoice["lines"]
            if ln["kind"] == "prior_period_adjustment" and ln["adjusts_kind"] != "usage"] == [
        ("discount", "-25.00", None), ("tax", "47.50", "VAT")]
    # March's own invoice is unchanged, and nothing of March was issued after the close
    assert (await billing.invoice(original["invoice_id"]))["total"] == original["total"]
    assert len(await billing.invoices(bill_to_account_id=f"A-{u}", period=march, status="issued")) == 1

    await close_period(invoice_feed, march, event="PeriodReopened")
    assert not await _locked(billing, march)


async def test_what_a_never_invoiced_closed_period_owes_is_billed_once_with_its_quantities(invoice_feed, billing,
                                                                                       unique):
    u, y = unique, own_year(unique)
    march, april, may = f"{y}-03", f"{y}-04", f"{y}-05"
    await _setup(invoice_feed, u, y)
    await deliver(invoice_feed, [_delivered(u, 1, f"{y}-03-10", 500_000), _delivered(u, 2, f"{y}-04-03", 250_000)])
    await close_period(invoice_feed, march)  # closed before March was ever issued

    await billing.bill(april, "issue", [f"A-{u}"])
    invoice = await billing.issued_invoice(f"A-{u}", april)
    owed = line(invoice, "prior_period_adjustment", line_item_id=f"L-{u}")
    assert (owed["quantity"], owed["amount"], owed["original_period"], owed["original_invoice_number"],
            owed["adjusts_kind"]) == (500_000, "2000.00", march, None, "usage")
    assert line(invoice, "usage", line_item_id=f"L-{u}")["quantity"] == 250_000

    # a restatement of March after that: May's invoice bills the difference only
    await deliver(invoice_feed, [_delivered(u, 1, f"{y}-03-10", 600_000, revision=1),
                                 _delivered(u, 3, f"{y}-05-04", 1_000)])
    await billing.bill(may, "issue", [f"A-{u}"])
    later = await billing.issued_invoice(f"A-{u}", may)
    delta = line(later, "prior_period_adjustment", line_item_id=f"L-{u}")
    assert (delta["quantity"], delta["amount"], delta["original_period"], delta["original_invoice_number"]) == \
        (100_000, "400.00", march, None)
    assert await billing.invoices(bill_to_account_id=f"A-{u}", period=march, status="issued") == []


async def test_period_closed_from_another_source_is_dead_lettered_and_locks_nothing(invoice_feed, billing, unique):
    period = f"{own_year(unique)}-07"
    start = await end_offsets(invoice_feed.bootstrap, dlq_topic(ACCOUNTING_TOPIC))
    await close_period(invoice_feed, period, source="/mediabill/invoice-svc")
    [dead] = await read_from(invoice_feed.bootstrap, start, 1)
    headers = dict(dead.headers)
    assert b"accounting-svc" in headers["dlq-reason"] and dead.key == period.encode()
    assert not await _locked(billing, period)


async def test_a_month_reopened_after_a_later_invoice_billed_what_it_owed_is_not_billed_twice(invoice_feed, billing,
                                                                                           unique):
    u, y = unique, own_year(unique)
    march, april = f"{y}-03", f"{y}-04"
    await _setup(invoice_feed, u, y)
    await deliver(invoice_feed, [_delivered(u, 1, f"{y}-03-10", 500_000), _delivered(u, 2, f"{y}-04-03", 250_000)])
    await close_period(invoice_feed, march)
    await billing.bill(april, "issue", [f"A-{u}"])
    assert line(await billing.issued_invoice(f"A-{u}", april), "prior_period_adjustment",
                line_item_id=f"L-{u}")["quantity"] == 500_000

    await close_period(invoice_feed, march, event="PeriodReopened")
    run = await billing.bill(march, "issue", [f"A-{u}"])
    assert await billing.invoices(bill_to_account_id=f"A-{u}", period=march) == [], run
    # a late March delivery is still billed, once, as what March owes, on the next invoice
    await deliver(invoice_feed, [_delivered(u, 3, f"{y}-03-30", 10_000), _delivered(u, 4, f"{y}-05-02", 1_000)])
    await billing.bill(f"{y}-05", "issue", [f"A-{u}"])
    may = await billing.issued_invoice(f"A-{u}", f"{y}-05")
    owed = line(may, "prior_period_adjustment", line_item_id=f"L-{u}")
    assert (owed["quantity"], owed["amount"], owed["original_period"], owed["original_invoice_number"]) == \
        (10_000, "40.00", march, None)
