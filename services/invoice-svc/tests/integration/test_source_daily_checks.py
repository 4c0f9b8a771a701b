"""The worker's daily delivery-source checks on the real database (oversight.md O1): once a product's change of
billing source arrives unready, `cutover_not_ready` is raised (one open per product) and resolves itself when the
new source's days reconcile; a day only a shadow source reported raises `missing_billing_source_delivery` until the
billing source reports it."""

from __future__ import annotations

from datetime import date

import pytest

from invoice_svc.entrypoints.worker import check_cutovers_once, check_missing_days_once, daily_schedule
from invoice_svc.testing.billing import (
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    own_year,
    product,
)

pytestmark = pytest.mark.integration


async def _cutover_exceptions(billing, code: str, status: str, kind: str = "cutover_not_ready") -> list[dict]:
    response = await billing.client.get("/v1/exceptions", params={"kind": kind, "status": status, "limit": 500},
                                        headers=READER)
    assert response.status_code == 200, response.text
    return [e for e in response.json()["items"] if e["refs"].get("product_code") == code]


async def test_cutover_not_ready_is_raised_when_the_date_arrives_unready_and_resolves_once_reconciled(
        invoice_ctx, invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    code, bill_to = f"CPM-{u}", f"A-{u}"
    sources = [{"source_system": "pio", "effective_from": f"{y}-01-01"},
               {"source_system": "oms", "effective_from": f"{y}-03-16"}]
    await configure(invoice_feed, products=[product(code) | {"billing_sources": sources}], accounts=[account(bill_to)],
                    contracts=[contract(f"C-{u}", advertiser=bill_to, bill_to=bill_to, start=f"{y}-03-01",
                                        end=f"{y}-03-31",
                                        lines=[{"line_item_id": f"L-{u}", "product_code": code, "rate": "4.00"}])])
    common = {"account_id": bill_to, "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": code}
    # the 7 days before the cutover: PIO and OMS agree, except OMS counts 3% more on the 13th
    await deliver(invoice_feed, [delivery(f"P{d}-{u}", day=f"{y}-03-{d:02d}", impressions=100_000, **common)
                                 for d in range(9, 16)])
    await deliver(invoice_feed, [delivery(f"O{d}-{u}", day=f"{y}-03-{d:02d}", source_system="oms",
                                          impressions=103_000 if d == 13 else 100_000, **common)
                                 for d in range(9, 16)])
    assert "cutover_readiness" in [job.name for job in daily_schedule(invoice_ctx).jobs]

    before = await check_cutovers_once(invoice_ctx, date(y, 3, 15))
    assert code not in before.raised and await _cutover_exceptions(billing, code, "open") == []

    arrived = await check_cutovers_once(invoice_ctx, date(y, 3, 16))
    assert code in arrived.raised
    [raised] = await _cutover_exceptions(billing, code, "open")
    assert raised["refs"]["source_system"] == "oms" and raised["refs"]["current_source_system"] == "pio"
    assert raised["refs"]["unreconciled_days"] == f"{y}-03-13: 1 beyond_tolerance"
    again = await check_cutovers_once(invoice_ctx, date(y, 3, 17))       # daily, one open per product
    assert code in again.raised
    assert [e["exception_id"] for e in await _cutover_exceptions(billing, code, "open")] == [raised["exception_id"]]

    # OMS restates the 13th to PIO's count: the next day's check resolves it as the system
    await deliver(invoice_feed, [delivery(f"O13-{u}", day=f"{y}-03-13", source_system="oms", revision=1,
                                          impressions=100_000, **common)])
    healed = await check_cutovers_once(invoice_ctx, date(y, 3, 18))
    assert code in healed.resolved and await _cutover_exceptions(billing, code, "open") == []
    [resolved] = await _cutover_exceptions(billing, code, "resolved")
    assert resolved["resolved_by"] == "system"


async def test_a_day_only_a_shadow_source_reported_raises_missing_billing_source_delivery_until_supplied(
        invoice_ctx, invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    code, bill_to = f"CPM-{u}", f"A-{u}"
    sources = [{"source_system": "pio", "effective_from": f"{y}-01-01"},
               {"source_system": "oms", "effective_from": f"{y}-03-16"}]
    await configure(invoice_feed, products=[product(code) | {"billing_sources": sources}], accounts=[account(bill_to)],
                    contracts=[contract(f"C-{u}", advertiser=bill_to, bill_to=bill_to, start=f"{y}-03-01",
                                        end=f"{y}-03-31",
                                        lines=[{"line_item_id": f"L-{u}", "product_code": code, "rate": "4.00"}])])
    common = {"account_id": bill_to, "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": code}
    # PIO bills up to the 15th but misses the 13th; OMS (shadow until the 16th) reports the 12th to the 16th
    await deliver(invoice_feed, [delivery(f"P{d}-{u}", day=f"{y}-03-{d:02d}", impressions=1000, **common)
                                 for d in (11, 12, 14, 15)])
    await deliver(invoice_feed, [delivery(f"O{d}-{u}", day=f"{y}-03-{d:02d}", source_system="oms", impressions=1000,
                                          **common) for d in range(12, 17)])
    assert "missing_billing_source_days" in [job.name for job in daily_schedule(invoice_ctx).jobs]

    checked = await check_missing_days_once(invoice_ctx, date(y, 3, 20))
    [missing] = await _cutover_exceptions(billing, code, "open", "missing_billing_source_delivery")
    assert missing["exception_id"] in checked.raised
    assert (missing["refs"]["service_date"], missing["refs"]["billing_source_system"],
            missing["refs"]["shadow_source_systems"]) == (f"{y}-03-13", "pio", "oms")
    again = await check_missing_days_once(invoice_ctx, date(y, 3, 21))    # one per day and line item
    assert again.raised == [] and len(await _cutover_exceptions(billing, code, "open",
                                                                "missing_billing_source_delivery")) == 1

    await deliver(invoice_feed, [delivery(f"P13-{u}", day=f"{y}-03-13", impressions=1000, **common)])
    healed = await check_missing_days_once(invoice_ctx, date(y, 3, 22))
    assert missing["exception_id"] in healed.resolved
    assert await _cutover_exceptions(billing, code, "open", "missing_billing_source_delivery") == []
