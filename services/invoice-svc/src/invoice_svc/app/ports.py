"""Ports of invoice-svc's use cases: what they need from storage and the outbox, as Protocols (the values that cross
them are in app/stored.py). Adapters implement them (adapters/); a unit of work (`InvoiceUnit`) holds one
transaction's set.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

from invoice_svc.app.assurance_stored import AssuranceRun, CheckedInvoice
from invoice_svc.app.stored import (
    BilledInPeriod,
    BillRun,
    ChangedPeriod,
    ExceptionsHealed,
    GroupInvoice,
    GroupSeed,
    HeldDelivery,
    Invoice,
    IssuedInPeriod,
    NewException,
    OpenExceptions,
    OwedPeriod,
    PeriodLockChange,
    QueuedException,
    Receivable,
    ResolvedException,
    SourceDay,
    StoredDocument,
    StoredLine,
    TouchlessInPeriod,
)
from invoice_svc.domain.billing.balance import BalanceEntry, InvoiceBalance
from invoice_svc.domain.billing.grouping import GroupKey
from invoice_svc.domain.billing.history import EntryCause, RecordedEntry
from invoice_svc.domain.billing.payments import Payment
from invoice_svc.domain.billing.statement import BilledInvoice
from invoice_svc.domain.close.billing_status import BillingFacts
from invoice_svc.domain.ledger.records import Billability, BillingConfig, DeliveryKey, DeliveryRecord
from invoice_svc.domain.ledger.sources import BillingSource, ServiceDay
from invoice_svc.domain.pricing import Delivery, DraftLine
from mediabill_common.consumer import Parking
from mediabill_common.events.catalog import Payload
from mediabill_common.events.config_state import AccountState, ContractState, DeliverySourceState, ProductState
from mediabill_common.events.envelope import Envelope
from mediabill_common.trends import TrendCell

ConfigKind = Literal["product", "account", "contract"]


class LostClaim(Exception):
    """Another executor took the run over (this one's heartbeat went stale): stop without writing."""


class Ledger(Protocol):
    """The usage ledger: every revision received and each delivery's current figures and billability."""

    async def record_batch(self, revisions: Sequence[DeliveryRecord],
                           current: Mapping[DeliveryKey, tuple[int, Billability]]) -> dict[DeliveryKey, bool]: ...

    async def held_referencing(self, reference: ConfigKind, key: str) \
        -> list[tuple[DeliveryRecord, tuple[str, ...]]]: ...

    async def set_billability(self, verdicts: Sequence[tuple[DeliveryKey, tuple[str, ...]]],
                              shadow: Collection[DeliveryKey] = ()) -> None: ...

    async def of_product_from(self, code: str, from_day: date) \
        -> list[tuple[DeliveryRecord, tuple[str, ...], bool]]: ...

    async def billing_sources(self, days: Collection[ServiceDay]) -> dict[ServiceDay, BillingSource]: ...


class ConfigReadModel(Protocol):
    """Products, accounts and contracts as billing.config.v1 carried them (only a newer state_version is kept)."""

    async def lock_shared(self, products: Iterable[str], accounts: Iterable[str], contracts: Iterable[str]) \
        -> None: ...

    async def lock_exclusive(self, kind: ConfigKind, key: str) -> None: ...

    async def save_product(self, product: ProductState, state_version: int) -> bool: ...

    async def save_account(self, account: AccountState, state_version: int) -> bool: ...

    async def save_contract(self, contract: ContractState, state_version: int) -> bool: ...

    async def save_delivery_source(self, source: DeliverySourceState, state_version: int) -> bool: ...

    async def event_sources_of(self, source_systems: Collection[str]) -> dict[str, tuple[str, ...]]: ...

    async def any_delivery_source(self) -> bool:
        """Whether any delivery source is registered (from then on, unregistered source systems are refused)."""
        ...

    async def load(self, products: Iterable[str], accounts: Iterable[str], contracts: Iterable[str]) \
        -> BillingConfig: ...


class Crosswalks(Protocol):
    """Each delivery source's line item ids mapped to ours (oversight.md O1)."""

    async def of_source(self, source_system: str) -> dict[str, str]: ...

    async def replace(self, source_system: str, line_items: Mapping[str, str]) -> None: ...

    async def mapped(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """Our line item id for each (source_system, their line item id) of `keys` a crosswalk maps."""
        ...

    async def lock_shared_line_items(self, line_items: Collection[str]) -> None:
        """Lock, until the transaction ends, those of our `line_items` that a crosswalk maps another source's ids
        to: records of such a line item may come on several partitions at once, and the first-seen rule must
        decide each of its days in one transaction at a time."""
        ...


class ExceptionQueue(Protocol):
    """The billing exception queue: one unresolved exception per dedupe key."""

    async def insert_open(self, items: Sequence[NewException]) -> dict[str, datetime]: ...

    async def open_id_for_key(self, dedupe_key: str) -> str | None: ...

    async def open_ids_for_keys(self, dedupe_keys: Sequence[str]) -> dict[str, str]: ...

    async def resolved_with_ref(self, dedupe_key: str, name: str, value: str) -> bool:
        """Whether an exception of this key was resolved while its ref `name` was `value`."""
        ...

    async def resolve_open_for_deliveries(self, verdicts: Sequence[tuple[DeliveryKey, tuple[str, ...]]],
                                          kinds_in_scope: Sequence[str], *, resolved_by: str,
                                          resolution: str) -> list[ResolvedException]: ...

    async def get(self, exception_id: str, *, for_update: bool = False) -> QueuedException | None: ...

    async def mark_assigned(self, exception_id: str, assignee: str) -> QueuedException: ...

    async def mark_resolved(self, exception_id: str, resolved_by: str, resolution: str,
                            root_cause: str | None) -> QueuedException: ...


class Receivables(Protocol):
    """Issued invoices' receivables: the entries (memos, payments, dispute events) and the balance they make."""

    async def for_update(self, invoice_id: str) -> Receivable | None: ...

    async def record_entry(self, invoice_id: str, entry: BalanceEntry, *, applied: bool, event_id: str,
                           cause: EntryCause | None = None) -> bool: ...

    async def recorded_entries(self, invoice_id: str) -> list[RecordedEntry]: ...

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


class BillRuns(Protocol):
    """The queue of bill runs: requested, claimed by one executor at a time, their progress and outcome."""

    async def add(self, run_id: str, period: str, mode: str, bill_to_account_ids: Sequence[str] | None,
                  requested_by: str, source_system: str | None = None) -> BillRun: ...

    async def claim_next(self, executor_id: str, stale_after_s: float) -> BillRun | None: ...

    async def save_shadow_drafts(self, run_id: str, drafts: Sequence[dict[str, Any]]) -> None:
        """Write a shadow preview's drafts under its run id, replacing what an earlier attempt wrote for them."""
        ...

    async def fix_snapshot(self, run_id: str) -> datetime: ...

    async def record_progress(self, run: BillRun, *, groups_total: int | None = None, groups_done: int,
                              counts: dict[str, int], totals: dict[str, str], exception_ids: list[str]) -> None:
        """Raises LostClaim when this executor no longer holds the run."""
        ...

    async def finish(self, run: BillRun, status: str, error: str | None = None) -> bool: ...

    async def get(self, run_id: str) -> BillRun | None: ...


class AssuranceRuns(Protocol):
    """The queue of assurance runs (oversight.md O3) and what a run reads: the issued invoices of its periods in
    id order, their lines and the adjustments billed against them, and the ledger revisions each consumed."""

    async def add(self, run_id: str, periods: Sequence[str], requested_by: str) -> AssuranceRun: ...

    async def claim_next(self, executor_id: str, stale_after_s: float) -> AssuranceRun | None: ...

    async def record_progress(self, run: AssuranceRun, *, invoices_total: int | None, after_invoice_id: str | None,
                              counts: Mapping[str, int], totals: Mapping[str, Mapping[str, str]],
                              exception_ids: Sequence[str]) -> None:
        """Raises LostClaim when this executor no longer holds the run."""
        ...

    async def finish(self, run: AssuranceRun, status: str, error: str | None = None) -> bool: ...

    async def get(self, run_id: str) -> AssuranceRun | None: ...

    async def count_issued(self, periods: Sequence[str]) -> int: ...

    async def issued_after(self, periods: Sequence[str], after_invoice_id: str, limit: int) \
        -> list[CheckedInvoice]: ...

    async def lines_of(self, invoices: Sequence[CheckedInvoice]) \
        -> tuple[dict[str, list[DraftLine]], dict[str, list[DraftLine]]]: ...

    async def billed_before_created(self, invoice: CheckedInvoice) -> dict[str, Decimal]: ...

    async def changed_since_reconciled(self, invoices: Sequence[CheckedInvoice], *, start: date,
                                       end: date) -> set[str]: ...

    async def consumed_deliveries(self, invoices: Sequence[CheckedInvoice], *, start: date, end: date,
                                  split_products: Sequence[str], at: datetime | None = None) \
        -> dict[str, list[Delivery]]: ...


class LedgerSnapshot(Protocol):
    """What a bill run reads as of its snapshot: the groups to bill, their deliveries summed per contract line, what
    was billed before, the parties' stored states and rule 13's changed periods."""

    async def product_codes(self) -> list[str]: ...

    async def run_groups(self, period: str, start: date, end: date, snap: datetime) -> list[GroupSeed]: ...

    async def tune_for_aggregation(self) -> None: ...

    async def aggregated_deliveries(self, *, contract_ids: Sequence[str], self_serve: Sequence[str], start: date,
                                    end: date, snap: datetime, split_products: Sequence[str],
                                    as_if_source: str | None = None) -> dict[str, list[Delivery]]: ...

    async def billed_before(self, keys: Sequence[GroupKey]) -> dict[GroupKey, dict[str, Decimal]]: ...

    async def changed_issued_periods(self, keys: Sequence[GroupKey], snap: datetime) -> list[ChangedPeriod]: ...

    async def lines_billed_for(self, invoice_numbers: Sequence[str]) -> dict[str, list[DraftLine]]: ...

    async def owed_by_closed_periods(self, period: str, snap: datetime) -> list[OwedPeriod]: ...

    async def owed_lines_billed(self, periods: Sequence[str], contract_keys: Sequence[str]) \
        -> dict[tuple[str, str, str], list[DraftLine]]: ...

    async def party_states(self, account_ids: Sequence[str], contract_ids: Sequence[str]) \
        -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]: ...


class Invoices(Protocol):
    """Invoices and their lines: a bill run's writes (gapless numbers, COPY), reads, void."""

    async def lock_period(self, period: str) -> None: ...

    async def take_numbers(self, year: int, count: int) -> int: ...

    async def current_of_groups(self, keys: Sequence[GroupKey]) -> dict[GroupKey, list[GroupInvoice]]: ...

    async def delete_drafts(self, invoice_ids: Sequence[str]) -> int: ...

    async def insert_invoices(self, rows: Sequence[dict[str, Any]], lines: Sequence[dict[str, Any]]) -> None:
        """Write invoices and their lines, each a dict of column values (COPY)."""
        ...

    async def mark_reconciled(self, invoice_ids: Sequence[str], through: datetime) -> None: ...

    async def get(self, invoice_id: str, *, for_update: bool = False) -> Invoice | None: ...

    async def lines_of(self, invoice_ids: Sequence[str]) -> dict[str, list[StoredLine]]: ...

    async def mark_void(self, invoice_id: str, *, by: str, reason: str) -> Invoice: ...

    async def reopen_adjusted_periods(self, invoice_id: str) -> None: ...


class IssuedDocuments(Protocol):
    """Issued invoices' documents: rendered once, stored with their SHA-256, never changed."""

    async def get(self, invoice_id: str) -> StoredDocument | None: ...

    async def keep_first(self, invoice_id: str, pdf: bytes, sha256: str) -> StoredDocument:
        """Store the document unless one is stored already; the stored one either way."""
        ...

    async def issued_without_document(self, limit: int) -> list[str]:
        """Issued (or since voided) invoices whose document is not stored yet, newest first."""
        ...


class StatementReads(Protocol):
    """What a statement of account reads: the account's issued invoices and their entries before a cut-off."""

    async def billed_invoices(self, account_id: str, as_of: date) -> list[BilledInvoice]: ...

    async def entries_before(self, invoice_ids: Sequence[str], cutoff: datetime) \
        -> dict[str, list[RecordedEntry]]: ...


class BillingFigures(Protocol):
    """The sums behind the billing KPIs."""

    async def billed_by_period(self, period_from: str, period_to: str) -> list[BilledInPeriod]: ...

    async def open_exceptions(self) -> list[OpenExceptions]: ...

    async def touchless_by_period(self, period_from: str, period_to: str) -> list[TouchlessInPeriod]: ...

    async def exceptions_healed(self, start: datetime, end: datetime) -> ExceptionsHealed: ...


class PeriodLocks(Protocol):
    """The periods accounting-svc closed (close.md C12): their latest PeriodClosed / PeriodReopened."""

    async def hold(self, period: str) -> None:
        """Serialise with the bill runs writing the period (the lock their chunks take)."""
        ...

    async def record(self, change: PeriodLockChange) -> None: ...

    async def closed_among(self, periods: Sequence[str]) -> set[str]: ...

    async def get(self, period: str) -> PeriodLockChange | None: ...


class MonthEndFigures(Protocol):
    """The month-end reads: a period's billing facts and issued documents, deliveries held from billing, stored
    unbilled snapshots."""

    async def billing_facts(self, period: str, start: date, end: date) -> BillingFacts: ...

    async def issued_in_period(self, period: str) -> list[IssuedInPeriod]: ...

    async def held_deliveries(self, end: date) -> list[HeldDelivery]: ...

    async def open_exceptions_of_deliveries(self, start: date, end: date) -> list[OpenExceptions]:
        """Unresolved exceptions raised on deliveries dated from `start` to `end`, summed as the KPIs sum them."""
        ...

    async def save_snapshot(self, snapshot_id: str, period: str, by: str, at: datetime, body: str) -> None: ...

    async def snapshot(self, snapshot_id: str) -> dict[str, Any] | None: ...


class VarianceFigures(Protocol):
    """What the variance report reads beside the bill run's snapshot reads."""

    async def contracts_in_flight(self, start: date, end: date) -> list[tuple[str, dict[str, Any]]]: ...

    async def billed_by_line(self, contract_ids: Sequence[str], period: str) \
        -> dict[tuple[str, str], tuple[Decimal, Decimal]]: ...

    async def collected(self, contract_ids: Sequence[str], period: str) -> list[dict[str, Any]]: ...


class MeasurementFigures(Protocol):
    """What the first- vs third-party measurement reconciliation reads beside the bill run's snapshot reads."""

    async def contracts_in_flight(self, start: date, end: date) -> list[tuple[str, dict[str, Any]]]: ...

    async def billed_quantity_by_line(self, contract_ids: Sequence[str], period: str) \
        -> dict[tuple[str, str], tuple[Decimal, Decimal, int]]: ...


class SourceDays(Protocol):
    """What the source reconciliation reads: each source's records of a period per (contract, line item, date)."""

    async def source_days(self, sources: Sequence[str], start: date, end: date, *, product_code: str | None,
                          contract_id: str | None) -> list[SourceDay]: ...

    async def shadow_only_days(self, start: date, end: date) -> list[tuple[str, str, date, str | None, str, str]]: ...

    async def supplied_missing_days(self) -> list[str]: ...


class InvoiceUnit(Protocol):
    """One transaction of invoice-svc's consumer (and whatever applies or replays its events): the repositories its
    handlers use, bound to it, its outbox, audit trail and parking lot. Handlers never commit; the unit's owner does."""

    @property
    def ledger(self) -> Ledger: ...

    @property
    def config(self) -> ConfigReadModel: ...

    @property
    def crosswalks(self) -> Crosswalks: ...

    @property
    def exceptions(self) -> ExceptionQueue: ...

    @property
    def receivables(self) -> Receivables: ...

    @property
    def parking(self) -> Parking: ...

    @property
    def periods(self) -> PeriodLocks: ...

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


class BillingUnit(InvoiceUnit, Protocol):
    """One transaction of a bill run or an invoice request: the consumer's unit and invoices, bill runs and the
    snapshot reads a run prices from."""

    @property
    def invoices(self) -> Invoices: ...

    @property
    def bill_runs(self) -> BillRuns: ...

    @property
    def snapshot(self) -> LedgerSnapshot: ...

    @property
    def documents(self) -> IssuedDocuments: ...

    @property
    def statements(self) -> StatementReads: ...

    @property
    def assurance(self) -> AssuranceRuns: ...

    def wire_envelope(self, event_type: str, *, subject: str, data: dict[str, Any],
                      event_id: str | None = None) -> Envelope:
        """A catalogued event whose `data` is already in its wire form, not validated again (a bill run issues
        100,000s of invoices; a unit test validates what builds such data against the catalog model); with a
        fresh id unless `event_id` is one."""
        ...


class ExceptionTrendFigures(Protocol):
    """The raw figures behind GET /v1/trends (oversight.md O4)."""

    async def trend_cells(self, start: datetime, end: datetime, by: str,
                          account_id: str | None) -> list[TrendCell]:
        """Billing exceptions raised in [start, end) per (group, month raised, currency): count, value held back."""
        ...

    async def deliveries_ingested_by_month(self, start: datetime, end: datetime,
                                           account_id: str | None) -> dict[str, int]:
        """Deliveries first received in [start, end), per month (the exceptions' denominator)."""
        ...
