"""The configuration read model: upserts that ignore stale state versions, and batch look-ups for billing."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table, bindparam, delete, insert, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters.config_tables import accounts, contract_versions, contracts, products
from invoice_svc.adapters.tables import SCHEMA
from invoice_svc.domain.ledger.records import BillingConfig
from mediabill_common.events.config_state import AccountState, ContractState, ProductState

_LOCK_PREFIX = f"{SCHEMA}:config:"
log = logging.getLogger(__name__)


async def lock_config_shared(session: AsyncSession, keys: Iterable[str]) -> None:
    """Hold shared locks on the configuration keys a delivery batch reads (released at commit).

    A configuration change takes the exclusive lock on its key, so either the change commits before the batch
    reads the read model, or the batch commits before the change re-checks parked records: a record can never
    be parked against configuration that arrived while it was being ingested.
    """
    ordered = sorted({_LOCK_PREFIX + k for k in keys})
    if ordered:
        await session.execute(
            text("SELECT count(pg_advisory_xact_lock_shared(hashtextextended(k, 0)))"
                 " FROM unnest(CAST(:keys AS text[])) AS k")
            .bindparams(bindparam("keys", ordered)))


async def lock_config_exclusive(session: AsyncSession, key: str) -> None:
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": _LOCK_PREFIX + key})


def product_key(code: str) -> str:
    return f"product:{code}"


def account_key(account_id: str) -> str:
    return f"account:{account_id}"


def contract_key(contract_id: str) -> str:
    return f"contract:{contract_id}"


async def _upsert_if_newer(session: AsyncSession, table: Table, key_col: str, values: dict[str, Any]) -> bool:
    stmt = pg_insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[key_col],
        set_={c: stmt.excluded[c] for c in values if c != key_col} | {"updated_at": text("now()")},
        where=stmt.excluded.state_version > table.c.state_version,
    ).returning(table.c[key_col])
    return (await session.execute(stmt)).first() is not None


async def save_product(session: AsyncSession, product: ProductState, state_version: int) -> bool:
    """Store the product's state unless a newer (or the same) version is held; True when it was applied."""
    return await _upsert_if_newer(session, products, "code", {
        "code": product.code, "status": product.status, "pricing_model": product.pricing_model,
        "state": product.model_dump(mode="json"), "state_version": state_version})


async def save_account(session: AsyncSession, account: AccountState, state_version: int) -> bool:
    return await _upsert_if_newer(session, accounts, "account_id", {
        "account_id": account.account_id, "type": account.type, "currency": account.currency,
        "state": account.model_dump(mode="json"), "state_version": state_version})


async def save_contract(session: AsyncSession, contract: ContractState, state_version: int) -> bool:
    applied = await _upsert_if_newer(session, contracts, "contract_id", {
        "contract_id": contract.contract_id, "status": contract.status, "amendment_no": contract.amendment_no,
        "advertiser_account_id": contract.advertiser_account_id,
        "bill_to_account_id": contract.bill_to_account_id, "currency": contract.currency,
        "flight_start": contract.flight_start, "flight_end": contract.flight_end,
        "state": contract.model_dump(mode="json"), "state_version": state_version})
    if applied:
        # versions[] is the full amendment history in every state: replace what is held.
        await session.execute(delete(contract_versions).where(
            contract_versions.c.contract_id == contract.contract_id))
        if contract.versions:
            await session.execute(insert(contract_versions), [
                {"contract_id": contract.contract_id, "amendment_no": v.amendment_no,
                 "effective_from": v.effective_from, "terms": v.terms} for v in contract.versions])
    return applied


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
_MODELS: dict[str, type[BaseModel]] = {"product": ProductState, "account": AccountState, "contract": ContractState}


class ConfigReader:
    """Reads the configuration a batch needs. Parsed states are memoised by (kind, key, state_version): a
    version names exactly one state, so the memo can never be stale; the database stays the authority."""

    def __init__(self, max_entries: int = 50_000) -> None:
        self._parsed: dict[tuple[str, str, int], Any] = {}
        self._max = max_entries

    async def load(self, session: AsyncSession, product_codes: Iterable[str], account_ids: Iterable[str],
                   contract_ids: Iterable[str]) -> BillingConfig:
        wanted = {"products": sorted(set(product_codes)), "accounts": sorted(set(account_ids)),
                  "contracts": sorted(set(contract_ids))}
        held = (await session.execute(_VERSIONS_SQL, wanted)).all()
        missing: dict[str, list[str]] = {"products": [], "accounts": [], "contracts": []}
        for kind, key, version in held:
            if (kind, key, version) not in self._parsed:
                missing[kind + "s"].append(key)
        found: dict[str, dict[str, Any]] = {"product": {}, "account": {}, "contract": {}}
        for kind, key, version in held:
            parsed = self._parsed.get((kind, key, version))
            if parsed is not None:
                found[kind][key] = parsed
        if any(missing.values()):
            if len(self._parsed) > self._max:
                self._parsed.clear()
            for kind, key, version, state in (await session.execute(_STATES_SQL, missing)).all():
                parsed = self._parsed[(kind, key, version)] = _parse_stored(kind, key, state)
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
