"""Seed a fresh database: products, accounts and contracts (COPY into the read model), a month of deliveries
(generated server-side into the ledger and its revision history with generate_series)."""

from __future__ import annotations

import calendar
import json
import time
from collections.abc import Iterator
from datetime import date

import asyncpg

PRODUCTS = [  # code, model, rate-card price, tax code
    ("DISPLAY", "cpm", "5.00", None), ("SEARCH", "cpc", "0.80", None), ("VIDEO", "vcpm", "12.00", "VAT"),
    ("SPONSORED", "cpm", None, None), ("OFFSITE", "cpa", "3.00", "VAT"),
]
AGENCIES, ADVERTISERS = 2_000, 50_000
# Ledger indexes only ingestion and the API use: dropped for the load (the bill run reads by contract and date).
_LOAD_DROPS = ["ix_deliveries_account_date", "ix_deliveries_line_item_date", "ix_deliveries_date",
               "ix_deliveries_contract_date", "ix_deliveries_parked_product", "ix_deliveries_parked_account",
               "ix_deliveries_parked_contract"]


def _product_state(code: str, model: str, price: str | None, tax: str | None) -> dict:
    cards = [{"effective_from": "2024-01-01", "currency": "USD", "price": price, "tiers": []}]
    if price is None:  # volume tiers, priced all-units
        cards = [{"effective_from": "2024-01-01", "currency": "USD", "price": None,
                  "tiers": [{"up_to": 100_000, "price": "9.00"}, {"up_to": 1_000_000, "price": "7.50"},
                            {"up_to": None, "price": "6.00"}]}]
    return {"code": code, "name": code.title(), "channel": "onsite", "pricing_model": model,
            "contract_priced": False, "gl_revenue_account": "4000", "tax_code": tax,
            "invoice_description": f"{code.title()} media", "status": "live", "rate_cards": cards}


def _account(account_id: str, kind: str) -> dict:
    return {"account_id": account_id, "type": kind, "legal_name": f"{account_id} Inc.", "currency": "USD",
            "payment_terms_days": 30, "tax_rates": {"VAT": "8.25"} if kind == "agency" else {},
            "po_required": False, "invoice_contact": None, "represented_advertisers": []}


def contract_lines(i: int) -> int:
    """1..9 lines, 5 on average."""
    return 1 + (i * 7919) % 9


def _contract(i: int, period: str) -> tuple[dict, list[tuple]]:
    start, end = date.fromisoformat(f"{period}-01"), date.fromisoformat(f"{period}-01").replace(
        day=calendar.monthrange(int(period[:4]), int(period[5:]))[1])
    cid, adv = f"IO-{i:07d}", f"ADV-{i % ADVERTISERS:06d}"
    agency = i % 2 == 0
    bill_to = f"AGY-{i % AGENCIES:05d}" if agency else adv
    lines, rows = [], []
    for j in range(contract_lines(i)):
        code = PRODUCTS[(i + j) % len(PRODUCTS)][0]
        line_id = f"{cid}-L{j}"
        rate = None if code == "SPONSORED" else f"{4 + (i + j) % 5}.{(i * j) % 100:02d}"
        budget = "3000.00" if (i + j) % 20 == 0 else None  # one line in 20 is capped
        lines.append({"line_item_id": line_id, "product_code": code, "rate": rate, "budget": budget, "fee": None})
        rows.append((cid, adv, line_id, code, f"CMP-{i:07d}"))
    state = {"contract_id": cid, "amendment_no": 0, "status": "active", "advertiser_account_id": adv,
             "bill_to_account_id": bill_to, "currency": "USD", "flight_start": (start.replace(month=1)).isoformat(),
             "flight_end": end.replace(month=12, day=31).isoformat(), "reporting_timezone": "UTC",
             "po_number": f"PO-{i:07d}", "discount_pct": "5" if i % 3 == 0 else None,
             "agency_commission_pct": "15" if agency else None, "billing_basis": "first_party",
             "discrepancy_threshold_pct": None, "payment_terms_days": None, "lines": lines,
             "versions": [{"amendment_no": 0, "effective_from": start.replace(month=1).isoformat(), "terms": {}}],
             "name": f"Insertion order {i}", "advertiser_name": f"Advertiser {i % ADVERTISERS}"}
    return state, rows


def _contract_records(n: int, period: str) -> Iterator[tuple[tuple, tuple, list[tuple]]]:
    for i in range(n):
        state, lines = _contract(i, period)
        record = (state["contract_id"], "active", 0, state["advertiser_account_id"], state["bill_to_account_id"],
                  "USD", date.fromisoformat(state["flight_start"]), date.fromisoformat(state["flight_end"]),
                  json.dumps(state), 1)
        version = (state["contract_id"], 0, date.fromisoformat(state["flight_start"]), "{}")
        yield record, version, lines


async def seed(dsn: str, *, contracts: int, period: str, days: int) -> dict[str, int]:
    """Load the read model and the ledger; returns row counts."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("products", schema_name="invoice_svc",
                                         columns=["code", "status", "pricing_model", "state", "state_version"],
                                         records=[(c, "live", m, json.dumps(_product_state(c, m, p, t)), 1)
                                                  for c, m, p, t in PRODUCTS])
        accounts = [(f"AGY-{a:05d}", "agency") for a in range(AGENCIES)] + \
                   [(f"ADV-{a:06d}", "advertiser") for a in range(ADVERTISERS)]
        await conn.copy_records_to_table("accounts", schema_name="invoice_svc",
                                         columns=["account_id", "type", "currency", "state", "state_version"],
                                         records=[(a, k, "USD", json.dumps(_account(a, k)), 1) for a, k in accounts])
        await conn.execute("CREATE UNLOGGED TABLE invoice_svc.bench_lines (contract_id text, account_id text, "
                           "line_item_id text, product_code text, campaign_id text)")
        contract_rows, version_rows, line_rows = [], [], []
        for record, version, lines in _contract_records(contracts, period):
            contract_rows.append(record)
            version_rows.append(version)
            line_rows.extend(lines)
        await conn.copy_records_to_table(
            "contracts", schema_name="invoice_svc", records=contract_rows,
            columns=["contract_id", "status", "amendment_no", "advertiser_account_id", "bill_to_account_id",
                     "currency", "flight_start", "flight_end", "state", "state_version"])
        await conn.copy_records_to_table("contract_versions", schema_name="invoice_svc", records=version_rows,
                                         columns=["contract_id", "amendment_no", "effective_from", "terms"])
        await conn.copy_records_to_table("bench_lines", schema_name="invoice_svc", records=line_rows)
        deliveries = await _generate_deliveries(conn, period, days)
        return {"contracts": len(contract_rows), "contract_lines": len(line_rows), "deliveries": deliveries}
    finally:
        await conn.close()


async def _generate_deliveries(conn: asyncpg.Connection, period: str, days: int) -> int:
    for index in _LOAD_DROPS:
        await conn.execute(f"DROP INDEX IF EXISTS invoice_svc.{index}")
    started = time.perf_counter()
    await conn.execute(f"""
        INSERT INTO invoice_svc.deliveries (delivery_id, revision, source_system, account_id, contract_id,
               campaign_id, line_item_id, campaign_name, product_code, delivery_date, impressions,
               viewable_impressions, clicks, conversions, third_party_impressions, media_cost, currency,
               event_source, event_id, billable)
        SELECT l.line_item_id || ':' || d, 0, 'bench', l.account_id, l.contract_id, l.campaign_id, l.line_item_id,
               'Campaign ' || l.campaign_id, l.product_code, CAST('{period}-01' AS date) + d, q, q * 7 / 10,
               q / 200, q / 2000, NULL, NULL, NULL, 'bench', l.line_item_id || ':' || d, true
          FROM invoice_svc.bench_lines l CROSS JOIN generate_series(0, {days - 1}) AS d
          CROSS JOIN LATERAL (SELECT 1000 + abs(hashtext(l.line_item_id || d)) % 40000 AS q) AS x""")
    # Ingestion keeps every revision received in the revision history beside the ledger (what an assurance run
    # re-prices an issued invoice from): the same rows, received when the ledger row was written.
    await conn.execute("""
        INSERT INTO invoice_svc.delivery_revisions (delivery_id, revision, source_system, account_id, contract_id,
               campaign_id, line_item_id, campaign_name, product_code, delivery_date, impressions,
               viewable_impressions, clicks, conversions, third_party_impressions, media_cost, currency,
               event_source, event_id, received_at)
        SELECT delivery_id, revision, source_system, account_id, contract_id, campaign_id, line_item_id,
               campaign_name, product_code, delivery_date, impressions, viewable_impressions, clicks, conversions,
               third_party_impressions, media_cost, currency, event_source, event_id, updated_at
          FROM invoice_svc.deliveries""")
    print(f"  deliveries and their revision history generated in {time.perf_counter() - started:.0f}s; indexing",
          flush=True)
    await conn.execute("CREATE INDEX ix_deliveries_contract_date ON invoice_svc.deliveries "
                       "(contract_id, delivery_date)")
    # A live ledger is vacuumed by autovacuum; a freshly loaded one would pay for hint bits on the first read.
    await conn.execute("VACUUM (ANALYZE) invoice_svc.deliveries")
    await conn.execute("VACUUM (ANALYZE) invoice_svc.contracts")
    await conn.execute("VACUUM (ANALYZE) invoice_svc.delivery_revisions")
    return await conn.fetchval("SELECT count(*) FROM invoice_svc.deliveries")
