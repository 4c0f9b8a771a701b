"""Reconciliation in the console (oversight.md O1, O2): an analyst compares first- and third-party impressions of
the month billed, with the value at stake and its totals as invoice-svc reports them, and reads which delivery
sources are registered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.async_api import expect

from tests.console.conftest import screenshot, serious_accessibility_violations, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_an_analyst_sees_first_against_third_party_with_the_apis_value_at_stake(browser, console_url, api):
    period = _last_period()
    totals = (await api.get("invoice-svc", "/v1/reconciliations/measurement/totals", period=period))["totals"]
    first_page = await api.get("invoice-svc", "/v1/reconciliations/measurement", period=period, limit=50)
    assert totals and first_page["items"], "the demo month has no line billed on impressions"
    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.get_by_role("link", name="Reconciliation").click()
    await expect(page.get_by_role("heading", name="Reconciliation", level=1)).to_be_visible()

    table = page.get_by_role("table", name=f"Totals for {period}, per currency")
    for total in totals:
        row = _row(table, total["currency"])
        await expect(row.get_by_test_id(f"value-at-stake-{total['currency']}")).to_have_text(
            _usd(total["value_at_stake"]))
        await expect(row).to_contain_text(_usd(total["billed"]))
        await expect(row.get_by_role("cell").nth(0)).to_have_text(str(total["lines"]))
    lines = page.get_by_role("table", name=f"Contract lines billed on impressions, {period} (page 1)")
    await expect(lines.get_by_role("row")).to_have_count(1 + len(first_page["items"]))  # the header, then the lines
    # a line beyond its threshold (the demo's third-party counts are up to 20% lower) shows the API's figures
    beyond = next((r for r in first_page["items"] if r["status"] == "beyond_threshold"), first_page["items"][0])
    shown = lines.get_by_role("row").filter(has=page.get_by_role("cell", name=beyond["line_item_id"], exact=True))
    await expect(shown).to_have_count(1)
    await expect(shown).to_contain_text(f"{beyond['discrepancy_pct']} %" if beyond["discrepancy_pct"] else "—")
    await expect(shown).to_contain_text(_usd(beyond["value_at_stake"]))
    await expect(shown).to_contain_text(_usd(beyond["billed"]))

    contract = beyond["contract_id"]
    await page.get_by_label("Contract").fill(contract)
    await page.get_by_role("button", name="Show").click()
    one = (await api.get("invoice-svc", "/v1/reconciliations/measurement/totals", period=period,
                         contract_id=contract))["totals"][0]
    table = page.get_by_role("table", name=f"Totals for {period}, contract {contract}, per currency")
    await expect(table.get_by_test_id(f"value-at-stake-{one['currency']}")).to_have_text(_usd(one["value_at_stake"]))
    await screenshot(page, "reconciliation-measurement")
    assert await serious_accessibility_violations(page) == []


async def test_the_registered_delivery_sources_are_listed(browser, console_url, api):
    # The source the demo's deliveries come from, with every CloudEvents source below /ad-platforms/ allowed, so
    # registering it refuses nothing the other tests send.
    await api.put("product-config-svc", "/v1/delivery-sources/pio",
                  {"name": "Programmatic insertion orders", "event_sources": ["/ad-platforms/"],
                   "reason": "console test"}, as_="config-admin")
    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.goto("/reconciliation")
    await page.get_by_role("navigation", name="Reconciliation views").get_by_role(
        "link", name="Delivery sources").click()
    table = page.get_by_role("table", name="Delivery sources")
    row = table.get_by_role("row").filter(has=page.get_by_role("cell", name="pio", exact=True))
    await expect(row).to_contain_text("Programmatic insertion orders")
    await expect(row).to_contain_text("/ad-platforms/")
    await screenshot(page, "reconciliation-sources")
    assert await serious_accessibility_violations(page) == []


def _row(table, heading: str):
    """The row of `table` whose row heading is `heading`."""
    return table.get_by_role("row").filter(has=table.page.get_by_role("rowheader", name=heading, exact=True))


def _usd(amount: str | None) -> str:
    """An amount as the console shows US dollars in an en-US browser: "$1,234.50", "-$3.00", "—" for none."""
    if amount is None:
        return "—"
    value = Decimal(amount)
    return f"{'-' if value < 0 else ''}${abs(value):,.2f}"


def _last_period() -> str:
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"

