"""A billing analyst looks up an account of the demo by name, opens it and one of its contracts, and reads the same
terms, lines and amounts the API holds, with the contract's amendment (who, what, when, why) in its history."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.async_api import expect

from tests.console.conftest import screenshot, serious_accessibility_violations, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

REASON = "Advertiser issued a purchase order for the rest of the flight"


async def _an_amendable_contract(api) -> dict:
    """An active contract of the demo whose flight reaches past this month's start (so no invoice blocks the date)."""
    this_month = date.today().replace(day=1).isoformat()
    contracts = await api.get_all("product-config-svc", "/v1/contracts", status="active")
    candidates = [c for c in contracts if c["flight_end"] >= this_month and c["lines"]]
    assert candidates, "the demo books contracts running into this month"
    return candidates[0]


async def test_an_analyst_finds_an_account_by_name_and_reads_a_contract_with_its_amendment(browser, console_url, api):
    contract = await _an_amendable_contract(api)
    amended = await api.post("product-config-svc", f"/v1/contracts/{contract['contract_id']}/amendments",
                             {"effective_from": contract["flight_end"], "po_number": "PO-CONSOLE-7781",
                              "reason": REASON}, as_="config-admin")
    assert amended["amendment_no"] == contract.get("amendment_no", 0) + 1
    account = await api.get("product-config-svc", f"/v1/accounts/{contract['advertiser_account_id']}")

    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.get_by_role("link", name="Accounts").click()
    await page.get_by_label("Name or account id").fill(account["legal_name"][:8].lower())
    await page.get_by_role("button", name="Search").click()
    accounts = page.get_by_role("table", name="Accounts")
    await accounts.get_by_role("link", name=account["legal_name"], exact=True).click()

    await expect(page.get_by_role("heading", name=f"Account {account['legal_name']}")).to_be_visible()
    contracts = page.get_by_role("table", name="Contracts of the account")
    await contracts.get_by_role("link", name=contract["contract_id"], exact=True).click()

    await expect(page.get_by_role("heading", name=f"Contract {contract['contract_id']}")).to_be_visible()
    terms = page.get_by_role("region", name=amended.get("name") or "Terms")
    await expect(terms.get_by_role("definition").filter(has_text="PO-CONSOLE-7781")).to_have_count(1)
    await expect(terms).to_contain_text(amended["status"])
    lines = page.get_by_role("table", name="Contract lines")
    await expect(lines.get_by_role("row")).to_have_count(len(amended["lines"]) + 1)
    for line in amended["lines"]:
        row = lines.get_by_role("row").filter(has_text=line["line_item_id"])
        await expect(row).to_contain_text(line["product_code"])
        for amount in (line["rate"], line["budget"], line["fee"]):
            if amount is not None:
                shown = await page.evaluate(
                    "([a, c]) => new Intl.NumberFormat(undefined, {style: 'currency', currency: c}).format(a)",
                    [amount, amended["currency"]])
                await expect(row).to_contain_text(shown)

    history = page.get_by_role("list", name="Amendment history")
    amendment = history.get_by_role("listitem").filter(has_text=REASON)
    await expect(amendment).to_have_count(1)
    await expect(amendment).to_contain_text("amend")
    await expect(amendment).to_contain_text("po number")
    versions = page.get_by_role("list", name="Versions of the terms")
    await expect(versions).to_contain_text(re.compile(f"Amendment {amended['amendment_no']}, from"))
    await expect(page.get_by_role("link", name="Invoices of this contract")).to_have_attribute(
        "href", f"/invoices?contract_id={contract['contract_id']}")
    await screenshot(page, "accounts-contract")
    assert await serious_accessibility_violations(page) == []
