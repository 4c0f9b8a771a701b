"""A manager opens the console on the month just billed: its figures and a chart of billed value by month."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.async_api import expect

from mediabill_common.events.envelope import new_envelope
from mediabill_common.testing.kafka import publish
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
    # automation, as invoice-svc counts it: the month's touchless invoices, exceptions healed since it began
    [touchless] = [p for p in figures["automation"]["by_period"] if p["period"] == _last_period()]
    assert touchless["invoices"] == sum(p["invoices_issued"] for p in figures["periods"]), touchless
    await expect(_card(glance, "Touchless invoices")).to_have_text(
        f"{_percent(touchless['touchless_share'])} ({touchless['touchless_invoices']} of {touchless['invoices']})")
    today = date.today()
    healed = (await api.get("invoice-svc", "/v1/kpis", **{"from": _last_period(),
                                                          "to": f"{today.year}-{today.month:02d}"}))["automation"]
    assert healed["self_healed"], "the demo's exceptions resolved themselves"
    await expect(_card(glance, f"Self-healed exceptions (raised since {_last_period()})")).to_have_text(
        f"{_percent(healed['self_healed_share'])} ({healed['self_healed']} of {healed['exceptions_resolved']})")
    chart = page.get_by_role("figure", name="Chart: billed value by month and currency")
    await expect(chart.locator("svg.recharts-surface").first).to_be_visible()
    await expect(chart.locator(".recharts-bar-rectangle").first).to_be_visible()
    await screenshot(page, "overview")
    assert await serious_accessibility_violations(page) == []


async def test_each_services_root_causes_are_shown_side_by_side_as_each_reports_them(browser, console_url, api):
    # The five calendar months up to this one: exceptions, disputes and requests count in the month raised.
    today = date.today()
    month = f"{today.year}-{today.month:02d}"
    first = f"{today.year - (1 if today.month <= 4 else 0)}-{(today.month - 5) % 12 + 1:02d}"
    page = await sign_in(browser, console_url, "billing-manager", "billing-manager")
    causes = page.get_by_role("region", name=f"Root causes, {first} to {month}")
    shown = 0
    for service, title in (("invoice-svc", "Billing exceptions"), ("dispute-svc", "Disputes"),
                           ("adjustment-svc", "Credits and debits requested")):
        series = (await api.get(service, "/v1/trends", **{"from": first, "to": month, "by": "root_cause"}))["series"]
        table = causes.get_by_role("table", name=re.compile(f"^{title} by root cause"))
        rows = table.get_by_role("row")
        await expect(rows).to_have_count(1 + max(1, len(series)))
        for i, s in enumerate(series):  # in the API's order: largest value first
            await expect(rows.nth(1 + i).get_by_role("rowheader")).to_have_text(s["group"].replace("_", " "))
            await expect(rows.nth(1 + i).get_by_role("cell").nth(0)).to_have_text(f"{s['count']:,}")
        shown += len(series)
    assert shown, "the demo raised no exception, dispute or request in these months"
    assert await causes.get_by_role("table").count() == 3
    await screenshot(page, "overview-root-causes")
    assert await serious_accessibility_violations(page) == []


async def test_main_lists_have_no_serious_accessibility_violation(browser, console_url):
    page = await sign_in(browser, console_url, "billing-director", "billing-director")
    for area, name in (("Invoices", "invoices"), ("Disputes", "disputes"), ("Products", "products")):
        await page.get_by_role("link", name=area, exact=True).click()
        await expect(page.get_by_role("heading", name=area, exact=True)).to_be_visible()
        await expect(page.get_by_role("table")).to_be_visible()
        await screenshot(page, name)
        assert await serious_accessibility_violations(page) == [], area


def _percent(share: str) -> str:
    """A 0..1 share as the console shows it in an en-US browser: "84.9%" (one decimal at most, half up)."""
    value = (Decimal(share) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value.normalize():f}%"


def _card(region, label: str):
    """The figure of the card labelled `label`."""
    return region.locator(".card").filter(has=region.page.get_by_text(label, exact=True)).locator("dd")


def _last_period() -> str:
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"


async def test_an_exception_without_a_currency_shows_on_the_overview_as_not_priced(browser, console_url, api,
                                                                                     kafka_bootstrap):
    # A delivery for a product and account nobody configured: invoice-svc keeps it back as an exception with no
    # currency and no price. The overview once passed that null currency to Intl, threw, and blanked the console.
    u = uuid.uuid4().hex[:8].upper()
    delivery = {"delivery_id": f"{u}-D1", "revision": 0, "source_system": "pio", "account_id": f"NOBODY-{u}",
                "contract_id": None, "campaign_id": f"CMP-{u}", "line_item_id": f"{u}-L1", "campaign_name": "Stray",
                "product_code": f"NOPE-{u}", "delivery_date": f"{_last_period()}-03", "impressions": 1000,
                "viewable_impressions": 500, "clicks": 0, "conversions": 0, "third_party_impressions": None,
                "media_cost": None, "currency": None}
    await publish(kafka_bootstrap, "ads.delivery.v1", [(delivery["line_item_id"], new_envelope(
        type="CampaignDelivered", source="/ad-platforms/pio", subject=delivery["delivery_id"], data=delivery))])

    async def held_back():
        figures = await api.get("invoice-svc", "/v1/kpis", **{"from": _last_period(), "to": _last_period()})
        rows = [e for e in figures["open_exceptions"]["by_kind"] if e["currency"] is None and e["unpriced"]]
        return rows or None

    stray = (await api.wait_until(held_back, timeout_s=120, what="an open exception with no currency"))[0]
    page = await sign_in(browser, console_url, "billing-manager", "billing-manager")
    table = page.get_by_role("table", name="Open exceptions and the value they put at risk")
    row = table.get_by_role("row").filter(has=page.get_by_role("cell", name=stray["kind"], exact=True)).filter(
        has_text="not priced")
    await expect(row).to_have_count(1)
    await expect(row.get_by_role("cell").nth(2)).to_have_text(f"{stray['unpriced']} not priced")
