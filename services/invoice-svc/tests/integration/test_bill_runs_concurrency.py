"""Two issue runs of one period at once, and a run whose executor dies half-way: still exactly one non-void
invoice per (bill-to, contract, period) and no gap in the invoice numbers."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from invoice_svc.entrypoints.bill_run_executor import BillRunExecutor
from invoice_svc.testing.billing import (
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    numbering_is_gapless,
    product,
)
from mediabill_common.testing.polling import poll_until

pytestmark = pytest.mark.integration

CONTRACTS = 6


async def _agency_with_contracts(feed, u: str, period: str) -> str:
    agency, adv, p = f"AGY-{u}", f"ADV-{u}", f"P-{u}"
    contracts = [contract(f"C{i}-{u}", advertiser=adv, bill_to=agency, start="2026-01-01", end="2026-12-31",
                          lines=[{"line_item_id": f"L{i}-{u}", "product_code": p, "rate": "2.00"}])
                 for i in range(CONTRACTS)]
    await configure(feed, products=[product(p)], accounts=[account(agency, type="agency"), account(adv)],
                    contracts=contracts)
    await deliver(feed, [delivery(f"D{i}-{u}", account_id=adv, contract_id=f"C{i}-{u}", line_item_id=f"L{i}-{u}",
                                  product_code=p, day=f"{period}-05", impressions=10_000 * (i + 1))
                         for i in range(CONTRACTS)])
    return agency


async def _issued_per_group(ctx, agency: str, period: str) -> dict[str, int]:
    async with ctx.sessions() as s:
        rows = (await s.execute(text(
            "SELECT contract_key, count(*) FROM invoice_svc.invoices WHERE bill_to_account_id = :a AND period = :p "
            "AND status = 'issued' GROUP BY contract_key"), {"a": agency, "p": period})).all()
    return dict(rows)


def _executor(ctx, name: str, *, stale_after_s: float = 60.0) -> BillRunExecutor:
    executor = BillRunExecutor(ctx, executor_id=name)
    executor.chunk_size, executor.stale_after_s = 2, stale_after_s
    return executor


async def test_two_issue_runs_of_one_period_at_once_issue_each_group_once_without_gaps(
        invoice_feed, billing, unique):
    agency = await _agency_with_contracts(invoice_feed, unique, "2026-02")
    first = await billing.request("2026-02", "issue", [agency])
    second = await billing.request("2026-02", "issue", [agency])
    one, two = _executor(billing.ctx, f"one-{unique}"), _executor(billing.ctx, f"two-{unique}")
    assert await asyncio.gather(one.run_once(), two.run_once()) == [True, True]

    runs = [await billing.finish(r["run_id"]) for r in (first, second)]
    assert [r["status"] for r in runs] == ["completed", "completed"]
    assert sum(r["counts"]["invoices"] for r in runs) == CONTRACTS
    assert sum(r["counts"]["already_issued"] for r in runs) == CONTRACTS
    assert await _issued_per_group(billing.ctx, agency, "2026-02") == {f"C{i}-{unique}": 1 for i in range(CONTRACTS)}
    assert await numbering_is_gapless(billing.ctx) == (True, "ok")


class _DiesAfterOneChunk(BillRunExecutor):
    """An executor that hangs after its first chunk (as a process would when killed there)."""

    async def _write_chunk(self, *args) -> None:
        await super()._write_chunk(*args)
        await asyncio.Event().wait()


async def test_a_run_whose_executor_died_half_way_is_taken_over_and_bills_each_group_once(
        invoice_feed, billing, unique):
    agency = await _agency_with_contracts(invoice_feed, unique, "2026-03")
    requested = await billing.request("2026-03", "issue", [agency])
    dying = _DiesAfterOneChunk(billing.ctx, executor_id=f"dying-{unique}")
    dying.chunk_size = 2
    stop = asyncio.Event()
    task = asyncio.create_task(dying.run(stop))
    async def progress() -> dict:
        return (await billing.client.get(f"/v1/bill-runs/{requested['run_id']}", headers=READER)).json()["progress"]

    await poll_until(progress, what="the dying executor's first chunk", until=lambda p: p["done"], every_s=0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    half = (await billing.client.get(f"/v1/bill-runs/{requested['run_id']}", headers=READER)).json()
    assert (half["status"], half["progress"]) == ("running", {"done": 2, "total": CONTRACTS})
    assert len(await _issued_per_group(billing.ctx, agency, "2026-03")) == 2

    rescuer = _executor(billing.ctx, f"rescuer-{unique}", stale_after_s=0.0)
    run = await billing.finish(requested["run_id"], rescuer)
    assert (run["status"], run["progress"], run["counts"]["invoices"]) == \
        ("completed", {"done": CONTRACTS, "total": CONTRACTS}, CONTRACTS)
    assert await _issued_per_group(billing.ctx, agency, "2026-03") == {f"C{i}-{unique}": 1 for i in range(CONTRACTS)}
    assert await numbering_is_gapless(billing.ctx) == (True, "ok")
