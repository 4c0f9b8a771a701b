"""`python -m invoice_svc worker` as a real process runs assurance runs: the one an analyst queued through the API,
and the one its daily schedule queues (enabled, due from midnight)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from invoice_svc.domain.assurance.runs import scheduled_periods
from invoice_svc.entrypoints.assurance_executor import SCHEDULER
from invoice_svc.testing.billing import (
    ANALYST,
    READER,
    account,
    configure,
    contract,
    deliver,
    delivery,
    free_year,
    product,
)
from mediabill_common.testing.polling import poll_until

pytestmark = pytest.mark.integration


@pytest.fixture
def worker(invoice_migrated: str, kafka_bootstrap: str, tmp_path) -> Iterator[tuple[subprocess.Popen, str]]:
    log = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": invoice_migrated, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "BILL_RUN_POLL_S": "0.2", "DAILY_SCHEDULE_POLL_S": "0.2", "ASSURANCE_SCHEDULE_ENABLED": "true",
           "ASSURANCE_SCHEDULE_AT": "00:00", "ASSURANCE_SCHEDULE_MONTHS": "1"}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "invoice_svc", "worker"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    yield process, str(log)
    process.kill()
    process.wait(timeout=10)


async def test_the_worker_process_executes_queued_and_daily_assurance_runs(invoice_feed, billing, worker, unique):
    process, log = worker
    year, u = await free_year(billing.ctx, unique), unique
    p, adv = f"P-{u}", f"ADV-{u}"
    await configure(invoice_feed, products=[product(p) | {"rate_cards": [
        {"effective_from": f"{year}-01-01", "currency": "USD", "price": "5.00"}]}], accounts=[account(adv)],
        contracts=[contract(f"C-{u}", advertiser=adv, bill_to=adv, start=f"{year}-01-01", end=f"{year}-12-31",
                            lines=[{"line_item_id": f"L-{u}", "product_code": p}])])
    await deliver(invoice_feed, [delivery(f"D-{u}", account_id=adv, contract_id=f"C-{u}", line_item_id=f"L-{u}",
                                          product_code=p, day=f"{year}-05-02", impressions=40_000)])
    await billing.bill(f"{year}-05", "issue", [adv])

    queued = await billing.client.post("/v1/assurance-runs", json={"periods": [f"{year}-05"]}, headers=ANALYST)
    assert queued.status_code == 202
    run_id = queued.json()["run_id"]

    def alive() -> None:
        assert process.poll() is None, f"the worker exited (log: {log})"

    async def get() -> dict:
        return (await billing.client.get(f"/v1/assurance-runs/{run_id}", headers=READER)).json()

    done = await poll_until(get, what=f"the worker did not finish the run (log: {log})", alive=alive,
                            until=lambda r: r["status"] in ("completed", "failed"), timeout_s=75)
    assert (done["status"], done["invoices_checked"], done["matched"]) == ("completed", 1, 1)
    async with billing.ctx.sessions() as s:
        claimed_by = (await s.execute(text("SELECT claimed_by FROM invoice_svc.assurance_runs WHERE run_id = :r"),
                                      {"r": run_id})).scalar_one()
    assert claimed_by and not claimed_by.startswith("test-")   # the worker process's executor ran it

    today = datetime.now(UTC).date()

    async def scheduled() -> list:
        async with billing.ctx.sessions() as s:
            return list((await s.execute(text(
                "SELECT status FROM invoice_svc.assurance_runs WHERE requested_by = :by AND periods = :periods "
                "AND requested_at >= CAST(:day AS date)"),
                {"by": SCHEDULER, "periods": scheduled_periods(today, 1), "day": today})).scalars())

    runs = await poll_until(scheduled, what=f"the daily run was not queued and run (log: {log})", alive=alive,
                            until=lambda found: found and all(s == "completed" for s in found), timeout_s=75)
    assert runs == ["completed"]   # one a day, whatever the polls
