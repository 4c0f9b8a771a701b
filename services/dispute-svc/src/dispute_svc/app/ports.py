"""Ports of the use cases and handlers, as Protocols: the read models and stores of one transaction (the unit),
invoice-svc and the clock. Adapters implement them (adapters/); bootstrap wires them; unit tests hand in fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from dispute_svc.domain.model import Dispute, HistoryEntry, InvoiceView
from mediabill_common.consumer.handlers import Event
from mediabill_common.events.catalog import InvoiceBalanceChanged, InvoiceIssued, MemoIssued, Payload
from mediabill_common.trends import TrendCell


class InvoiceServiceUnavailable(Exception):
    """invoice-svc could not answer (unreachable, timed out, or answered with an error); says which."""


class InvoiceServiceClient(Protocol):
    async def deliveries(self, *, contract_id: str | None, account_id: str | None, date_from: date, date_to: date,
                         line_item_id: str | None = None) -> list[dict[str, Any]]:
        """Every delivery record (with revisions) of the contract (else the account) over the dates, all pages;
        only the line item's when one is given."""
        ...

    async def price_simulation(self, request: dict[str, Any]) -> dict[str, Any]:
        """invoice-svc's pure re-price: a draft invoice for the product, contract and deliveries given."""
        ...


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class DisputeFilter:
    """The worklist's filters; None leaves a field unfiltered."""

    status: str | None = None
    reason_code: str | None = None
    bill_to_account_id: str | None = None
    assignee: str | None = None
    invoice_id: str | None = None
    overdue: bool | None = None
    age_bucket: str | None = None


class InvoiceReadModel(Protocol):
    """Invoices as billing.invoices.v1 tells them, with the credits of billing.adjustments.v1."""

    async def record_issued(self, issued: InvoiceIssued) -> bool: ...
    async def exists(self, invoice_id: str) -> bool: ...
    async def get(self, invoice_id: str, *, for_update: bool = False) -> InvoiceView | None: ...
    async def issued_document(self, invoice_id: str) -> dict[str, Any] | None: ...
    async def mark_void(self, invoice_id: str) -> None: ...
    async def apply_balance(self, change: InvoiceBalanceChanged) -> None: ...
    async def record_credit_memo(self, memo: MemoIssued) -> bool: ...
    async def already_billed(self, contract_id: str, line_item_ids: list[str],
                             before_period: str) -> dict[str, Decimal]: ...


class DisputeStore(Protocol):
    """Disputes with their lines and history; the figures the KPIs are made of."""

    async def add(self, dispute: Dispute, attachments: list[dict[str, str]]) -> None: ...
    async def save(self, dispute: Dispute) -> None: ...
    async def get(self, dispute_id: str, *, for_update: bool = False) -> Dispute | None: ...
    async def attachments(self, dispute_id: str) -> list[dict[str, str]]: ...
    async def history(self, dispute_id: str) -> list[HistoryEntry]: ...
    async def holding_on_invoice(self, invoice_id: str) -> list[Dispute]: ...
    async def worklist(self, flt: DisputeFilter, *, now: datetime, limit: int,
                   after: tuple[datetime, str] | None) -> list[Dispute]: ...
    async def resolved_times(self, start: datetime, end: datetime,
                             bill_to_account_id: str | None) -> list[tuple[datetime, datetime, datetime]]: ...
    async def active_opened_at(self, bill_to_account_id: str | None) -> list[datetime]: ...
    async def opened_count(self, start: datetime, end: datetime, bill_to_account_id: str | None) -> int: ...
    async def disputed_value(self, start: datetime, end: datetime, bill_to_account_id: str | None,
                             by: str) -> list[tuple[str, str, Decimal, int]]: ...
    async def dispute_rate(self, date_from: date, date_to: date,
                           bill_to_account_id: str | None) -> tuple[int, int]: ...
    async def trend_cells(self, start: datetime, end: datetime, by: str,
                          bill_to_account_id: str | None) -> list[TrendCell]: ...
    async def invoices_issued_by_month(self, date_from: date, date_to: date,
                                       bill_to_account_id: str | None) -> dict[str, int]: ...


class ConfigReadModel(Protocol):
    """Products, accounts and contracts as billing.config.v1 carries them, newest state_version kept."""

    async def keep_newer(self, kind: str, key: str, state_version: int, state: dict[str, Any]) -> bool: ...
    async def get(self, kind: str, key: str) -> dict[str, Any] | None: ...
    async def get_many(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]: ...


class SlaPolicyStore(Protocol):
    """The SLA policy document and its version (None while the rules' defaults apply)."""

    async def get(self, *, for_update: bool = False) -> tuple[dict[str, Any], int] | None: ...
    async def put(self, policy: dict[str, Any], version: int, updated_by: str) -> None: ...


class Parking(Protocol):
    """Events about an invoice not seen yet, kept until its InvoiceIssued arrives and then replayed."""

    async def park(self, event: Event[Payload], *, waiting_for: str) -> None: ...
    async def replay(self, waiting_for: str) -> int: ...


class DisputeUnit(Protocol):
    """What a use case or a handler works with: the stores of one transaction, its outbox and its audit trail
    (and, for a handler, the events parked until an invoice arrives). Nothing commits here: routes and the
    consumer own the transaction."""

    @property
    def invoices(self) -> InvoiceReadModel: ...
    @property
    def disputes(self) -> DisputeStore: ...
    @property
    def config(self) -> ConfigReadModel: ...
    @property
    def sla_policy(self) -> SlaPolicyStore: ...
    @property
    def parking(self) -> Parking: ...

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload,
                      causationid: str | None = None) -> None:
        """Queue an event in the outbox, in this transaction."""
        ...

    async def record_audit(self, *, actor: str, action: str, entity_type: str, entity_id: str,
                           reason: str | None = None, before: Any = None, after: Any = None) -> None:
        """Append an audit entry, in this transaction."""
        ...
