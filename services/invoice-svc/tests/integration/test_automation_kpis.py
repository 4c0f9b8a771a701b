"""The automation KPIs (console.md, Overview): the touchless share of a period's invoices and the self-healed share of
billing exceptions, on the real database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from invoice_svc.testing.billing import READER, account, configure, contract, deliver, delivery, own_year, product

pytestmark = pytest.mark.integration


async def _automation(billing, first: str, last: str) -> dict:
    response = await billing.client.get("/v1/kpis", params={"from": first, "to": last}, headers=READER)
    assert response.status_code == 200, response.text
    return response.json()["automation"]


async def test_an_invoice_whose_contract_raised_an_exception_is_not_touchless(invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    p = f"P-{u}"
    await configure(invoice_feed, products=[product(p)], accounts=[account(f"A-{u}"), account(f"B-{u}")],
                    contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", start=f"{y}-03-01",
                                        end=f"{y}-03-31",
                                        lines=[{"line_item_id": f"L1-{u}", "product_code": p, "rate": "4.00"}]),
                               contract(f"D-{u}", advertiser=f"B-{u}", bill_to=f"B-{u}", start=f"{y}-03-01",
                                        end=f"{y}-03-31",
                                        lines=[{"line_item_id": f"L2-{u}", "product_code": p, "rate": "4.00",
                                                "budget": "100.00"}])])
    await deliver(invoice_feed, [
        delivery(f"D1-{u}", account_id=f"A-{u}", contract_id=f"C-{u}", line_item_id=f"L1-{u}", product_code=p,
                 day=f"{y}-03-04", impressions=10_000),
        # 200.00 of delivery against a 100.00 budget: the bill run raises budget_exhausted on contract D
        delivery(f"D2-{u}", account_id=f"B-{u}", contract_id=f"D-{u}", line_item_id=f"L2-{u}", product_code=p,
                 day=f"{y}-03-04", impressions=50_000)])
    await billing.bill(f"{y}-03", "issue", [f"A-{u}", f"B-{u}"])

    automation = await _automation(billing, f"{y}-03", f"{y}-03")
    assert automation["by_period"] == [{"period": f"{y}-03", "invoices": 2, "touchless_invoices": 1,
                                        "touchless_share": "0.5000"}]
    assert (automation["invoices"], automation["touchless_invoices"], automation["touchless_share"]) == (2, 1, "0.5000")
    # nothing was raised within March of that year's dates (the exception was raised today)
    assert (automation["exceptions_raised"], automation["self_healed_share"]) == (0, None)


async def test_an_exception_that_resolves_itself_counts_as_self_healed(invoice_feed, billing, unique):
    u = unique
    p = f"P-{u}"
    await configure(invoice_feed, products=[product(p)], accounts=[account(f"A-{u}")])
    today = datetime.now(UTC).date().isoformat()
    before = await _automation(billing, today, today)
    # a delivery for a contract product-config has not sent yet: unknown_contract, until the contract arrives
    await deliver(invoice_feed, [delivery(f"D1-{u}", account_id=f"A-{u}", contract_id=f"C-{u}",
                                          line_item_id=f"L1-{u}", product_code=p, day="2025-03-04",
                                          impressions=10_000)])
    await configure(invoice_feed, contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}", lines=[
        {"line_item_id": f"L1-{u}", "product_code": p, "rate": "4.00"}])])

    after = await _automation(billing, today, today)
    assert after["exceptions_raised"] == before["exceptions_raised"] + 1
    assert after["self_healed"] == before["self_healed"] + 1
    assert after["exceptions_resolved"] == before["exceptions_resolved"] + 1
    assert Decimal(after["self_healed_share"]) == (
        Decimal(after["self_healed"]) / after["exceptions_resolved"]).quantize(Decimal("0.0001"))


async def test_a_self_serve_invoice_whose_account_raised_an_exception_in_its_month_is_not_touchless(
        invoice_feed, billing, unique):
    u, y = unique, own_year(unique)
    p = f"P-{u}"
    await configure(invoice_feed, products=[product(p, model="auction_cpc", price=None)],
                    accounts=[account(f"A-{u}"), account(f"B-{u}")])
    await deliver(invoice_feed, [
        delivery(f"D1-{u}", account_id=f"A-{u}", contract_id=None, line_item_id=f"L1-{u}", product_code=p,
                 day=f"{y}-05-04", clicks=5, media_cost="12.34", currency="USD"),
        delivery(f"D2-{u}", account_id=f"B-{u}", contract_id=None, line_item_id=f"L2-{u}", product_code=p,
                 day=f"{y}-05-04", clicks=5, media_cost="7.66", currency="USD"),
        # a product nobody configured: unknown_product on A's self-serve delivery of the same month
        delivery(f"D3-{u}", account_id=f"A-{u}", contract_id=None, line_item_id=f"L3-{u}", product_code=f"X-{u}",
                 day=f"{y}-05-09", clicks=5, media_cost="1.00", currency="USD")])
    await billing.bill(f"{y}-05", "issue", [f"A-{u}", f"B-{u}"])

    automation = await _automation(billing, f"{y}-05", f"{y}-05")
    assert automation["by_period"] == [{"period": f"{y}-05", "invoices": 2, "touchless_invoices": 1,
                                        "touchless_share": "0.5000"}]
