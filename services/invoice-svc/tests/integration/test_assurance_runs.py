"""Assurance runs (oversight.md O3) on the real database and broker: issued invoices re-priced by the worker's
executor, drift after a deliberate tampering raised as one `invoice_drift` exception per invoice (updated in place
by later runs, resolved by the system when the drift goes), a late revision reported as pending, not drift, and a
run taken over half-way counted once. Each test bills a year of its own: a run checks every issued invoice of its
periods, and other tests issue invoices too."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import text

from invoice_svc.entrypoints.assurance_executor import AssuranceExecutor
from invoice_svc.testing.billing import (
    ANALYST,
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    exceptions_of,
    free_year,
    product,
)

pytestmark = pytest.mark.integration


async def _issued_month(feed, billing, u: str) -> dict:
    """Two contracts of one agency on a rate-card-priced product, a month of theirs issued."""
    year = await free_year(billing.ctx, u)
    period = f"{year}-03"
    p, agency, adv = f"P-{u}", f"AGY-{u}", f"ADV-{u}"
    await configure(feed, products=[_product(p, year, "5.00")], accounts=[account(agency, type="agency"), account(adv)],
                    contracts=[contract(f"C{i}-{u}", advertiser=adv, bill_to=agency, start=f"{year}-01-01",
                                        end=f"{year}-12-31", agency_commission_pct="15",
                                        lines=[{"line_item_id": f"L{i}-{u}", "product_code": p}])
                               for i in (1, 2)])
    await deliver(feed, [delivery(f"D{i}{day}-{u}", account_id=adv, contract_id=f"C{i}-{u}",
                                  line_item_id=f"L{i}-{u}", product_code=p, day=f"{period}-0{day}",
                                  impressions=100_000 * i)
                         for i in (1, 2) for day in (3, 4)])
    await billing.bill(period, "issue", [agency])
    invoices = {inv["contract_id"]: inv for inv in await billing.invoices(bill_to_account_id=agency, period=period,
                                                                          status="issued")}
    return {"year": year, "period": period, "agency": agency, "adv": adv, "product": p, "invoices": invoices}


def _product(code: str, year: int, price: str) -> dict:
    return product(code) | {"rate_cards": [{"effective_from": f"{year}-01-01", "currency": "USD", "price": price}]}


async def _request(billing, periods: list[str]) -> dict:
    response = await billing.client.post("/v1/assurance-runs", json={"periods": periods}, headers=ANALYST)
    assert response.status_code == 202, response.text
    return response.json()


async def _run(billing, periods: list[str], executor: AssuranceExecutor | None = None) -> dict:
    run = await _request(billing, periods)
    executor = executor or AssuranceExecutor(billing.ctx, executor_id="test-assurance")
    for _ in range(50):
        got = (await billing.client.get(f"/v1/assurance-runs/{run['run_id']}", headers=READER)).json()
        if got["status"] in ("completed", "failed"):
            assert got["status"] == "completed", got
            return got
        await executor.run_once()
    raise AssertionError(f"assurance run did not finish: {got}")


async def _tamper(ctx, delivery_id: str, impressions: int) -> None:
    """Change a consumed revision's figures in the ledger's revision history, behind the service's back."""
    async with ctx.sessions() as s, s.begin():
        await s.execute(text("UPDATE invoice_svc.delivery_revisions SET impressions = :n WHERE delivery_id = :d"),
                        {"n": impressions, "d": delivery_id})


async def test_the_api_queues_a_run_that_only_the_worker_executes_and_unchanged_data_has_no_drift(
        invoice_feed, billing, unique):
    month = await _issued_month(invoice_feed, billing, unique)
    queued = await _request(billing, [month["period"]])
    assert queued["status"] == "queued"
    again = (await billing.client.get(f"/v1/assurance-runs/{queued['run_id']}", headers=READER)).json()
    assert again["status"] == "queued" and again["invoices_checked"] == 0   # the API executes nothing

    assert await AssuranceExecutor(billing.ctx, executor_id="test-assurance").run_once()
    done = (await billing.client.get(f"/v1/assurance-runs/{queued['run_id']}", headers=READER)).json()
    assert done["status"] == "completed", done
    assert (done["invoices_checked"], done["matched"], done["drifted"], done["pending_adjustments"]) == \
        (2, 2, 0, 0), (done, month)
    assert done["progress"] == {"done": 2, "total": 2}
    assert done["counts"].get("without_recorded_inputs", 0) == 0
    listed = (await billing.client.get("/v1/assurance-runs", headers=READER)).json()["items"]
    assert queued["run_id"] in [r["run_id"] for r in listed]
    assert await exceptions_of(billing.ctx, month["agency"], "invoice_drift") == []


async def test_a_tampered_revision_drifts_exactly_that_invoice_once_updated_in_place_then_resolved(
        invoice_feed, billing, unique):
    u = unique
    month = await _issued_month(invoice_feed, billing, u)
    drifted_invoice = month["invoices"][f"C1-{u}"]
    await _tamper(billing.ctx, f"D13-{u}", 150_000)   # was 100,000: 50,000 more at 5.00 CPM

    first = await _run(billing, [month["period"]])
    assert (first["invoices_checked"], first["matched"], first["drifted"]) == (2, 1, 1)
    # the usage line billed 50,000 impressions too few at 5.00 CPM (a debit part), its agency commission 15% of
    # that too little (a credit part): parts apart, never netted
    assert first["value_drifted"]["USD"]["debit"] == "250.00"
    assert first["value_drifted"]["USD"]["credit"] == "37.50"
    assert first["value_drifted"]["USD"]["drifted"] == "287.50"
    [raised] = await exceptions_of(billing.ctx, month["agency"], "invoice_drift")
    assert raised["status"] == "open" and raised["exception_id"] in first["exception_ids"]
    refs = raised["refs"]
    assert (refs["invoice_id"], refs["changed_inputs"]) == (drifted_invoice["invoice_id"], "ledger_revision")
    corrections = {c["component"]: c for c in json.loads(refs["corrections"])}
    usage = corrections[f"usage:L1-{u}"]
    assert (usage["issued_quantity"], usage["repriced_quantity"], usage["debit"], usage["credit"]) == \
        (200_000, 250_000, "250.00", "0.00")
    invoice = await billing.invoice(drifted_invoice["invoice_id"])
    assert usage["invoice_line_id"] == next(ln["invoice_line_id"] for ln in invoice["lines"] if ln["kind"] == "usage")
    assert corrections["agency_commission"]["credit"] == "37.50"

    await _tamper(billing.ctx, f"D13-{u}", 180_000)
    second = await _run(billing, [month["period"]])
    assert second["drifted"] == 1
    [updated] = await exceptions_of(billing.ctx, month["agency"], "invoice_drift")
    assert updated["exception_id"] == raised["exception_id"] and updated["version"] > raised["version"]
    assert json.loads(updated["refs"]["corrections"])[0]["repriced_quantity"] != usage["repriced_quantity"]

    await _tamper(billing.ctx, f"D13-{u}", 100_000)   # put back as it was
    third = await _run(billing, [month["period"]])
    assert (third["matched"], third["drifted"], third["counts"]["exceptions_resolved"]) == (2, 0, 1)
    [resolved] = await exceptions_of(billing.ctx, month["agency"], "invoice_drift")
    assert (resolved["status"], resolved["root_cause"], resolved["resolved_by"]) == \
        ("resolved", "system_resolved", "system")


async def test_a_rate_card_changed_without_an_amendment_drifts_the_invoices_priced_on_it(
        invoice_feed, billing, unique):
    month = await _issued_month(invoice_feed, billing, unique)
    await configure(invoice_feed, products=[_product(month["product"], month["year"], "6.00")], version=2)

    run = await _run(billing, [month["period"]])
    assert (run["invoices_checked"], run["drifted"]) == (2, 2)
    raised = await exceptions_of(billing.ctx, month["agency"], "invoice_drift")
    assert len(raised) == 2
    assert {e["refs"]["changed_inputs"] for e in raised} == {"rate_card"}
    assert {e["refs"]["changed_rate_cards"] for e in raised} == {month["product"]}


async def test_a_revision_that_arrived_after_issue_is_pending_not_drift(invoice_feed, billing, unique):
    u = unique
    month = await _issued_month(invoice_feed, billing, u)
    await deliver(invoice_feed, [delivery(f"D24-{u}", account_id=month["adv"], contract_id=f"C2-{u}",
                                          line_item_id=f"L2-{u}", product_code=month["product"],
                                          day=f"{month['period']}-04", impressions=260_000, revision=1)])
    run = await _run(billing, [month["period"]])
    assert (run["matched"], run["drifted"], run["pending_adjustments"]) == (2, 0, 1)
    assert run["value_drifted"]["USD"]["pending_adjustment"] == "255.00"  # 60,000 more at 5.00 CPM, less 15%
    assert await exceptions_of(billing.ctx, month["agency"], "invoice_drift") == []


async def test_a_run_taken_over_half_way_resumes_and_counts_every_invoice_once(invoice_feed, billing, unique):
    month = await _issued_month(invoice_feed, billing, unique)
    run = await _request(billing, [month["period"]])

    class DiesAfterOneChunk(AssuranceExecutor):
        chunks = 0

        async def _check(self, *args, **kwargs):
            self.chunks += 1
            if self.chunks == 2:
                raise asyncio.CancelledError  # as if the worker were killed
            return await super()._check(*args, **kwargs)

    first = DiesAfterOneChunk(billing.ctx, executor_id="dies")
    first.chunk_size = 1
    with pytest.raises(asyncio.CancelledError):
        await first.run_once()
    half = (await billing.client.get(f"/v1/assurance-runs/{run['run_id']}", headers=READER)).json()
    assert (half["status"], half["invoices_checked"]) == ("running", 1)

    second = AssuranceExecutor(billing.ctx, executor_id="takes-over")
    second.stale_after_s = 0
    assert await second.run_once()
    done = (await billing.client.get(f"/v1/assurance-runs/{run['run_id']}", headers=READER)).json()
    assert (done["status"], done["invoices_checked"], done["matched"]) == ("completed", 2, 2)


async def test_bad_periods_are_refused_as_problem_json(billing):
    for body in ({"periods": []}, {"periods": ["2999-01"]}, {"periods": ["March"]}, {}):
        response = await billing.client.post("/v1/assurance-runs", json=body, headers=ANALYST)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    refused = await billing.client.post("/v1/assurance-runs", json={"periods": ["2025-01"]}, headers=READER)
    assert refused.status_code == 403
