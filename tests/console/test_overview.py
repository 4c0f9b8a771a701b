"""A manager opens the console on the month just billed: its figures and a chart of billed value by month."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.console.conftest import screenshot, serious_accessibility_violations, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_overview_shows_the_months_figures_and_a_chart(browser, console_url, api):
    figures = await api.get("invoice-svc", "/v1/kpis", **{"from": _last_period(), "to": _last_period()})
    usd = next(p for p in figures["periods"] if p["currency"] == "USD")
    page = await sign_in(browser, console_url, "billing-manager", "billing-manager")
    await expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    glance = page.get_by_role("region", name="The month at a glance")
    await expect(glance.get_by_text("Billed value (USD)")).to_be_visible()
    await expect(glance.get_by_text(f"${float(usd['billed_value']):,.2f}")).to_be_visible()
    await expect(glance.get_by_text("Invoices issued (USD)")).to_be_visible()
    await expect(glance.get_by_text("Dispute rate")).to_be_visible()
    chart = page.get_by_role("figure", name="Chart: billed value by month and currency")
    await expect(chart.locator("svg.recharts-surface").first).to_be_visible()
    await expect(chart.locator(".recharts-bar-rectangle").first).to_be_visible()
    await screenshot(page, "overview")
    assert await serious_accessibility_violations(page) == []


async def test_main_lists_have_no_serious_accessibility_violation(browser, console_url):
    page = await sign_in(browser, console_url, "billing-director", "billing-director")
    for area, name in (("Invoices", "invoices"), ("Disputes", "disputes"), ("Products", "products")):
        await page.get_by_role("link", name=area, exact=True).click()
        await expect(page.get_by_role("heading", name=area, exact=True)).to_be_visible()
        await expect(page.get_by_role("table")).to_be_visible()
        await screenshot(page, name)
        assert await serious_accessibility_violations(page) == [], area


def _last_period() -> str:
    from datetime import date
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"
