"""The AR ledger: storage and the reaction to each consumed event (idempotent by CloudEvents source + id)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import asyncpg
import jsonschema

from mediabill_common.events.envelope import Envelope

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
CONSUMED_TYPES = {"InvoiceIssued", "InvoiceBalanceChanged", "InvoiceVoided", "DisputeOpened", "DisputeResolved",
                  "DisputeWithdrawn", "DisputeReopened"}

DDL = """
CREATE SCHEMA IF NOT EXISTS collections;
CREATE TABLE IF NOT EXISTS collections.processed (source text, id text, PRIMARY KEY (source, id));
CREATE TABLE IF NOT EXISTS collections.invoices (
  invoice_id text PRIMARY KEY, invoice_number text, bill_to_account_id text NOT NULL, currency text NOT NULL,
  total numeric NOT NULL, paid numeric NOT NULL DEFAULT 0, balance_due numeric NOT NULL,
  disputed_amount numeric NOT NULL DEFAULT 0, status text NOT NULL, due_date date, updated_by_event text);
CREATE TABLE IF NOT EXISTS collections.disputes (
  dispute_id text PRIMARY KEY, invoice_id text NOT NULL, amount numeric NOT NULL, status text NOT NULL);
CREATE TABLE IF NOT EXISTS collections.payments (
  payment_id text PRIMARY KEY, invoice_id text NOT NULL, bill_to_account_id text NOT NULL, amount numeric NOT NULL,
  currency text NOT NULL, applied_at timestamptz NOT NULL);
-- A payment is recorded before it is published (a small outbox), so a crash in between loses nothing.
ALTER TABLE collections.payments ADD COLUMN IF NOT EXISTS published_at timestamptz;
"""


class ContractViolation(Exception):
    """A consumed event does not match the published schema."""


def _validators() -> dict[str, jsonschema.Draft202012Validator]:
    return {t: jsonschema.Draft202012Validator(json.loads((SCHEMAS / f"{t}.json").read_text()))
            for t in CONSUMED_TYPES}


class ArLedger:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._validators = _validators()

    async def create(self) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute(DDL)

    async def apply(self, event: Envelope) -> bool:
        """Apply one CloudEvent; False when it was seen before or is of a type collections ignores."""
        if event.type not in CONSUMED_TYPES:
            return False
        errors = sorted(self._validators[event.type].iter_errors(event.data), key=str)
        if errors:
            raise ContractViolation(f"{event.type}: {errors[0].message}")
        async with self._pool.acquire() as conn, conn.transaction():
            fresh = await conn.fetchval(
                "INSERT INTO collections.processed VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING id",
                event.source, event.id)
            if fresh is None:
                return False
            await getattr(self, f"_on_{event.type}")(conn, event.data, event.id)
        return True

    async def _on_InvoiceIssued(self, conn, d: dict, event_id: str) -> None:  # noqa: N802
        # Opens the receivable; InvoiceBalanceChanged events that follow are the authority on it.
        await conn.execute(
            """INSERT INTO collections.invoices (invoice_id, invoice_number, bill_to_account_id, currency, total,
               balance_due, status, due_date, updated_by_event) VALUES ($1,$2,$3,$4,$5,$5,'issued',$6,$7)
               ON CONFLICT (invoice_id) DO UPDATE SET due_date = EXCLUDED.due_date""",
            d["invoice_id"], d["invoice_number"], d["bill_to_account_id"], d["currency"], Decimal(d["total"]),
            date.fromisoformat(d["due_date"]), event_id)

    async def _on_InvoiceBalanceChanged(self, conn, d: dict, event_id: str) -> None:  # noqa: N802
        await conn.execute(
            """INSERT INTO collections.invoices (invoice_id, invoice_number, bill_to_account_id, currency, total, paid,
               balance_due, disputed_amount, status, updated_by_event) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
               ON CONFLICT (invoice_id) DO UPDATE SET total=$5, paid=$6, balance_due=$7, disputed_amount=$8,
               status=$9, updated_by_event=$10""",
            d["invoice_id"], d["invoice_number"], d["bill_to_account_id"], d["currency"], Decimal(d["total"]),
            Decimal(d["paid"]), Decimal(d["balance_due"]), Decimal(d["disputed_amount"]), d["status"], event_id)

    async def _on_InvoiceVoided(self, conn, d: dict, event_id: str) -> None:  # noqa: N802
        await conn.execute("UPDATE collections.invoices SET status='void', balance_due=0 WHERE invoice_id=$1",
                           d["invoice_id"])

    async def _on_DisputeOpened(self, conn, d: dict, event_id: str) -> None:  # noqa: N802
        await conn.execute("""INSERT INTO collections.disputes VALUES ($1,$2,$3,'open')
                              ON CONFLICT (dispute_id) DO UPDATE SET status='open'""",
                           d["dispute_id"], d["invoice_id"], Decimal(d["amount"]))

    async def _on_DisputeResolved(self, conn, d: dict, event_id: str) -> None:  # noqa: N802
        await self._close_dispute(conn, d, "resolved")

    async def _on_DisputeWithdrawn(self, conn, d: dict, event_id: str) -> None:  # noqa: N802
        await self._close_dispute(conn, d, "withdrawn")

    async def _on_DisputeReopened(self, conn, d: dict, event_id: str) -> None:  # noqa: N802
        await conn.execute("UPDATE collections.disputes SET status='open' WHERE dispute_id=$1", d["dispute_id"])

    async def _close_dispute(self, conn, d: dict, status: str) -> None:
        await conn.execute("UPDATE collections.disputes SET status=$2 WHERE dispute_id=$1", d["dispute_id"], status)

    async def record_payment(self, payment: dict) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute("""INSERT INTO collections.payments (payment_id, invoice_id, bill_to_account_id,
                                  amount, currency, applied_at) VALUES ($1,$2,$3,$4,$5,$6)""",
                               payment["payment_id"], payment["invoice_id"], payment["bill_to_account_id"],
                               Decimal(payment["amount"]), payment["currency"], payment["applied_at"])

    async def mark_published(self, payment_id: str) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute("UPDATE collections.payments SET published_at = now() WHERE payment_id = $1",
                               payment_id)

    async def unpublished_payments(self, older_than_s: float) -> list[dict]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT payment_id, invoice_id, bill_to_account_id, amount, currency, applied_at
                   FROM collections.payments WHERE published_at IS NULL
                   AND applied_at < now() - make_interval(secs => $1) ORDER BY applied_at""", older_than_s)
        return [dict(r) for r in rows]

    async def invoice(self, invoice_id: str):
        async with self._pool.acquire() as conn:
            return await conn.fetchrow("SELECT * FROM collections.invoices WHERE invoice_id=$1", invoice_id)

    async def accounts(self) -> list[dict]:
        """AR per bill-to account and currency; disputed amounts are held back from what can be dunned."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                """SELECT bill_to_account_id, currency, count(*) AS invoices, sum(total) AS billed,
                          sum(paid) AS paid, sum(balance_due) AS balance_due,
                          sum(least(disputed_amount, balance_due)) AS disputed,
                          sum(greatest(balance_due - disputed_amount, 0)) AS dunnable
                   FROM collections.invoices WHERE status <> 'void'
                   GROUP BY bill_to_account_id, currency ORDER BY bill_to_account_id, currency""")
        return [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in dict(r).items()} for r in rows]

