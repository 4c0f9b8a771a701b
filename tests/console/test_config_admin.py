"""A config admin sets up a product in the console: created, refused by readiness with the reason shown, given a
rate card, ready, activated; a value the API refuses is explained beside the field it concerns."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.async_api import expect

from tests.console.conftest import screenshot, serious_accessibility_violations, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_a_product_goes_live_once_readiness_passes(browser, console_url):
    page = await sign_in(browser, console_url, "config-admin", "config-admin")
    await page.get_by_role("link", name="Products").click()
    await page.get_by_label("Product code").fill("CONSOLE-DISPLAY")
    await page.get_by_label("Name").fill("Console display banners")
    await page.get_by_label("Channel").select_option("offsite")
    await page.get_by_label("Pricing model").select_option("cpm")
    await page.get_by_label("GL revenue account").fill("401000-RMN")
    await page.get_by_label("Tax code").fill("ADV")
    await page.get_by_label("Invoice description").fill("Display banners, per thousand impressions")
    await page.get_by_role("button", name="Create the product").click()

    await expect(page.get_by_role("heading", name="Product CONSOLE-DISPLAY")).to_be_visible()
    checklist = page.get_by_role("list", name="Readiness checklist")
    await expect(page.get_by_text("Not ready yet.")).to_be_visible()
    await expect(checklist.get_by_text(re.compile("cpm needs a rate card"))).to_be_visible()
    await expect(page.get_by_role("button", name="Activate")).to_be_disabled()
    await screenshot(page, "product-not-ready")
    assert await serious_accessibility_violations(page) == []

    await page.get_by_label("Effective from").fill("2024-01-01")
    await page.get_by_label("Currency").fill("USD")
    await page.get_by_label("Price").fill("4.50")
    await page.get_by_role("button", name="Add the rate card").click()
    await expect(page.get_by_text("Ready to activate.")).to_be_visible()
    await expect(checklist.get_by_text(re.compile("cpm rate card present"))).to_be_visible()
    await page.get_by_role("button", name="Activate").click()
    await expect(page.get_by_text("live", exact=True)).to_be_visible()
    await expect(page.get_by_role("button", name="Activate")).to_have_count(0)


async def test_a_refused_value_is_explained_beside_its_field(browser, console_url):
    page = await sign_in(browser, console_url, "config-admin", "config-admin")
    await page.get_by_role("link", name="Products").click()
    await page.get_by_label("Product code").fill("CONSOLE-BAD-GL")
    await page.get_by_label("Name").fill("A product with a mistyped GL account")
    await page.get_by_label("GL revenue account").fill("41")
    await page.get_by_role("button", name="Create the product").click()
    gl = page.get_by_label("GL revenue account")
    await expect(gl).to_have_attribute("aria-invalid", "true")
    await expect(gl).to_have_accessible_description(re.compile("'41' is not a GL revenue account"))
    await expect(page.get_by_label("Product code")).not_to_have_attribute("aria-invalid", "true")
    await screenshot(page, "products-refused-field")
    assert await serious_accessibility_violations(page) == []


async def test_a_pricing_simulation_shows_invoice_svcs_price_and_a_bad_quantity_beside_its_field(
        browser, console_url, api):
    code = "VIDEO-ONSITE-CPM"  # the demo's onsite video: 14.00 USD per thousand impressions
    product = await api.get("product-config-svc", f"/v1/products/{code}", as_="config-admin")
    card = product["rate_cards"][0]
    product.pop("state_version", None)
    # The same day, quantity and self-serve buyer the console prices, asked of invoice-svc directly.
    expected = await api.post("invoice-svc", "/v1/price-simulations", {
        "period": card["effective_from"][:7], "product": product, "contract": None,
        "bill_to": {"account_id": "SIMULATION", "type": "advertiser", "legal_name": "Simulated self-serve advertiser",
                    "currency": card["currency"], "payment_terms_days": 30, "po_required": False},
        "already_billed": [],
        "deliveries": [{"delivery_id": "SIM-1", "revision": 0, "source_system": "simulation",
                        "account_id": "SIMULATION", "campaign_id": "SIM", "line_item_id": "SIM-LINE",
                        "product_code": code, "delivery_date": card["effective_from"], "impressions": 250_000,
                        "viewable_impressions": 0, "clicks": 0, "conversions": 0}]}, as_="billing-analyst")
    assert Decimal(expected["total"]) == Decimal("3500.00"), expected  # 250 thousand x 14.00, no tax

    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.goto(f"/products/{code}")
    simulation = page.get_by_role("form", name="Pricing simulation")
    await expect(simulation.get_by_label("Service date")).to_have_value(card["effective_from"])
    await simulation.get_by_label("Impressions", exact=True).fill("250000")
    await simulation.get_by_role("button", name="Price it").click()
    await expect(page.get_by_test_id("simulated-total")).to_have_text(f"${Decimal(expected['total']):,.2f}")
    await screenshot(page, "product-simulation")
    assert await serious_accessibility_violations(page) == []

    await simulation.get_by_label("Impressions", exact=True).fill("-5")
    await simulation.get_by_role("button", name="Price it").click()
    impressions = simulation.get_by_label("Impressions", exact=True)
    await expect(impressions).to_have_attribute("aria-invalid", "true")
    await expect(impressions).to_have_accessible_description(re.compile("greater than or equal to 0"))
    await expect(simulation.get_by_label("Clicks")).not_to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_test_id("simulated-total")).to_have_count(0)
