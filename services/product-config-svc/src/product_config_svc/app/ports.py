"""Ports of the use cases: what they need from storage, the change log and invoice-svc, as Protocols.

Adapters implement them (adapters/); tests hand in fakes or real adapters through bootstrap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from mediabill_common.consumer import Event
from mediabill_common.events.catalog import Payload
from mediabill_common.events.config_state import AccountState, ContractState, DeliverySourceState, ProductState
from product_config_svc.domain.contracts import InvoicedPeriod

S = TypeVar("S")


@dataclass(frozen=True)
class Stored(Generic[S]):
    """An aggregate state as stored, with its state_version (the ETag and the event's state_version)."""

    state: S
    version: int


class PriceSimulationFailed(Exception):
    """invoice-svc could not price the request; `reason` says why in words an operator can act on."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        self.reason = reason
        self.status = status
        super().__init__(reason)


class SourceReconciler(Protocol):
    """invoice-svc's GET /v1/reconciliations/sources: two delivery sources compared per service day."""

    async def day_statuses(self, *, period: str, product_code: str, left: str, right: str,
                           tolerance_pct: Decimal) -> dict[date, list[str]]:
        """Each service day of the period with the statuses of its rows; raises PriceSimulationFailed when
        invoice-svc is unreachable or refuses (the same failure as a simulation's: invoice-svc did not answer)."""
        ...


@dataclass(frozen=True)
class CutoverPolicy:
    """The cutover readiness item's settings: the last `days` service days, within `tolerance_pct` (% of the
    current source's quantity)."""

    days: int = 7
    tolerance_pct: Decimal = Decimal(1)


class PriceSimulator(Protocol):
    """invoice-svc's POST /v1/price-simulations: pure pricing of a draft invoice, nothing written."""

    async def price(self, request: dict[str, Any]) -> dict[str, Any]:
        """The draft invoice for `request`; raises PriceSimulationFailed when unreachable or refused."""
        ...


class StateStore(Protocol[S]):
    async def get(self, key: str, *, for_update: bool = False) -> Stored[S] | None: ...
    async def get_many(self, keys: list[str]) -> dict[str, S]: ...
    async def add(self, state: S) -> int: ...
    async def save(self, state: S, expected_version: int) -> int: ...


class ProductStore(StateStore[ProductState], Protocol):
    pass


class AccountStore(StateStore[AccountState], Protocol):
    async def represented_by(self, advertiser_id: str) -> list[str]: ...


class ContractStore(StateStore[ContractState], Protocol):
    async def open_naming(self, account_id: str) -> list[dict[str, str]]: ...
    async def active_using_product(self, code: str) -> list[str]: ...
    async def line_items_in_other_active(self, line_item_ids: list[str], contract_id: str) -> dict[str, str]: ...


class DeliverySourceStore(StateStore[DeliverySourceState], Protocol):
    pass


class InvoicedPeriods(Protocol):
    async def record_issued(self, *, invoice_id: str, invoice_number: str, contract_id: str | None,
                            period: str, product_codes: list[str]) -> None: ...
    async def mark_voided(self, invoice_id: str) -> bool: ...
    async def for_contract(self, contract_id: str) -> list[InvoicedPeriod]: ...
    async def for_product(self, code: str) -> list[InvoicedPeriod]: ...


class Parking(Protocol):
    """Events about an invoice not seen yet, kept in the transaction until it arrives (the unit's parking lot)."""

    async def park(self, event: Event[Payload], *, waiting_for: str) -> None: ...
    async def replay(self, waiting_for: str) -> int: ...


class InvoicedPeriodsUnit(Protocol):
    """What the handlers of billing.invoices.v1 work with, all bound to the consumer's transaction (read-only:
    a handler uses the unit's parts, it never replaces them)."""

    @property
    def invoiced(self) -> InvoicedPeriods: ...
    @property
    def parking(self) -> Parking: ...


class ChangeLog(Protocol):
    """Publishes the aggregate's new full state to billing.config.v1 and records the audit entry, in one go."""

    async def record(self, *, event_type: str, entity_type: str, key: str, state: Any, version: int,
                     action: str, before: Any, reason: str | None) -> None: ...


@dataclass
class ConfigUnit:
    """What one configuration change works with, all bound to the same transaction."""

    products: ProductStore
    accounts: AccountStore
    contracts: ContractStore
    invoiced: InvoicedPeriods
    changes: ChangeLog
    actor: str
    delivery_sources: DeliverySourceStore
