"""The configuration read model: upserts that ignore stale state versions, and batch look-ups for billing."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, bindparam, delete, insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.config_tables import accounts, contract_versions, contracts, delivery_sources, products
from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.app.ports import ConfigKind
from invoice_svc.domain.ledger.records import BillingConfig
from mediabill_common.events.config_state import AccountState, ContractState, DeliverySourceState, ProductState

_LOCK_PREFIX = f"{SCHEMA}:config:"
_LOCK_SHARED = text("SELECT count(pg_advisory_xact_lock_shared(hashtextextended(k, 0)))"
                    " FROM unnest(CAST(:keys AS text[])) AS k").bindparams(bindparam("keys"))
_LOCK_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))")
log = logging.getLogger(__name__)


def _lock_key(kind: ConfigKind, key: str) -> str:
    return f"{_LOCK_PREFIX}{kind}:{key}"


_VERSIONS_SQL = text(f"""
    SELECT 'product' AS kind, code AS key, state_version FROM {SCHEMA}.products WHERE code = ANY(:products)
    UNION ALL
    SELECT 'account', account_id, state_version FROM {SCHEMA}.accounts WHERE account_id = ANY(:accounts)
    UNION ALL
    SELECT 'contract', contract_id, state_version FROM {SCHEMA}.contracts WHERE contract_id = ANY(:contracts)
""")
_STATES_SQL = text(f"""
    SELECT 'product' AS kind, code AS key, state_version, state FROM {SCHEMA}.products WHERE code = ANY(:products)
    UNION ALL
    SELECT 'account', account_id, state_version, state FROM {SCHEMA}.accounts WHERE account_id = ANY(:accounts)
    UNION ALL
    SELECT 'contract', contract_id, state_version, state FROM {SCHEMA}.contracts
     WHERE contract_id = ANY(:contracts)
""")
_EVENT_SOURCES_SQL = text(f"SELECT source_system, event_sources FROM {SCHEMA}.delivery_sources "
                          "WHERE source_system = ANY(:systems)")
_ANY_SOURCE_SQL = text(f"SELECT EXISTS (SELECT 1 FROM {SCHEMA}.delivery_sources)")
_MODELS: dict[str, type[BaseModel]] = {"product": ProductState, "account": AccountState, "contract": ContractState}


class ParsedStates:
    """Stored states already parsed, memoised by (kind, key, state_version): a version names exactly one state, so
    the memo can never be stale; the database stays the authority. One per process, shared by its units."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self._parsed: dict[tuple[str, str, int], Any] = {}
        self._max = max_entries

    def get(self, kind: str, key: str, version: int) -> Any:
        return self._parsed.get((kind, key, version))

    def __contains__(self, held: tuple[str, str, int]) -> bool:
        return held in self._parsed

    def keep(self, kind: str, key: str, version: int, parsed: Any) -> None:
        self._parsed[(kind, key, version)] = parsed

    def make_room(self) -> None:
        if len(self._parsed) > self._max:
            self._parsed.clear()


class ConfigRepository:
    """The configuration read model over one session: upserts that ignore stale state versions, the advisory locks
    that order configuration changes and delivery batches, and batch look-ups for billing."""

    def __init__(self, session: AsyncSession, parsed: ParsedStates) -> None:
        self._session = session
        self._parsed = parsed

    async def lock_shared(self, products: Iterable[str], accounts: Iterable[str], contracts: Iterable[str]) -> None:
        """Hold shared locks on the configuration a delivery batch reads (released at commit).

        A configuration change takes the exclusive lock on its key, so either the change commits before the batch
        reads the read model, or the batch commits before the change re-checks held records: a record can never
        be held against configuration that arrived while it was being ingested.
        """
        ordered = sorted({_lock_key("product", k) for k in products} | {_lock_key("account", k) for k in accounts}
                         | {_lock_key("contract", k) for k in contracts})
        if ordered:
            await self._session.execute(_LOCK_SHARED, {"keys": ordered})

    async def lock_exclusive(self, kind: ConfigKind, key: str) -> None:
        await self._session.execute(_LOCK_EXCLUSIVE, {"k": _lock_key(kind, key)})

    async def save_product(self, product: ProductState, state_version: int) -> bool:
        """Store the product's state unless a newer (or the same) version is held; True when it was applied."""
        return await self._upsert_if_newer(products, "code", {
            "code": product.code, "status": product.status, "pricing_model": product.pricing_model,
            "state": product.model_dump(mode="json"), "state_version": state_version})

    async def save_account(self, account: AccountState, state_version: int) -> bool:
        return await self._upsert_if_newer(accounts, "account_id", {
            "account_id": account.account_id, "type": account.type, "currency": account.currency,
            "state": account.model_dump(mode="json"), "state_version": state_version})

    async def save_contract(self, contract: ContractState, state_version: int) -> bool:
        applied = await self._upsert_if_newer(contracts, "contract_id", {
            "contract_id": contract.contract_id, "status": contract.status, "amendment_no": contract.amendment_no,
            "advertiser_account_id": contract.advertiser_account_id,
            "bill_to_account_id": contract.bill_to_account_id, "currency": contract.currency,
            "flight_start": contract.flight_start, "flight_end": contract.flight_end,
            "state": contract.model_dump(mode="json"), "state_version": state_version})
        if applied:
            # versions[] is the full amendment history in every state: replace what is held.
            await self._session.execute(delete(contract_versions).where(
                contract_versions.c.contract_id == contract.contract_id))
            if contract.versions:
                await self._session.execute(insert(contract_versions), [
                    {"contract_id": contract.contract_id, "amendment_no": v.amendment_no,
                     "effective_from": v.effective_from, "terms": v.terms} for v in contract.versions])
        return applied

    async def save_delivery_source(self, source: DeliverySourceState, state_version: int) -> bool:
        return await self._upsert_if_newer(delivery_sources, "source_system", {
            "source_system": source.source_system, "event_sources": list(source.event_sources),
            "state": source.model_dump(mode="json"), "state_version": state_version})

    async def event_sources_of(self, source_systems: Collection[str]) -> dict[str, tuple[str, ...]]:
        """The registered event sources of those of `source_systems` that are registered."""
        if not source_systems:
            return {}
        rows = await self._session.execute(_EVENT_SOURCES_SQL, {"systems": list(source_systems)})
        return {system: tuple(sources) for system, sources in rows.all()}

    async def any_delivery_source(self) -> bool:
        """Whether any delivery source is registered."""
        return bool((await self._session.execute(_ANY_SOURCE_SQL)).scalar())

    async def _upsert_if_newer(self, table: Table, key_col: str, values: dict[str, Any]) -> bool:
        insert_state = pg_insert(table).values(**values)
        upsert = insert_state.on_conflict_do_update(
            index_elements=[key_col],
            set_={c: insert_state.excluded[c] for c in values if c != key_col} | {"updated_at": text("now()")},
            where=insert_state.excluded.state_version > table.c.state_version,
        ).returning(table.c[key_col])
        return (await self._session.execute(upsert)).first() is not None

    async def load(self, product_codes: Iterable[str], account_ids: Iterable[str], contract_ids: Iterable[str]) \
            -> BillingConfig:
        """The states of these products, accounts and contracts (unknown ones, and stored states that no longer
        validate, are absent); only states not parsed before are read and parsed."""
        wanted = {"products": sorted(set(product_codes)), "accounts": sorted(set(account_ids)),
                  "contracts": sorted(set(contract_ids))}
        held = (await self._session.execute(_VERSIONS_SQL, wanted)).all()
        missing: dict[str, list[str]] = {"products": [], "accounts": [], "contracts": []}
        found: dict[str, dict[str, Any]] = {"product": {}, "account": {}, "contract": {}}
        for kind, key, version in held:
            if (kind, key, version) not in self._parsed:
                missing[kind + "s"].append(key)
                continue
            parsed = self._parsed.get(kind, key, version)
            if parsed is not None:
                found[kind][key] = parsed
        if any(missing.values()):
            self._parsed.make_room()
            for kind, key, version, state in (await self._session.execute(_STATES_SQL, missing)).all():
                parsed = _parse_stored(kind, key, state)
                self._parsed.keep(kind, key, version, parsed)
                if parsed is not None:
                    found[kind][key] = parsed
        return BillingConfig(products=found["product"], accounts=found["account"], contracts=found["contract"])


def _parse_stored(kind: str, key: str, state: dict) -> Any:
    """The stored state as its model, or None for one that no longer validates: a state stored before today's
    bounds (a rate of 10^30, say) is left out as if it had not arrived, so that a record naming it is kept with an
    unknown_* exception instead of failing its batch, and is billed once a valid state replaces it."""
    try:
        return _MODELS[kind].model_validate(state)
    except ValidationError as exc:
        log.warning("stored config state no longer valid; left out until a valid one arrives",
                    extra={"kind": kind, "key": key, "error": str(exc)[:500]})
        return None
