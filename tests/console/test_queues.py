"""An analyst works the exception queue (the biggest value at risk first, bulk assign, resolve with a root cause)
and finds the month's bill run with its results."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.console.conftest import screenshot, serious_accessibility_violations, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def test_an_analyst_takes_open_exceptions_and_finds_the_bill_run(browser, console_url, api):
    open_exceptions = (await api.get("invoice-svc", "/v1/exceptions", status="open", limit=500))["items"]
    page = await sign_in(browser, console_url, "billing-analyst-2", "billing-analyst")
    await page.get_by_role("link", name="Exceptions").click()
    queue = page.get_by_role("table", name="Exception queue (sort by value or age)")
    await expect(queue).to_be_visible()
    await screenshot(page, "exceptions")
    assert await serious_accessibility_violations(page) == []
    if open_exceptions:
        first = open_exceptions[0]["exception_id"]
        await page.get_by_label(f"Select exception {first}").check()
        await page.get_by_role("button", name="Assign selected to me (1)").click()
        await expect(page.get_by_role("button", name="Assign selected to me (0)")).to_be_visible()
        assigned = (await api.get("invoice-svc", f"/v1/exceptions/{first}"))
        assert assigned["assignee"] == "omar.analyst@retailer.example"
        # resolved with a root cause from the shared list (oversight.md O4), which invoice-svc records
        await page.get_by_label("Status", exact=True).select_option("assigned")
        await page.get_by_role("button", name=f"Resolve exception {first}").click()
        await page.get_by_label("Root cause").select_option("late_booking")
        await page.get_by_label("What was done and why").fill("The contract was loaded late; deliveries re-checked")
        await page.get_by_role("button", name="Resolve", exact=True).click()
        await expect(page.get_by_role("button", name=f"Resolve exception {first}")).to_have_count(0)
        resolved = await api.get("invoice-svc", f"/v1/exceptions/{first}")
        assert (resolved["status"], resolved["root_cause"]) == ("resolved", "late_booking"), resolved

    await page.get_by_role("link", name="Bill runs").click()
    await expect(page.get_by_role("heading", name="Bill runs")).to_be_visible()
    run = page.get_by_role("article").filter(has_text="Issue run for").first
    await expect(run).to_be_visible()
    await expect(run.get_by_role("heading", name="completed")).to_be_visible()
    # The run's results list the exceptions it raised, each as invoice-svc has it now.
    runs = [r for r in await api.get_all("invoice-svc", "/v1/bill-runs")
            if r["mode"] == "issue" and r["status"] == "completed" and r["exception_ids"]]
    assert runs, "the demo's issue runs raised no exception"
    raised = page.get_by_role("article", name=f"Bill run {runs[0]['run_id']}")
    await raised.get_by_role("button", name="Show the exceptions it raised").click()
    table = raised.get_by_role("table", name=f"Exceptions raised by bill run {runs[0]['run_id']}")
    first = await api.get("invoice-svc", f"/v1/exceptions/{runs[0]['exception_ids'][0]}")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=first["exception_id"]))
    await expect(row).to_contain_text(first["kind"])
    await expect(row).to_contain_text(first["status"])
    await expect(table.get_by_role("row")).to_have_count(1 + min(25, len(runs[0]["exception_ids"])))
    # An analyst may preview but not issue (api.md): the form offers no issue mode.
    await expect(page.get_by_label("Mode").locator("option")).to_have_count(1)
    await screenshot(page, "bill-runs")
    assert await serious_accessibility_violations(page) == []
