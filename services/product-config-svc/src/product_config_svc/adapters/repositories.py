"""Repositories: all SQL of product-config-svc. They take the session once and never commit."""

from __future__ import annotations

import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import Table, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from mediabill_common.db.reads import fetch_all, fetch_first
from mediabill_common.db.writes import rows_affected
from mediabill_common.events.config_state import AccountState, ContractState, DeliverySourceState, ProductState
from product_config_svc.adapters import tables
from product_config_svc.app.ports import Stored
from product_config_svc.domain.contracts import InvoicedPeriod
from product_config_svc.domain.errors import RuleViolation

S = TypeVar("S", bound=BaseModel)


class _StateRepository(Generic[S]):
    """An aggregate kept as its full JSON state plus the columns lists filter on."""

    table: Table
    key: str
    model: type[S]
    kind: str
    # The columns a free-text `matching` search looks in (case-insensitive substring); none: no search.
    search_columns: tuple[str, ...] = ()

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _columns(self, state: S) -> dict[str, Any]:
        raise NotImplementedError

    async def get(self, key: str, *, for_update: bool = False) -> Stored[S] | None:
        found = await self.get_document(key, for_update=for_update)
        return Stored(self.model.model_validate(found.state), found.version) if found else None

    async def get_document(self, key: str, *, for_update: bool = False) -> Stored[dict[str, Any]] | None:
        """The state as its stored JSON document (written by `add`/`save` from the validated model): what a read
        answers as is, its response model validating it once, with no domain model built and dumped again."""
        t = self.table
        lock = " FOR UPDATE" if for_update else ""
        row = await fetch_first(self._session, f"SELECT state, state_version FROM {t.schema}.{t.name} "
                                               f"WHERE {self.key} = :key{lock}", {"key": key})
        return Stored(row["state"], row["state_version"]) if row else None

    async def get_many(self, keys: list[str]) -> dict[str, S]:
        if not keys:
            return {}
        t = self.table
        rows = (await self._session.execute(select(t.c.state).where(t.c[self.key].in_(set(keys))))).all()
        return {getattr(state, self.key): state for state in (self.model.model_validate(r.state) for r in rows)}

    async def add(self, state: S) -> int:
        """Insert version 1; an existing key is a conflict, not an overwrite."""
        t = self.table
        values = {self.key: getattr(state, self.key), "state": state.model_dump(mode="json"), "state_version": 1,
                  **self._columns(state)}
        inserted = (await self._session.execute(
            insert(t).values(**values).on_conflict_do_nothing().returning(t.c[self.key]))).first()
        if inserted is None:
            raise RuleViolation(f"{self.kind} '{getattr(state, self.key)}' already exists")
        return 1

    async def save(self, state: S, expected_version: int) -> int:
        """Store the next version; refuses if someone else stored one since `expected_version` was read."""
        t = self.table
        stored = await rows_affected(self._session, (
            update(t).where(t.c[self.key] == getattr(state, self.key), t.c.state_version == expected_version)
            .values(state=state.model_dump(mode="json"), state_version=expected_version + 1,
                    updated_at=func.now(), **self._columns(state))))
        if stored != 1:
            raise RuleViolation(f"{self.kind} '{getattr(state, self.key)}' was changed concurrently; retry")
        return expected_version + 1

    async def page(self, filters: dict[str, Any], after: str | None, limit: int,
                   state_contains: dict[str, Any] | None = None) -> list[Stored[S]]:
        """Up to `limit + 1` aggregates ordered by key after `after`, matching the column `filters` and whose
        state contains `state_contains` (JSON containment per top-level field, e.g. {"lines": [{...}]})."""
        return [Stored(self.model.model_validate(r.state), r.version)
                for r in await self.page_documents(filters, after, limit, state_contains)]

    async def page_documents(self, filters: dict[str, Any], after: str | None, limit: int,
                             state_contains: dict[str, Any] | None = None,
                             matching: str | None = None) -> list[Stored[dict[str, Any]]]:
        """`page` as stored JSON documents (see `get_document`); `matching` keeps those whose `search_columns`
        contain it, ignoring case."""
        t = self.table
        where: list[str] = []
        params: dict[str, Any] = {"lim": limit + 1}
        for column, value in filters.items():
            if value is not None:
                if column not in t.c:  # names come from code, never from input; values are parameters
                    raise ValueError(f"{t.name} has no column {column}")
                where.append(f"{column} = :f_{column}")
                params[f"f_{column}"] = value
        for field, value in (state_contains or {}).items():
            where.append(f"state -> CAST(:c_{field} AS text) @> CAST(:v_{field} AS jsonb)")
            params |= {f"c_{field}": field, f"v_{field}": json.dumps(value)}
        if matching and self.search_columns:
            where.append("(" + " OR ".join(f"{c} ILIKE :matching ESCAPE '\\'" for c in self.search_columns) + ")")
            escaped = matching.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            params["matching"] = f"%{escaped}%"
        if after is not None:
            where.append(f"{self.key} > :after")
            params["after"] = after
        sql = (f"SELECT state, state_version FROM {t.schema}.{t.name}"
               f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {self.key} LIMIT :lim")
        return [Stored(r["state"], r["state_version"]) for r in await fetch_all(self._session, sql, params)]


class ProductRepository(_StateRepository[ProductState]):
    table, key, model, kind = tables.products, "code", ProductState, "product"

    def _columns(self, state: ProductState) -> dict[str, Any]:
        return {"name": state.name, "channel": state.channel, "pricing_model": state.pricing_model,
                "status": state.status}


class AccountRepository(_StateRepository[AccountState]):
    table, key, model, kind = tables.accounts, "account_id", AccountState, "account"
    search_columns = ("legal_name", "account_id")

    def _columns(self, state: AccountState) -> dict[str, Any]:
        return {"type": state.type, "legal_name": state.legal_name, "currency": state.currency}

    async def represented_by(self, advertiser_id: str) -> list[str]:
        t = self.table
        rows = await self._session.execute(select(t.c.account_id).where(
            t.c.state["represented_advertisers"].contains([advertiser_id])))
        return [r.account_id for r in rows]


class DeliverySourceRepository(_StateRepository[DeliverySourceState]):
    table, key, model, kind = tables.delivery_sources, "source_system", DeliverySourceState, "delivery source"

    def _columns(self, state: DeliverySourceState) -> dict[str, Any]:
        return {"name": state.name}


class ContractRepository(_StateRepository[ContractState]):
    table, key, model, kind = tables.contracts, "contract_id", ContractState, "contract"

    def _columns(self, state: ContractState) -> dict[str, Any]:
        return {"status": state.status, "advertiser_account_id": state.advertiser_account_id,
                "bill_to_account_id": state.bill_to_account_id, "currency": state.currency,
                "flight_start": state.flight_start, "flight_end": state.flight_end,
                "amendment_no": state.amendment_no}

    async def open_naming(self, account_id: str) -> list[dict[str, str]]:
        """Draft and active contracts whose advertiser or bill-to is `account_id`."""
        t = self.table
        rows = await self._session.execute(
            select(t.c.contract_id, t.c.advertiser_account_id, t.c.bill_to_account_id).where(
                t.c.status.in_(["draft", "active"]),
                (t.c.advertiser_account_id == account_id) | (t.c.bill_to_account_id == account_id)))
        return [dict(r._mapping) for r in rows]

    async def active_using_product(self, code: str) -> list[str]:
        t = self.table
        rows = await self._session.execute(select(t.c.contract_id).where(
            t.c.status == "active", t.c.state["lines"].contains([{"product_code": code}])))
        return [r.contract_id for r in rows]

    async def line_items_in_other_active(self, line_item_ids: list[str], contract_id: str) -> dict[str, str]:
        """Which of `line_item_ids` an active contract other than `contract_id` bills, and which contract.

        Takes a transaction-scoped lock first so two activations cannot both claim the same line item.
        """
        if not line_item_ids:
            return {}
        await self._session.execute(text("SELECT pg_advisory_xact_lock(hashtext('product_config:line_items'))"))
        rows = await self._session.execute(text(
            "SELECT l->>'line_item_id' AS line_item_id, c.contract_id FROM product_config_svc.contracts c, "
            "jsonb_array_elements(c.state->'lines') l WHERE c.status = 'active' AND c.contract_id <> :cid "
            "AND l->>'line_item_id' = ANY(:ids)"), {"cid": contract_id, "ids": list(line_item_ids)})
        return {r.line_item_id: r.contract_id for r in rows}


class InvoicedPeriodRepository:
    """The read model of billing.invoices.v1 this service keeps: invoices per contract period."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record_issued(self, *, invoice_id: str, invoice_number: str, contract_id: str | None,
                            period: str, product_codes: list[str]) -> None:
        t = tables.invoiced_periods
        await self._session.execute(insert(t).values(
            invoice_id=invoice_id, invoice_number=invoice_number, contract_id=contract_id, period=period,
            product_codes=product_codes,
        ).on_conflict_do_nothing())

    async def mark_voided(self, invoice_id: str) -> bool:
        """Free the invoice's period; False when the invoice is not known yet."""
        t = tables.invoiced_periods
        return await rows_affected(self._session,
                                   update(t).where(t.c.invoice_id == invoice_id).values(voided=True)) == 1

    async def for_contract(self, contract_id: str) -> list[InvoicedPeriod]:
        t = tables.invoiced_periods
        rows = await self._session.execute(select(t.c.period, t.c.invoice_number).where(
            t.c.contract_id == contract_id, t.c.voided.is_(False)).order_by(t.c.period))
        return [InvoicedPeriod(r.period, r.invoice_number) for r in rows]

    async def for_product(self, code: str) -> list[InvoicedPeriod]:
        """Non-void invoiced periods that billed the product (or whose products were not recorded)."""
        t = tables.invoiced_periods
        rows = await self._session.execute(select(t.c.period, t.c.invoice_number).where(
            t.c.voided.is_(False), or_(t.c.product_codes.is_(None), t.c.product_codes.contains([code])))
            .order_by(t.c.period))
        return [InvoicedPeriod(r.period, r.invoice_number) for r in rows]
