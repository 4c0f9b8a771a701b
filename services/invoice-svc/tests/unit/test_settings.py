"""Every setting invoice-svc reads is declared in settings.py, with its default there once, so the environment can
set it; the worker's bill-run executor gets what was set."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from invoice_svc.bootstrap import build
from invoice_svc.entrypoints.worker import bill_run_executor
from invoice_svc.settings import Settings


async def test_the_bill_run_settings_come_from_the_environment_to_the_executor(monkeypatch):
    for name, value in (("BILL_RUN_CHUNK_SIZE", "7"), ("BILL_RUN_READ_AHEAD", "5"), ("BILL_RUN_STALE_AFTER_S", "9"),
                        ("BILL_RUN_POLL_S", "0.5"), ("PARKED_SWEEP_INTERVAL_S", "3"),
                        ("UNKNOWN_INVOICE_AFTER_S", "60"), ("BILL_RUN_PRICING_PROCESSES", "2")):
        monkeypatch.setenv(name, value)
    ctx = build(Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    try:
        executor = bill_run_executor(ctx)
        assert (executor.chunk_size, executor.read_ahead, executor.stale_after_s, executor.poll_s,
                executor.sweep_every_s, executor.unknown_invoice_after_s, executor.pricing.processes) \
            == (7, 5, 9.0, 0.5, 3.0, 60.0, 2)
    finally:
        await ctx.close()


def test_a_bill_run_reads_at_least_one_chunk_ahead():
    assert Settings().bill_run_read_ahead == 2
    with pytest.raises(ValidationError, match="bill_run_read_ahead"):
        Settings(bill_run_read_ahead=0)
