"""`python -m invoice_svc worker` as a real process: SIGKILLed half-way through an issue run, another worker takes
the run over, and every invoice is issued exactly once with exactly one InvoiceIssued in the outbox; the killed
worker's pricing process (app/pricing_pool.py) exits with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

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
PERIOD = "2026-05"


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def start_worker(started: list[subprocess.Popen], database_url: str, kafka: str, log: Path, **settings: str) \
        -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka, "BILL_RUN_POLL_S": "0.2",
           **settings}
    with log.open("ab") as out:
        process = subprocess.Popen([sys.executable, "-m", "invoice_svc", "worker"], env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    started.append(process)
    return process


async def _agency(feed, u: str) -> str:
    agency, adv, p = f"AGY-{u}", f"ADV-{u}", f"P-{u}"
    contracts = [contract(f"C{i}-{u}", advertiser=adv, bill_to=agency, start="2026-01-01", end="2026-12-31",
                          lines=[{"line_item_id": f"L{i}-{u}", "product_code": p, "rate": "2.00"}])
                 for i in range(CONTRACTS)]
    await configure(feed, products=[product(p)], accounts=[account(agency, type="agency"), account(adv)],
                    contracts=contracts)
    await deliver(feed, [delivery(f"D{i}-{u}", account_id=adv, contract_id=f"C{i}-{u}", line_item_id=f"L{i}-{u}",
                                  product_code=p, day=f"{PERIOD}-05", impressions=10_000 * (i + 1))
                         for i in range(CONTRACTS)])
    return agency


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            found |= {int(child) for child in f.read().split()}
    return found


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for whoever adopted it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def _run(billing, run_id: str) -> dict:
    return (await billing.client.get(f"/v1/bill-runs/{run_id}", headers=READER)).json()


async def _until(billing, run_id: str, done, what: str, log: Path) -> dict:
    return await poll_until(lambda: _run(billing, run_id), what=f"{what} (worker logs: {log})", until=done,
                            timeout_s=75, every_s=0.05)


async def test_a_worker_killed_mid_run_leaves_the_run_to_another_that_issues_each_invoice_once(
        invoice_feed, billing, workers, invoice_migrated, kafka_bootstrap, unique, tmp_path):
    agency = await _agency(invoice_feed, unique)
    await billing.bill(PERIOD, "preview", [agency])  # drafts, which the issue run replaces group by group
    log = tmp_path / "workers.log"
    async with billing.ctx.sessions() as blocker, blocker.begin():
        # Hold the draft of the third group (the second chunk of two): the worker writes the first chunk, then
        # waits on this row while replacing that draft -- mid-run, one chunk committed, the next in flight.
        await blocker.execute(text(
            "SELECT 1 FROM invoice_svc.invoices WHERE bill_to_account_id = :a AND contract_key = :c AND status = "
            "'draft' FOR UPDATE"), {"a": agency, "c": f"C2-{unique}"})
        requested = await billing.request(PERIOD, "issue", [agency])
        first = start_worker(workers, invoice_migrated, kafka_bootstrap, log, BILL_RUN_CHUNK_SIZE="2",
                             BILL_RUN_PRICING_PROCESSES="1")
        half = await _until(billing, requested["run_id"], lambda r: r["progress"]["done"] == 2,
                            "the first chunk was not written", log)
        pricing = _children(first.pid)  # the first chunk was priced: the worker's pricing process has started
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert (half["status"], half["counts"]["invoices"]) == ("running", 2)
    assert pricing  # the pricing process (and multiprocessing's resource tracker)
    await poll_until(lambda: [pid for pid in pricing if _alive(pid)],
                     what="the killed worker's pricing process to exit", until=lambda alive: not alive,
                     timeout_s=30, every_s=0.05)

    start_worker(workers, invoice_migrated, kafka_bootstrap, log, BILL_RUN_CHUNK_SIZE="2",
                 BILL_RUN_STALE_AFTER_S="1")
    run = await _until(billing, requested["run_id"], lambda r: r["status"] in ("completed", "failed"),
                       "the second worker did not finish the run", log)

    assert (run["status"], run["progress"]) == ("completed", {"done": CONTRACTS, "total": CONTRACTS})
    async with billing.ctx.sessions() as s:
        issued = dict((await s.execute(text(
            "SELECT contract_key, count(*) FROM invoice_svc.invoices WHERE bill_to_account_id = :a AND period = :p "
            "AND status = 'issued' GROUP BY contract_key"), {"a": agency, "p": PERIOD})).all())
        published = (await s.execute(text(
            "SELECT i.invoice_id, count(o.id) FROM invoice_svc.invoices i LEFT JOIN invoice_svc.outbox o "
            "ON o.event_type = 'InvoiceIssued' AND o.envelope->>'subject' = i.invoice_id "
            "WHERE i.bill_to_account_id = :a AND i.period = :p AND i.status = 'issued' GROUP BY i.invoice_id"),
            {"a": agency, "p": PERIOD})).all()
        drafts = (await s.execute(text(
            "SELECT count(*) FROM invoice_svc.invoices WHERE bill_to_account_id = :a AND status = 'draft'"),
            {"a": agency})).scalar_one()
        attempts = (await s.execute(text("SELECT attempts FROM invoice_svc.bill_runs WHERE run_id = :r"),
                                    {"r": requested["run_id"]})).scalar_one()
    assert issued == {f"C{i}-{unique}": 1 for i in range(CONTRACTS)}
    assert sorted(n for _, n in published) == [1] * CONTRACTS
    assert drafts == 0
    assert attempts == 2
    assert await numbering_is_gapless(billing.ctx) == (True, "ok")
