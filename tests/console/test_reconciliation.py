"""Reconciliation in the console (oversight.md O1, O2): an analyst compares first- and third-party impressions of
the month billed, with the value at stake and its totals as invoice-svc reports them, and reads which delivery
sources are registered."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import asyncpg
import pytest
from playwright.async_api import expect
from sqlalchemy.engine import make_url

from mediabill_common.events.envelope import new_envelope
from mediabill_common.testing.kafka import publish
from tests.console.conftest import screenshot, serious_accessibility_violations, sign_in
from tools.demo.scenario import in_number_order

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
    await _register_sources(api)
    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.goto("/reconciliation")
    await page.get_by_role("navigation", name="Reconciliation views").get_by_role(
        "link", name="Delivery sources").click()
    table = page.get_by_role("table", name="Delivery sources")
    row = table.get_by_role("row").filter(has=page.get_by_role("cell", name="pio", exact=True))
    await expect(row).to_contain_text("Programmatic insertion orders")
    await expect(row).to_contain_text("/ad-platforms/")
    assert await serious_accessibility_violations(page) == []


async def test_an_analyst_compares_oms_with_pio_day_by_day_and_a_shadow_run_with_the_billing_run(
        browser, console_url, api, kafka_bootstrap):
    period = _last_period()
    await _register_sources(api)
    # A parallel run: OMS reports two days of a line PIO reports, one the same, one 20% short (beyond 1%).
    before = await api.get("invoice-svc", "/v1/reconciliations/sources", period=period, left="pio", right="oms",
                           limit=500)
    days = [r for r in before["items"] if r["unit"] == "impressions" and r["contract_id"] and r["left_quantity"]]
    first = days[0]
    same_line = [r for r in days if (r["contract_id"], r["line_item_id"]) == (first["contract_id"],
                                                                              first["line_item_id"])][:2]
    assert len(same_line) == 2, "the demo has no CPM line with two delivered days"
    contract = await api.get("product-config-svc", f"/v1/contracts/{first['contract_id']}")
    oms = [_delivery(contract, day, quantity) for day, quantity in
           zip(same_line, (same_line[0]["left_quantity"], int(same_line[1]["left_quantity"] * 0.8)), strict=True)]
    await publish(kafka_bootstrap, "ads.delivery.v1", [(d["line_item_id"], new_envelope(
        type="CampaignDelivered", source="/ad-platforms/oms", subject=d["delivery_id"], data=d)) for d in oms])

    async def compared():
        found = await api.get("invoice-svc", "/v1/reconciliations/sources", period=period, left="pio", right="oms",
                              contract_id=first["contract_id"])
        return found if found["summary"]["rows"]["beyond_tolerance"] else None

    expected = await api.wait_until(compared, timeout_s=120, what="OMS's deliveries in the reconciliation")
    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.goto("/reconciliation?view=sources")
    form = page.get_by_role("form", name="Compare two delivery sources")
    await form.get_by_label("Service period (YYYY-MM)").fill(period)
    await form.get_by_label("Left source (the reference)").fill("pio")
    await form.get_by_label("Right source", exact=True).fill("oms")
    await form.get_by_label("Contract (optional)").fill(first["contract_id"])
    await form.get_by_role("button", name="Compare").click()
    summary = page.get_by_role("table", name=re.compile("^Summary of pio against oms"))
    counts = summary.get_by_role("row").nth(1).get_by_role("cell")
    for i, status in enumerate(("matched", "within_tolerance", "beyond_tolerance", "only_left", "only_right")):
        await expect(counts.nth(i)).to_have_text(str(expected["summary"]["rows"][status]))
    for value in expected["summary"]["values"]:
        await expect(page.get_by_test_id(f"source-difference-{value['currency']}")).to_have_text(
            _usd(value["difference"]))
    short = next(r for r in expected["items"] if r["status"] == "beyond_tolerance")
    days_table = page.get_by_role("table", name="Service days of pio and oms (page 1)")
    await expect(days_table.get_by_role("row")).to_have_count(1 + len(expected["items"]))
    row = days_table.get_by_role("row").filter(has_text="beyond tolerance")
    await expect(row).to_contain_text(f"{short['difference']:,}")
    await expect(row).to_contain_text(_usd(short["value_difference"]))
    await screenshot(page, "reconciliation-sources")
    assert await serious_accessibility_violations(page) == []

    # Priced as if OMS billed, against the run that issued the month.
    issue = next(r for r in await api.get_all("invoice-svc", "/v1/bill-runs")
                 if r["period"] == period and r["mode"] == "issue" and r["status"] == "completed")
    shadow = await api.post("invoice-svc", "/v1/bill-runs", {"period": period, "mode": "preview",
                                                             "source_system": "oms"}, as_="billing-analyst")

    async def finished():
        run = await api.get("invoice-svc", f"/v1/bill-runs/{shadow['run_id']}")
        return run if run["status"] in ("completed", "failed") else None

    assert (await api.wait_until(finished, timeout_s=120, what="the shadow run"))["status"] == "completed"
    diff = await api.get("invoice-svc", "/v1/reconciliations/bill-runs", left=issue["run_id"],
                         right=shadow["run_id"], limit=50)
    await page.get_by_role("navigation", name="Reconciliation views").get_by_role(
        "link", name="Bill run comparison").click()
    runs = page.get_by_role("form", name="Compare two bill runs")
    await runs.get_by_label("Left run (the reference)").select_option(value=issue["run_id"])
    await runs.get_by_role("button", name="Compare").click()
    await expect(runs.get_by_label("Right run")).to_have_attribute("aria-invalid", "true")  # no run picked
    await runs.get_by_label("Right run").select_option(value=shadow["run_id"])
    await runs.get_by_role("button", name="Compare").click()
    for total in diff["totals"]:
        await expect(page.get_by_test_id(f"run-difference-{total['currency']}")).to_have_text(
            _usd(total["difference"]))
    lines = page.get_by_role("table", name="Lines of the two runs (page 1)")
    await expect(lines.get_by_role("row")).to_have_count(1 + len(diff["items"]))
    await screenshot(page, "reconciliation-bill-runs")
    assert await serious_accessibility_violations(page) == []


async def test_an_assurance_run_is_followed_after_leaving_the_page_and_links_the_drifted_invoice(
        browser, console_url, api, console_system):
    period = _last_period()
    # The demo ran an assurance run over the month it issued (oversight.md O3): nothing had changed, nothing drifted.
    clean = await _latest_run(api, period)
    assert clean is not None and clean["status"] == "completed", clean
    assert (clean["invoices_checked"], clean["drifted"], clean["unverifiable"]) == (clean["progress"]["total"], 0, 0)
    assert clean["invoices_checked"] == clean["matched"] > 0, clean
    invoice, line = await _invoice_with_usage(api, period)
    # The ledger changes behind invoice-svc's back (as tests/e2e/test_billing_assurance.py does): a tenth of what
    # the line's deliveries of the month counted. Re-priced, the invoice would now bill less: it has drifted.
    dsn = make_url(console_system.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        changed = await conn.execute(
            "UPDATE invoice_svc.delivery_revisions r SET impressions = r.impressions / 10, "
            "viewable_impressions = r.viewable_impressions / 10, clicks = r.clicks / 10, "
            "conversions = r.conversions / 10 FROM invoice_svc.deliveries d WHERE d.delivery_id = r.delivery_id "
            "AND d.source_system = r.source_system "
            "AND d.line_item_id = $1 AND to_char(d.delivery_date, 'YYYY-MM') = $2", line["line_item_id"], period)
    finally:
        await conn.close()
    assert changed != "UPDATE 0", changed

    page = await sign_in(browser, console_url, "billing-analyst", "billing-analyst")
    await page.goto("/reconciliation?view=assurance")
    start = page.get_by_role("form", name="Start an assurance run")
    await start.get_by_label("Periods (YYYY-MM, separated by commas)").fill("2025-13")
    await start.get_by_role("button", name="Start an assurance run").click()
    await expect(start.get_by_label("Periods (YYYY-MM, separated by commas)")).to_have_attribute(
        "aria-invalid", "true")  # the API's message beside the field
    await start.get_by_label("Periods (YYYY-MM, separated by commas)").fill(period)
    await start.get_by_role("button", name="Start an assurance run").click()
    run = await api.wait_until(lambda: _latest_run(api, period, after=clean), timeout_s=30, what="the requested run")
    await page.get_by_role("link", name="Invoices").click()  # leave while it runs
    await page.get_by_role("link", name="Reconciliation").click()
    await page.get_by_role("navigation", name="Reconciliation views").get_by_role(
        "link", name="Billing assurance").click()
    article = page.get_by_role("article", name=f"Assurance run {run['run_id']}")
    await expect(article.get_by_role("heading", name=f"Assurance run over {period}: completed")).to_be_visible(
        timeout=120_000)
    done = await api.get("invoice-svc", f"/v1/assurance-runs/{run['run_id']}")
    assert done["drifted"] == 1, done  # exactly the tampered invoice
    for i, (label, figure) in enumerate((("Matched", done["matched"]), ("Drifted", done["drifted"]))):
        await expect(article.get_by_role("term").nth(i)).to_have_text(label)
        await expect(article.get_by_role("definition").nth(i)).to_have_text(f"{figure:,}")
    await expect(article.get_by_text(f"Invoices checked: {done['invoices_checked']:,} of "
                                     f"{done['progress']['total']:,}")).to_be_visible()

    drifts = await api.get_all("invoice-svc", "/v1/exceptions", kind="invoice_drift", status="unresolved")
    drift = next(d for d in drifts if d["refs"]["invoice_id"] == invoice["invoice_id"])
    table = page.get_by_role("table", name=re.compile("^Invoices that would bill differently now"))
    row = table.get_by_role("row").filter(has=page.get_by_role("link", name=invoice["invoice_number"], exact=True))
    await expect(row).to_contain_text(_usd(drift["refs"]["credit_total"]))
    await expect(row).to_contain_text("ledger revision")
    await screenshot(page, "reconciliation-assurance")
    assert await serious_accessibility_violations(page) == []
    await row.get_by_role("link", name=invoice["invoice_number"], exact=True).click()
    await expect(page.get_by_role("heading", name=f"Invoice {invoice['invoice_number']}")).to_be_visible()


# Pricing models whose amount is the delivered count times a rate, whatever the contract's billing basis: a tenth of
# the count bills a tenth. (An auction line bills media cost, and a CPM line may bill third-party counts.)
_COUNTED_MODELS = ("cpc", "cpa", "vcpm")


async def _invoice_with_usage(api, period: str) -> tuple[dict, dict]:
    """An issued invoice of `period` (the first by number) and a usage line of it that a tenth of its deliveries
    would re-price lower: billed on a contract line, for a product priced per counted unit, no budget cap reached.
    The invoices of a run share their creation time, so the list's own order (then by random id) is not stable."""
    models = {p["code"]: p["pricing_model"] for p in await api.get_all("product-config-svc", "/v1/products")}
    summaries = await api.get_all("invoice-svc", "/v1/invoices", status="issued", period=period)
    for summary in in_number_order(summaries):
        invoice = await api.get("invoice-svc", f"/v1/invoices/{summary['invoice_id']}")
        capped = {ln["line_item_id"] for ln in invoice["lines"] if ln["kind"] == "over_delivery"}
        usage = [ln for ln in invoice["lines"] if ln["kind"] == "usage" and ln["line_item_id"]
                 and ln["line_item_id"] not in capped and models.get(ln["product_code"]) in _COUNTED_MODELS
                 and Decimal(ln["amount"]) > 100]
        if usage and invoice["contract_id"]:
            return invoice, usage[0]
    raise AssertionError(f"the demo has no issued invoice of {period} with a usage line a tamper would drift")


async def _latest_run(api, period: str, after: dict | None = None) -> dict | None:
    """The newest run over `period` a person asked for (not the daily schedule's), other than `after`."""
    runs = (await api.get("invoice-svc", "/v1/assurance-runs", limit=5))["items"]
    return next((r for r in runs if r["periods"] == [period] and r["requested_by"] != "assurance-schedule"
                 and (after is None or r["run_id"] != after["run_id"])), None)


async def _register_sources(api) -> None:
    """The demo's source (PIO) and the one it migrates to (OMS), each allowed from every CloudEvents source below
    /ad-platforms/, so registering them refuses nothing the other tests send."""
    for system, name in (("pio", "Programmatic insertion orders"), ("oms", "Order management system")):
        await api.put("product-config-svc", f"/v1/delivery-sources/{system}",
                      {"name": name, "event_sources": ["/ad-platforms/"], "reason": "console test"},
                      as_="config-admin")


def _delivery(contract: dict, day: dict, impressions: int) -> dict:
    return {"delivery_id": f"OMS-{day['line_item_id']}-{day['service_date']}", "revision": 0, "source_system": "oms",
            "account_id": contract["advertiser_account_id"], "contract_id": contract["contract_id"],
            "campaign_id": f"OMS-{contract['contract_id']}", "line_item_id": day["line_item_id"],
            "campaign_name": "Parallel run", "product_code": day["product_code"],
            "delivery_date": day["service_date"], "impressions": impressions, "viewable_impressions": 0,
            "clicks": 0, "conversions": 0, "third_party_impressions": None, "media_cost": None, "currency": None}


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

