"""Month-end in the console (close.md C10, C11): a billing director finds the month the demo billed and closed,
reads its checklist and trial balance, reopens it with a reason and closes it again, and is refused the close of the
month not billed yet with the failing items; an analyst may read it all but is offered neither."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.console.conftest import screenshot, serious_accessibility_violations, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]

BLOCKING = ("billing complete", "journal complete", "receivable ties out")


async def test_a_director_reopens_the_closed_month_with_a_reason_and_closes_it_again(browser, console_url, api):
    period = _last_period()
    before = await api.get("accounting-svc", f"/v1/periods/{period}")
    # The demo (tools/demo/month_end.py) closes the month it billed once the journal has caught up.
    assert before["status"] == "closed", [(i["item"], i["status"], i["why"]) for i in before["checklist"]]
    page = await sign_in(browser, console_url, "billing-director", "billing-director")
    await page.get_by_role("link", name="Month-end").click()
    await expect(page.get_by_role("heading", name="Month-end", level=1)).to_be_visible()
    calendar = page.get_by_role("table", name="Periods, newest first")
    await expect(_row(calendar, period)).to_contain_text("closed")
    await expect(page.get_by_role("heading", name=f"{period}: closed")).to_be_visible()
    blocking = page.get_by_role("table", name=f"Close checklist for {period}: blocking items")
    for item in BLOCKING:
        await expect(_row(blocking, item)).to_contain_text("pass")
    await _sees_the_balanced_trial_balance(page, api, period)
    await screenshot(page, "month-end")
    assert await serious_accessibility_violations(page) == []

    reopen = page.get_by_role("form", name=f"Reopen {period}")
    await reopen.get_by_role("button", name=f"Reopen {period}").click()
    await expect(reopen.get_by_text("Say why the period is reopened.")).to_be_visible()  # no reason, no reopen
    assert (await api.get("accounting-svc", f"/v1/periods/{period}"))["status"] == "closed"
    await reopen.get_by_label("Reason for reopening").fill("A late delivery file from the retailer's site")
    await reopen.get_by_role("button", name=f"Reopen {period}").click()
    await expect(page.get_by_role("heading", name=f"{period}: open")).to_be_visible()
    reopened = await api.get("accounting-svc", f"/v1/periods/{period}")
    assert (reopened["status"], reopened["reopen_reason"]) == ("open", "A late delivery file from the retailer's site")

    await page.get_by_role("button", name=f"Close {period}…").click()
    await page.get_by_role("button", name=f"Confirm close of {period}").click()
    await expect(page.get_by_role("heading", name=f"{period}: closed")).to_be_visible()
    closed = await api.get("accounting-svc", f"/v1/periods/{period}")
    assert (closed["status"], closed["close_count"], closed["closed_by"]) == (
        "closed", before["close_count"] + 1, "dora.director@retailer.example")

    async with page.expect_download() as started:
        await page.get_by_role("link", name=f"Download the journal of {period} (CSV for the ERP)").click()
    download = await started.value
    assert download.suggested_filename.endswith(".csv")
    text = await asyncio.to_thread(Path(await download.path()).read_text, encoding="utf-8")
    header = text.splitlines()[0]
    assert header.startswith("entry_id,line_no,posting_date,posting_period"), header


async def test_a_close_the_checklist_refuses_lists_the_failing_items_and_closes_nothing(browser, console_url, api):
    # The current month is open, and no issue run has billed it: billing_complete fails, so the close is refused.
    current = date.today().strftime("%Y-%m")
    page = await sign_in(browser, console_url, "billing-director", "billing-director")
    await page.get_by_role("link", name="Month-end").click()
    await page.get_by_role("table", name="Periods, newest first").get_by_role("link", name=current).click()
    await expect(page.get_by_role("heading", name=f"{current}: open")).to_be_visible()
    blocking = page.get_by_role("table", name=f"Close checklist for {current}: blocking items")
    await expect(_row(blocking, "billing complete")).to_contain_text("fail")
    await page.get_by_role("button", name=f"Close {current}…").click()
    await page.get_by_role("button", name=f"Confirm close of {current}").click()
    await expect(page.get_by_role("alert").filter(has_text=f"{current} cannot close")).to_be_visible()
    await expect(page.get_by_role("list", name="Failing checklist items")).to_contain_text("billing complete")
    assert (await api.get("accounting-svc", f"/v1/periods/{current}"))["status"] == "open"
    assert await serious_accessibility_violations(page) == []


async def test_an_analyst_reads_the_month_end_but_is_offered_no_close(browser, console_url, api):
    period = _last_period()
    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.goto(f"/month-end?period={period}")
    await expect(page.get_by_role("heading", name=f"{period}: closed")).to_be_visible()
    await expect(page.get_by_text("Only a billing director closes or reopens a period")).to_be_visible()
    await expect(page.get_by_role("button", name=f"Close {period}…")).to_have_count(0)
    await expect(page.get_by_role("button", name=f"Reopen {period}")).to_have_count(0)
    await _sees_the_balanced_trial_balance(page, api, period)
    await _sees_net_revenue_by_month_as_accounting_reports_it(page, api, period)
    variance = await api.get("invoice-svc", "/v1/variance", period=period)
    flagged = [line for line in variance["lines"] if line["flagged"]]
    await expect(page.get_by_text(f"{len(flagged)} of {len(variance['lines'])} contract lines differ by more than "
                                  f"{variance['threshold_pct']}%")).to_be_visible()
    flags = page.get_by_role("table", name=f"Contract lines of {period} flagged beyond {variance['threshold_pct']}%")
    await expect(flags.get_by_role("row")).to_have_count(1 + max(1, len(flagged)))  # the header, then the lines


async def _sees_the_balanced_trial_balance(page, api, period: str) -> None:
    trial = await api.get("accounting-svc", "/v1/trial-balance", period=period)
    assert trial["totals"], "the demo month posted nothing"
    totals = page.get_by_role("table", name=f"Trial balance totals for {period} per currency")
    for total in trial["totals"]:
        assert total["debits"] == total["credits"] and total["balanced"], total
        row = _row(totals, total["currency"])
        await expect(row).to_contain_text(f"{Decimal(total['debits']):,.2f}")
        await expect(row).to_contain_text("balanced")
    assert trial["rows"]
    rows = page.get_by_role("table", name=f"Trial balance for {period} per account and currency").get_by_role("row")
    await expect(rows).to_have_count(len(trial["rows"]) + 1)  # the header row and one per account and currency


async def _sees_net_revenue_by_month_as_accounting_reports_it(page, api, period: str) -> None:
    """The chart has one bar per GL account, month and currency accounting-svc reports a net revenue for, over the
    last six periods of the calendar up to `period`, each month and currency named in its legend."""
    calendar = sorted(p["period"] for p in await api.get("accounting-svc", "/v1/periods") if p["period"] <= period)
    bars, series = 0, set()
    for month in calendar[-6:]:
        rows = (await api.get("accounting-svc", "/v1/revenue", period=month, by="gl_account"))["rows"]
        bars += sum(1 for r in rows if Decimal(r["net"]) != 0)
        series |= {f"{month} ({r['currency']})" for r in rows}
    assert bars, "the demo posted no revenue"
    chart = page.get_by_role("img", name=re.compile(f"^Chart: net revenue by GL revenue account for .* to {period}$"))
    await expect(chart).to_be_visible()
    await expect(chart.locator(".recharts-bar-rectangle path")).to_have_count(bars)
    await expect(chart.locator(".recharts-legend-item-text")).to_have_text(sorted(series))


def _row(table, heading: str):
    """The row of `table` whose row heading is `heading`."""
    return table.get_by_role("row").filter(has=table.page.get_by_role("rowheader", name=heading, exact=True))


def _last_period() -> str:
    today = date.today()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year}-{month:02d}"
