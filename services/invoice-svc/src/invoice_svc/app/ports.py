"""Ports of invoice-svc's use cases: what they need from storage and the outbox, as Protocols, and the values that
cross them. Adapters implement them (adapters/); a unit of work (`InvoiceUnit`) holds one transaction's set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from invoice_svc.domain.billing.balance import BalanceEntry, InvoiceBalance
from invoice_svc.domain.billing.payments import Payment
from invoice_svc.domain.ledger.records import BillingConfig, DeliveryRecord
from mediabill_common.consumer import Parking
from mediabill_common.events.catalog import Payload
from mediabill_common.events.config_state import AccountState, ContractState, ProductState
from mediabill_common.events.envelope import Envelope

ConfigKind = Literal["product", "account", "contract"]


@dataclass(frozen=True, slots=True)
class NewException:
    """A billing exception to raise (opened unless its dedupe key has an unresolved one)."""

    exception_id: str
    kind: str
    dedupe_key: str
    account_id: str | None
    delivery_id: str | None
    refs: dict[str, str | None]
    amount_at_risk: Decimal | None
    currency: str | None


@dataclass(frozen=True, slots=True)
class QueuedException:
    """A billing exception as the queue holds it."""

    exception_id: str
    kind: str
    status: str
    dedupe_key: str
    account_id: str | None
    delivery_id: str | None
    refs: dict[str, str | None]
    amount_at_risk: Decimal | None
    currency: str | None
    raised_at: datetime
    assignee: str | None
    assigned_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    version: int


@dataclass(frozen=True, slots=True)
class ResolvedException:
    """An exception the system resolved because its cause went away."""

    exception_id: str
    account_id: str | None
    resolved_at: datetime


@dataclass(frozen=True, slots=True)
class Receivable:
    """An issued (or void) invoice as its balance events see it."""

    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    currency: str
    total: Decimal
    status: str


class Ledger(Protocol):
    """The usage ledger: every revision received and each delivery's current figures and billability."""

    async def record_batch(self, revisions: Sequence[DeliveryRecord],
                           current: Mapping[str, tuple[int, tuple[str, ...]]]) -> dict[str, bool]: ...

    async def held_referencing(self, reference: ConfigKind, key: str) \
        -> list[tuple[DeliveryRecord, tuple[str, ...]]]: ...

    async def set_billability(self, verdicts: Sequence[tuple[str, tuple[str, ...]]]) -> None: ...


class ConfigReadModel(Protocol):
    """Products, accounts and contracts as billing.config.v1 carried them (only a newer state_version is kept)."""

    async def lock_shared(self, products: Iterable[str], accounts: Iterable[str], contracts: Iterable[str]) \
        -> None: ...

    async def lock_exclusive(self, kind: ConfigKind, key: str) -> None: ...

    async def save_product(self, product: ProductState, state_version: int) -> bool: ...

    async def save_account(self, account: AccountState, state_version: int) -> bool: ...

    async def save_contract(self, contract: ContractState, state_version: int) -> bool: ...

    async def load(self, products: Iterable[str], accounts: Iterable[str], contracts: Iterable[str]) \
        -> BillingConfig: ...


class ExceptionQueue(Protocol):
    """The billing exception queue: one unresolved exception per dedupe key."""

    async def insert_open(self, items: Sequence[NewException]) -> dict[str, datetime]: ...

    async def open_id_for_key(self, dedupe_key: str) -> str | None: ...

    async def resolve_open_for_deliveries(self, verdicts: Sequence[tuple[str, tuple[str, ...]]],
                                          kinds_in_scope: Sequence[str], *, resolved_by: str,
                                          resolution: str) -> list[ResolvedException]: ...

    async def get(self, exception_id: str, *, for_update: bool = False) -> QueuedException | None: ...

    async def mark_assigned(self, exception_id: str, assignee: str) -> QueuedException: ...

    async def mark_resolved(self, exception_id: str, resolved_by: str, resolution: str) -> QueuedException: ...


class Receivables(Protocol):
    """Issued invoices' receivables: the entries (memos, payments, dispute events) and the balance they make."""

    async def for_update(self, invoice_id: str) -> Receivable | None: ...

    async def record_entry(self, invoice_id: str, entry: BalanceEntry, *, applied: bool, event_id: str) -> bool: ...

    async def recorded_payment(self, payment_id: str) -> Payment | None: ...

    async def entries_of(self, invoice_id: str) -> list[BalanceEntry]: ...

    async def save_balance(self, invoice_id: str, balance: InvoiceBalance) -> None: ...

    async def awaited(self, invoice_ids: Sequence[str]) -> list[str]:
        """Which of these invoices have balance events parked, waiting for them."""
        ...

    async def awaited_and_known(self) -> list[str]:
        """The invoices that parked balance events wait for and that exist now (issued or void)."""
        ...

    async def waiting_longer_than(self, seconds: float) -> list[tuple[str, Envelope]]:
        """(invoice id, event) of the balance events parked for longer than `seconds`."""
        ...


class InvoiceUnit(Protocol):
    """One transaction of invoice-svc (a consumed event, an API request, a bill run's write): the repositories bound
    to it, its outbox, audit trail and parking lot. Handlers and use cases never commit; the unit's owner does."""

    @property
    def ledger(self) -> Ledger: ...

    @property
    def config(self) -> ConfigReadModel: ...

    @property
    def exceptions(self) -> ExceptionQueue: ...

    @property
    def receivables(self) -> Receivables: ...

    @property
    def parking(self) -> Parking: ...

    def envelope(self, event_type: str, *, subject: str, data: Payload | dict[str, Any],
                 causationid: str | None = None) -> Envelope:
        """A catalogued event, `data` validated against its model."""
        ...

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload | dict[str, Any],
                      causationid: str | None = None) -> Envelope:
        """Queue a catalogued event in the outbox: published once (and only if) the transaction commits."""
        ...

    async def publish_all(self, events: Sequence[tuple[str, Envelope]]) -> None:
        """Queue many (key, envelope) at once: one COPY and one notification (bill runs)."""
        ...

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None:
        """Append an audit entry that exists exactly when the change does."""
        ...
