"""What a bill run reads as of its snapshot: its groups, the ledger aggregated per contract line, what was billed
before, the issued periods whose deliveries changed since they were billed (rule 13) and what closed periods still
owe (close.md C12). Set-based: one query per
chunk. The statements are hand-tuned (bench/bill_run measures them): each is written once, here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.stored import ChangedPeriod, GroupSeed, OwedPeriod
from invoice_svc.domain.billing.grouping import GroupKey, delivery_scope
from invoice_svc.domain.pricing import Delivery, DraftLine, draft_line_from_wire

# Deliveries committed a little before an invoice's snapshot may have been invisible to it (a transaction that
# started before the snapshot and committed after it): they are re-checked, never lost.
RECONCILE_MARGIN_S = 600


# Contracts probed one by one for a billable delivery in the snapshot (an index probe each, no scan of the
# month's ledger), and self-serve advertisers from the ledger's contract-less rows.
_DELIVERY_GROUPS = text(f"""
    SELECT c.bill_to_account_id AS bill_to, c.contract_id AS contract_key, c.advertiser_account_id AS advertiser
      FROM {SCHEMA}.contracts c
     WHERE c.flight_start <= :end AND c.flight_end >= :start
       AND EXISTS (SELECT 1 FROM {SCHEMA}.deliveries d
                    WHERE d.contract_id = c.contract_id AND d.delivery_date BETWEEN :start AND :end
                      AND d.billable AND d.updated_at <= :snap)
    UNION ALL
    SELECT d.account_id, '', d.account_id FROM {SCHEMA}.deliveries d
     WHERE d.contract_id IS NULL AND d.delivery_date BETWEEN :start AND :end AND d.billable
       AND d.updated_at <= :snap
     GROUP BY d.account_id
""")
_FLAT_FEE_GROUPS = text(f"""
    SELECT c.bill_to_account_id AS bill_to, c.contract_id AS contract_key, c.advertiser_account_id AS advertiser
      FROM {SCHEMA}.contracts c
     WHERE c.flight_start <= :end AND c.flight_end >= :start AND c.status <> 'draft'
       AND EXISTS (SELECT 1 FROM jsonb_array_elements(c.state -> 'lines') l
                     JOIN {SCHEMA}.products p ON p.code = l ->> 'product_code' AND p.pricing_model = 'flat_fee')
""")
_CHANGED_SINCE_BILLED = f"""
    SELECT i.invoice_id, i.invoice_number, i.bill_to_account_id, i.contract_key, i.account_id, i.period,
           i.period_start, i.period_end
      FROM {SCHEMA}.invoices i
     WHERE i.status = 'issued' AND i.period <> :period AND i.period < :period {{extra}}
       AND EXISTS (SELECT 1 FROM {SCHEMA}.deliveries d
                    WHERE d.delivery_date BETWEEN i.period_start AND i.period_end
                      AND d.updated_at > i.reconciled_through - make_interval(secs => {RECONCILE_MARGIN_S})
                      AND d.updated_at <= :snap
                      AND ((i.contract_key <> '' AND d.contract_id = i.contract_key)
                        OR (i.contract_key = '' AND d.contract_id IS NULL AND d.account_id = i.bill_to_account_id)))
"""


# Every earlier issued period that changed (a run's own groups), or only those of a chunk's groups (a superset of
# their (bill-to, contract) pairs that the indexes answer; the exact pairs are kept in Python).
_CHANGED_EARLIER = text(_CHANGED_SINCE_BILLED.format(extra=""))
_CHANGED_OF_GROUPS = text(_CHANGED_SINCE_BILLED.format(
    extra="AND i.contract_key = ANY(CAST(:contract_keys AS text[])) "
          "AND i.bill_to_account_id = ANY(CAST(:bill_tos AS text[]))") + " ORDER BY i.period")

_AGGREGATE = f"""
    SELECT COALESCE(d.contract_id, '') AS contract_key, d.account_id, d.line_item_id, d.product_code,
           d.campaign_id, max(d.campaign_name) AS campaign_name,
           CASE WHEN d.product_code = ANY(CAST(:split AS text[])) THEN d.delivery_date ELSE CAST(:start AS date) END
               AS bucket,
           min(d.delivery_id) AS first_delivery_id, count(*) AS n,
           sum(d.impressions) AS impressions, sum(d.viewable_impressions) AS viewable_impressions,
           sum(d.clicks) AS clicks, sum(d.conversions) AS conversions,
           sum(d.third_party_impressions) AS third_party_impressions, sum(d.media_cost) AS media_cost,
           d.currency
      FROM {SCHEMA}.deliveries d
     WHERE {{bills}} AND d.delivery_date BETWEEN :start AND :end AND d.updated_at <= :snap AND {{scope}}
     GROUP BY 1, 2, 3, 4, 5, 7, d.currency, (d.third_party_impressions IS NULL), (d.media_cost IS NULL)
"""
# A shadow preview (oversight.md O1) bills, for every product the source reported in the period, that source's
# records (billable, or held only because another source bills their day) instead of the billing source's.
_AS_IF_SOURCE_BILLS = f"""
    (CASE WHEN d.product_code IN (SELECT s.product_code FROM {SCHEMA}.deliveries s
                                   WHERE s.source_system = :as_if_source AND s.delivery_date BETWEEN :start AND :end)
          THEN d.source_system = :as_if_source AND d.exception_kinds <@ CAST(ARRAY['source_conflict'] AS varchar[])
          ELSE d.billable END)"""
_SCOPES = (("contracts", "d.contract_id = ANY(CAST(:contracts AS text[]))"),
           ("accounts", "d.contract_id IS NULL AND d.account_id = ANY(CAST(:accounts AS text[]))"))
# A contract group's deliveries, and a self-serve advertiser's (no contract); then the same as if a source billed.
_AGGREGATES = tuple((name, text(_AGGREGATE.format(bills="d.billable", scope=scope))) for name, scope in _SCOPES)
_SHADOW_AGGREGATES = tuple((name, text(_AGGREGATE.format(bills=_AS_IF_SOURCE_BILLS, scope=scope)))
                           for name, scope in _SCOPES)
# The planner expects one group per ledger row (it cannot know a month of days folds into one line): it picks a
# parallel sort spilled to disk with the default work_mem, 3 processes busy on a 2-core host that also prices.
# One backend sorting in memory uses about half the CPU for the same result; JIT would only add compile time.
_AGGREGATION_SETTINGS = text("SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                             "set_config('work_mem', '64MB', true), set_config('jit', 'off', true)")

_BILLED_BEFORE = text(f"""
    SELECT i.bill_to_account_id, i.contract_key, l.line_item_id, sum(l.amount) AS billed
      FROM {SCHEMA}.invoices i JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.status = 'issued' AND i.period <> :period AND l.component = 'usage' AND l.line_item_id IS NOT NULL
       AND l.kind <> 'over_delivery'
       AND i.contract_key = ANY(CAST(:contract_keys AS text[]))
       AND i.bill_to_account_id = ANY(CAST(:bill_tos AS text[]))
     GROUP BY 1, 2, 3
""")
_LINES_BILLED_FOR = text(f"""
    SELECT i.invoice_number AS owner, l.* FROM {SCHEMA}.invoices i
      JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.status = 'issued' AND (i.invoice_number = ANY(CAST(:numbers AS text[]))
            OR l.original_invoice_number = ANY(CAST(:numbers AS text[])))
     ORDER BY i.invoice_id, l.line_no""")
_PARTY_STATES = text(f"""
    SELECT 'account' AS kind, account_id AS key, state FROM {SCHEMA}.accounts
     WHERE account_id = ANY(CAST(:accounts AS text[]))
    UNION ALL
    SELECT 'contract', contract_id, state FROM {SCHEMA}.contracts WHERE contract_id = ANY(CAST(:contracts AS text[]))
""")
# Closed periods before :period of each group that no issued invoice covers, with deliveries changed since the
# latest issued invoice that billed that period's owed lines (original_invoice_number null) was priced.
_OWED = text(f"""
    WITH closed AS (
        SELECT period, to_date(period || '-01', 'YYYY-MM-DD') AS first_day,
               CAST(to_date(period || '-01', 'YYYY-MM-DD') + interval '1 month - 1 day' AS date) AS last_day
          FROM (SELECT period FROM {SCHEMA}.period_locks WHERE status = 'closed' AND period < :period
                UNION
                -- a period reopened after later invoices billed what it owed stays billed that way (no double bill)
                SELECT DISTINCT original_period FROM {SCHEMA}.invoice_lines
                 WHERE original_invoice_number IS NULL AND kind = 'prior_period_adjustment'
                   AND original_period < :period) AS p),
    owed AS (
        SELECT c.bill_to_account_id AS bill_to, c.contract_id AS contract_key, c.advertiser_account_id AS advertiser,
               cl.period, cl.first_day, cl.last_day
          FROM closed cl JOIN {SCHEMA}.contracts c ON c.flight_start <= cl.last_day AND c.flight_end >= cl.first_day
         WHERE EXISTS (SELECT 1 FROM {SCHEMA}.deliveries d WHERE d.contract_id = c.contract_id AND d.billable
                          AND d.delivery_date BETWEEN cl.first_day AND cl.last_day)
        UNION ALL
        SELECT d.account_id, '', d.account_id, cl.period, cl.first_day, cl.last_day
          FROM closed cl JOIN {SCHEMA}.deliveries d ON d.delivery_date BETWEEN cl.first_day AND cl.last_day
         WHERE d.contract_id IS NULL AND d.billable
         GROUP BY d.account_id, cl.period, cl.first_day, cl.last_day)
    SELECT o.bill_to, o.contract_key, o.advertiser, o.period FROM owed o
     WHERE NOT EXISTS (SELECT 1 FROM {SCHEMA}.invoices i WHERE i.status = 'issued' AND i.period = o.period
                          AND i.contract_key = o.contract_key AND i.bill_to_account_id = o.bill_to)
       AND EXISTS (
           SELECT 1 FROM {SCHEMA}.deliveries d
            WHERE d.delivery_date BETWEEN o.first_day AND o.last_day AND d.billable AND d.updated_at <= :snap
              AND ((o.contract_key <> '' AND d.contract_id = o.contract_key)
                OR (o.contract_key = '' AND d.contract_id IS NULL AND d.account_id = o.bill_to))
              AND d.updated_at > COALESCE((
                  SELECT max(i.snapshot_at) FROM {SCHEMA}.invoices i
                    JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
                   WHERE i.status = 'issued' AND i.contract_key = o.contract_key AND i.bill_to_account_id = o.bill_to
                     AND l.original_period = o.period AND l.original_invoice_number IS NULL),
                  '-infinity') - make_interval(secs => {RECONCILE_MARGIN_S}))
     ORDER BY o.period""")
# Groups whose period later invoices billed as owed by a closed period: the period's own runs leave them to that.
_OWED_COVERED = text(f"""
    SELECT DISTINCT i.bill_to_account_id, i.contract_key FROM {SCHEMA}.invoice_lines l
      JOIN {SCHEMA}.invoices i ON i.invoice_id = l.invoice_id
     WHERE l.original_invoice_number IS NULL AND l.kind = 'prior_period_adjustment' AND l.original_period = :period
       AND i.status = 'issued'""")
_OWED_BILLED = text(f"""
    SELECT i.bill_to_account_id, i.contract_key, l.* FROM {SCHEMA}.invoices i
      JOIN {SCHEMA}.invoice_lines l ON l.invoice_id = i.invoice_id
     WHERE i.status = 'issued' AND l.kind = 'prior_period_adjustment' AND l.original_invoice_number IS NULL
       AND l.original_period = ANY(CAST(:periods AS text[]))
       AND i.contract_key = ANY(CAST(:contract_keys AS text[]))
     ORDER BY i.invoice_id, l.line_no""")

_PRODUCT_CODES = text(f"SELECT code FROM {SCHEMA}.products ORDER BY code")
# A stored line's fields as the catalog's InvoiceLine names them (what rule 13's baseline is rebuilt from).
_LINE_FIELDS = ("invoice_line_id", "kind", "description", "amount", "quantity", "unit", "unit_price",
                "price_base_quantity", "product_code", "gl_revenue_account", "campaign_id", "campaign_name",
                "line_item_id", "original_invoice_number", "value", "tax_code",
                "original_period")


class SnapshotRepository:
    """The ledger, invoices and read model as a bill run reads them, over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def product_codes(self) -> list[str]:
        """Every product the read model knows (a bill run loads them all once; there are few)."""
        return list((await self._session.execute(_PRODUCT_CODES)).scalars().all())

    async def run_groups(self, period: str, start: date, end: date, snap: datetime) -> list[GroupSeed]:
        """Rule 2's groups of a period: billable deliveries in the snapshot, flat-fee contracts whose flight has
        begun by the period's end, and contracts with issued periods that changed since (adjustment-only if need
        be) or closed periods that owe something (C12). A group whose period later invoices billed while it was
        closed is left out: reopened, it goes on being billed as owed, never twice."""
        seeds: dict[GroupKey, str] = {}
        params = {"start": start, "end": end, "snap": snap}
        for row in await self._session.execute(_DELIVERY_GROUPS, params):
            seeds.setdefault(GroupKey(row.bill_to, row.contract_key, period), row.advertiser)
        for row in await self._session.execute(_FLAT_FEE_GROUPS, {"start": start, "end": end}):
            seeds.setdefault(GroupKey(row.bill_to, row.contract_key, period), row.advertiser)
        for row in await self._session.execute(_CHANGED_EARLIER, {"period": period, "snap": snap}):
            seeds.setdefault(GroupKey(row.bill_to_account_id, row.contract_key, period), row.account_id)
        for owed in await self.owed_by_closed_periods(period, snap):
            seeds.setdefault(GroupKey(owed.bill_to_account_id, owed.contract_key, period), owed.account_id)
        covered = {(r[0], r[1]) for r in await self._session.execute(_OWED_COVERED, {"period": period})}
        return [GroupSeed(k, a) for k, a in seeds.items()
                if (k.bill_to_account_id, k.contract_key) not in covered]

    async def owed_by_closed_periods(self, period: str, snap: datetime) -> list[OwedPeriod]:
        """The closed periods before `period` that groups still owe (close.md C12): no issued invoice covers them
        and their deliveries changed since what later invoices billed for them."""
        return [OwedPeriod(*row) for row in await self._session.execute(_OWED, {"period": period, "snap": snap})]

    async def owed_lines_billed(self, periods: Sequence[str], contract_keys: Sequence[str]) \
            -> dict[tuple[str, str, str], list[DraftLine]]:
        """Per (bill-to, contract key, closed period): the owed lines later invoices already billed for it."""
        out: dict[tuple[str, str, str], list[DraftLine]] = {}
        if not periods:
            return out
        rows = await self._session.execute(_OWED_BILLED, {"periods": list(periods),
                                                          "contract_keys": list(contract_keys)})
        for r in rows.mappings():
            out.setdefault((r["bill_to_account_id"], r["contract_key"], r["original_period"]), []).append(
                draft_line_from_wire(_wire(r)))
        return out

    async def changed_issued_periods(self, keys: Sequence[GroupKey], snap: datetime) -> list[ChangedPeriod]:
        """Issued invoices (of earlier periods) of these groups' contracts whose deliveries changed since billed."""
        if not keys:
            return []
        result = await self._session.execute(_CHANGED_OF_GROUPS, {
            "period": keys[0].period, "snap": snap, "bill_tos": [k.bill_to_account_id for k in keys],
            "contract_keys": [k.contract_key for k in keys]})
        pairs = {(k.bill_to_account_id, k.contract_key) for k in keys}
        return [ChangedPeriod(*row) for row in result if (row.bill_to_account_id, row.contract_key) in pairs]

    async def tune_for_aggregation(self) -> None:
        """Settings for a chunk's read, for this transaction only (see `_AGGREGATION_SETTINGS`)."""
        await self._session.execute(_AGGREGATION_SETTINGS)

    async def aggregated_deliveries(self, *, contract_ids: Sequence[str], self_serve: Sequence[str], start: date,
                                    end: date, snap: datetime, split_products: Sequence[str],
                                    as_if_source: str | None = None) -> dict[str, list[Delivery]]:
        """The period's billable deliveries in the snapshot, summed per (contract line, product, campaign).

        Pricing needs per-day records only where the rate can change inside the period (a product with a rate-card
        version starting in it: `split_products`), and uniform third-party / media-cost presence (so the engine
        still sees what is missing). Keyed by `delivery_scope` (the contract id, or the account of a self-serve
        group). `as_if_source` reads the deliveries a shadow preview bills (`_AS_IF_SOURCE_BILLS`).
        """
        out: dict[str, list[Delivery]] = {}
        base = {"start": start, "end": end, "snap": snap, "split": list(split_products)}
        statements = _AGGREGATES
        if as_if_source is not None:
            statements, base = _SHADOW_AGGREGATES, base | {"as_if_source": as_if_source}
        for (name, statement), ids in zip(statements, (contract_ids, self_serve), strict=True):
            if not ids:
                continue
            rows = await self._session.execute(statement, base | {name: list(ids)})
            for r in rows.all():
                out.setdefault(delivery_scope(r[0], r[1]), []).append(_delivery(*r))
        return out

    async def billed_before(self, keys: Sequence[GroupKey]) -> dict[GroupKey, dict[str, Decimal]]:
        """Per group, per contract line: what issued invoices of other periods billed for it (usage, flat fees and
        prior-period usage adjustments) -- what counts against the line's budget (rule 8)."""
        out: dict[GroupKey, dict[str, Decimal]] = {}
        if not keys:
            return out
        period = keys[0].period
        rows = await self._session.execute(_BILLED_BEFORE, {
            "period": period, "bill_tos": [k.bill_to_account_id for k in keys],
            "contract_keys": [k.contract_key for k in keys]})
        wanted = set(keys)
        for r in rows:
            key = GroupKey(r.bill_to_account_id, r.contract_key, period)
            if key in wanted:
                out.setdefault(key, {})[r.line_item_id] = r.billed
        return out

    async def lines_billed_for(self, invoice_numbers: Sequence[str]) -> dict[str, list[DraftLine]]:
        """Rule 13's baseline per original invoice: its own lines plus the adjustment lines made for it since, on
        issued invoices (void ones do not count)."""
        out: dict[str, list[DraftLine]] = {n: [] for n in invoice_numbers}
        if not invoice_numbers:
            return out
        rows = await self._session.execute(_LINES_BILLED_FOR, {"numbers": list(invoice_numbers)})
        for r in rows.mappings():
            target = r["original_invoice_number"] if r["kind"] == "prior_period_adjustment" else r["owner"]
            if target in out:
                out[target].append(draft_line_from_wire(_wire(r)))
        return out

    async def party_states(self, account_ids: Sequence[str], contract_ids: Sequence[str]) \
            -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """The stored states of these accounts and of these contracts, keyed by id, in their wire form (validated
        against the catalog models when they arrived; not re-validated here). Unknown ids are absent."""
        accounts: dict[str, dict[str, Any]] = {}
        contracts: dict[str, dict[str, Any]] = {}
        if not account_ids and not contract_ids:
            return accounts, contracts
        rows = await self._session.execute(_PARTY_STATES, {"accounts": list(account_ids),
                                                           "contracts": list(contract_ids)})
        for kind, key, state in rows:
            (accounts if kind == "account" else contracts)[key] = state
        return accounts, contracts


def _wire(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {name: row[name] for name in _LINE_FIELDS}


def _delivery(contract_key: str, account_id: str, line_item_id: str, product_code: str, campaign_id: str,
              campaign_name: str | None, bucket: date, first_delivery_id: str, n: int, impressions: Decimal,
              viewable_impressions: Decimal, clicks: Decimal, conversions: Decimal,
              third_party_impressions: Decimal | None, media_cost: Decimal | None, currency: str | None) -> Delivery:
    """One `_AGGREGATE` row (its columns in order; unpacked by position, a bill run reads millions)."""
    more = f" (+{n - 1} more)" if n > 1 else ""
    return Delivery(
        delivery_id=f"{first_delivery_id}{more}", line_item_id=line_item_id, product_code=product_code,
        delivery_date=bucket, campaign_id=campaign_id, campaign_name=campaign_name, account_id=account_id,
        contract_id=contract_key or None, impressions=int(impressions), viewable_impressions=int(viewable_impressions),
        clicks=int(clicks), conversions=int(conversions),
        third_party_impressions=None if third_party_impressions is None else int(third_party_impressions),
        media_cost=media_cost, currency=currency)


# An `_AGGREGATE`-shaped row as a Delivery, for the assurance runs' reads of the same shape.
aggregated_row_delivery = _delivery
