"""invoice-svc migration 0018 keys the ledger by (source_system, delivery_id) without losing a row: a ledger with
data (deliveries, their revisions, delivery exceptions) reads the same after the upgrade, each exception takes its
delivery's source (and a dedupe key naming it), and after the upgrade two sources may share a delivery_id."""

import asyncio

import asyncpg
import pytest

from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.testing.plugin import run_migrations

pytestmark = pytest.mark.integration
NAME = "mediabill_ledger_rekey"
FIGURES = ("account_id, contract_id, campaign_id, line_item_id, campaign_name, product_code, delivery_date, "
           "impressions, viewable_impressions, clicks, conversions, third_party_impressions, media_cost, currency, "
           "event_source, event_id")
SEED = f"""
    INSERT INTO invoice_svc.delivery_revisions (delivery_id, revision, source_system, {FIGURES}) VALUES
      ('D-1', 0, 'pio', 'ADV', 'IO-1', 'C', 'L1', 'Camp', 'P', '2026-11-03', 100, 50, 1, 0, NULL, NULL, NULL,
       '/ad-platforms/pio', 'e-1'),
      ('D-1', 1, 'pio', 'ADV', 'IO-1', 'C', 'L1', 'Camp', 'P', '2026-11-03', 120, 60, 1, 0, NULL, NULL, NULL,
       '/ad-platforms/pio', 'e-2'),
      ('O-1', 0, 'oms', 'ADV', 'IO-1', 'C', 'L1', NULL, 'P', '2026-11-03', 90, 0, 0, 0, 80, 1.5, 'USD',
       '/ad-platforms/oms', 'e-3');
    INSERT INTO invoice_svc.deliveries (delivery_id, revision, source_system, {FIGURES}, billable, exception_kinds)
    SELECT delivery_id, revision, source_system, {FIGURES}, source_system = 'pio',
           CASE WHEN source_system = 'oms' THEN ARRAY['source_conflict'] ELSE '{{}}' END
      FROM invoice_svc.delivery_revisions WHERE (delivery_id, revision) IN (('D-1', 1), ('O-1', 0));
    INSERT INTO invoice_svc.billing_exceptions (exception_id, kind, status, dedupe_key, account_id, delivery_id, refs)
    VALUES ('x-1', 'source_conflict', 'open', 'delivery:O-1:source_conflict', 'ADV', 'O-1', '{{}}'),
           ('x-2', 'missing_rate', 'resolved', 'delivery:D-1:missing_rate', 'ADV', 'D-1', '{{}}'),
           ('x-3', 'unknown_invoice', 'open', 'unknown_invoice:inv-9', NULL, NULL, '{{}}');
"""
LEDGER = [f"SELECT delivery_id, revision, source_system, {FIGURES}, billable, exception_kinds, first_received_at, "
          "updated_at, shadow FROM invoice_svc.deliveries ORDER BY delivery_id",
          f"SELECT delivery_id, revision, source_system, {FIGURES}, received_at FROM invoice_svc.delivery_revisions "
          "ORDER BY delivery_id, revision",
          "SELECT exception_id, kind, status, account_id, delivery_id, refs, raised_at FROM "
          "invoice_svc.billing_exceptions ORDER BY exception_id"]


async def _read(url: str, *queries: str) -> list[list[tuple]]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return [[tuple(r) for r in await conn.fetch(q)] for q in queries]
    finally:
        await conn.close()


async def _run(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def rekey_url(database_url):
    asyncio.run(_run(database_url, f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)"))
    asyncio.run(_run(database_url, f"CREATE DATABASE {NAME}"))
    yield database_url.rsplit("/", 1)[0] + f"/{NAME}"
    asyncio.run(_run(database_url, f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)"))


def test_the_ledger_keeps_every_row_when_keyed_by_source_and_two_sources_may_then_share_an_id(rekey_url):
    run_migrations("invoice-svc", rekey_url, "0017", "upgrade")
    asyncio.run(_run(rekey_url, SEED))
    before = asyncio.run(_read(rekey_url, *LEDGER))
    assert [len(rows) for rows in before] == [2, 3, 3]

    run_migrations("invoice-svc", rekey_url, "0018", "upgrade")
    assert asyncio.run(_read(rekey_url, *LEDGER)) == before  # same rows, same values
    [keys] = asyncio.run(_read(rekey_url, "SELECT exception_id, source_system, dedupe_key FROM "
                                          "invoice_svc.billing_exceptions ORDER BY exception_id"))
    assert keys == [("x-1", "oms", "delivery:oms:O-1:source_conflict"),
                    ("x-2", "pio", "delivery:pio:D-1:missing_rate"), ("x-3", None, "unknown_invoice:inv-9")]
    # now a delivery_id is unique within its source only
    asyncio.run(_run(rekey_url, f"""
        INSERT INTO invoice_svc.deliveries (delivery_id, revision, source_system, {FIGURES}, billable)
        SELECT 'D-1', 0, 'oms', {FIGURES}, false FROM invoice_svc.deliveries WHERE delivery_id = 'D-1'"""))
    [sources] = asyncio.run(_read(rekey_url, "SELECT source_system FROM invoice_svc.deliveries "
                                             "WHERE delivery_id = 'D-1' ORDER BY 1"))
    assert sources == [("oms",), ("pio",)]

    asyncio.run(_run(rekey_url, "DELETE FROM invoice_svc.deliveries "
                                "WHERE source_system = 'oms' AND delivery_id = 'D-1'"))
    run_migrations("invoice-svc", rekey_url, "0017", "downgrade")
    assert asyncio.run(_read(rekey_url, *LEDGER)) == before
    [keys] = asyncio.run(_read(rekey_url, "SELECT dedupe_key FROM invoice_svc.billing_exceptions "
                                          "ORDER BY exception_id"))
    assert keys == [("delivery:O-1:source_conflict",), ("delivery:D-1:missing_rate",), ("unknown_invoice:inv-9",)]
