"""In-memory fakes of invoice-svc's ports (app/ports.py), held by a unit the handlers take like the real one.
Parked events replay through the real handler table."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.app.handlers import HANDLERS
from invoice_svc.app.ports import ConfigKind
from invoice_svc.app.stored import NewException, PeriodLockChange, QueuedException, Receivable, ResolvedException
from invoice_svc.domain.billing.balance import BalanceEntry, InvoiceBalance
from invoice_svc.domain.billing.history import EntryCause, RecordedEntry
from invoice_svc.domain.billing.payments import Payment
from invoice_svc.domain.ledger.records import Billability, BillingConfig, DeliveryKey, DeliveryRecord, delivery_key
from invoice_svc.domain.ledger.sources import SOURCE_CONFLICT, BillingSource, ServiceDay, service_day
from mediabill_common.consumer import Event, Parking, ParkingLot
from mediabill_common.db import define_common_tables
from mediabill_common.events.catalog import Payload
from mediabill_common.events.config_state import AccountState, ContractState, DeliverySourceState, ProductState
from mediabill_common.events.envelope import Envelope
from mediabill_common.outbox.writer import OutboxWriter

NOW = datetime(2025, 7, 1, 12, tzinfo=UTC)


class FakeLot(ParkingLot):
    """The parking lot's table: (waiting_for, envelope) in arrival order."""

    def __init__(self) -> None:  # no table: the lot is this list
        self.parked: list[tuple[str, Envelope]] = []

    async def park(self, session: AsyncSession, envelope: Envelope, *, waiting_for: str) -> None:
        self.parked.append((waiting_for, envelope))

    async def release(self, session: AsyncSession, waiting_for: str) -> list[Envelope]:
        released = [e for w, e in self.parked if w == waiting_for]
        self.parked = [(w, e) for w, e in self.parked if w != waiting_for]
        return released


class FakeLedger:
    """Current figures and exception kinds per delivery (source_system, delivery_id), the shadow ones, and every
    revision received."""

    def __init__(self) -> None:
        self.current: dict[DeliveryKey, tuple[DeliveryRecord, tuple[str, ...]]] = {}
        self.shadow: set[DeliveryKey] = set()
        self.revisions: dict[tuple[str, str, int], DeliveryRecord] = {}
        self.rechecks: list[tuple[str, str]] = []

    def of(self, delivery_id: str, source_system: str = "pio") -> tuple[DeliveryRecord, tuple[str, ...]]:
        """The current record and kinds of a delivery (tests name deliveries by id; "pio" is the usual source)."""
        return self.current[(source_system, delivery_id)]

    async def record_batch(self, revisions: Sequence[DeliveryRecord],
                           current: Mapping[DeliveryKey, tuple[int, Billability]]) -> dict[DeliveryKey, bool]:
        for record in revisions:
            self.revisions.setdefault((record.source_system, record.delivery_id, record.revision), record)
        applied = {}
        for key, (index, verdict) in current.items():
            record, held = revisions[index], self.current.get(key)
            if held is not None and held[0].revision >= record.revision:
                continue
            self.current[key] = (record, verdict.kinds)
            self._mark(key, verdict.shadow)
            if held is not None or verdict.kinds:  # as the ledger's statement: billable/shadow inserts unreported
                applied[key] = held is None
        return applied

    def _mark(self, key: DeliveryKey, shadow: bool) -> None:
        if shadow:
            self.shadow.add(key)
        else:
            self.shadow.discard(key)

    async def held_referencing(self, reference: ConfigKind, key: str) -> list[tuple[DeliveryRecord, tuple[str, ...]]]:
        self.rechecks.append((reference, key))
        column = {"product": "product_code", "account": "account_id", "contract": "contract_id"}[reference]
        return [(r, kinds) for r, kinds in sorted(self.current.values())
                if kinds and delivery_key(r) not in self.shadow and getattr(r, column) == key]

    async def set_billability(self, verdicts: Sequence[tuple[DeliveryKey, tuple[str, ...]]],
                              shadow: Collection[DeliveryKey] = ()) -> None:
        for key, kinds in verdicts:
            self.current[key] = (self.current[key][0], kinds)
            self._mark(key, key in shadow)

    async def of_product_from(self, code: str, from_day: date) -> list[tuple[DeliveryRecord, tuple[str, ...], bool]]:
        """Insertion order stands for arrival: per service day, the first-seen billing record first."""
        mine = [(r, kinds, delivery_key(r) in self.shadow) for r, kinds in self.current.values()
                if r.product_code == code and r.delivery_date >= from_day]
        return sorted(mine, key=lambda h: (h[0].line_item_id, h[0].delivery_date,
                                           h[2] or SOURCE_CONFLICT in h[1]))

    async def billing_sources(self, days: Collection[ServiceDay]) -> dict[ServiceDay, BillingSource]:
        # dicts keep insertion order: the first delivery recorded for a day is the first seen
        found: dict[ServiceDay, BillingSource] = {}
        for record, kinds in self.current.values():
            if SOURCE_CONFLICT not in kinds and delivery_key(record) not in self.shadow \
                    and service_day(record) in days:
                found.setdefault(service_day(record), BillingSource(record.source_system, record.delivery_id))
        return found


class FakeConfig:
    """The read model: the newest state of each product, account and contract, and the locks taken."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], tuple[int, Any]] = {}
        self.calls: list[tuple[Any, ...]] = []

    async def lock_shared(self, products: Iterable[str], accounts: Iterable[str], contracts: Iterable[str]) -> None:
        self.calls.append(("lock_shared", sorted(products), sorted(accounts), sorted(contracts)))

    async def lock_exclusive(self, kind: ConfigKind, key: str) -> None:
        self.calls.append(("lock_exclusive", kind, key))

    def _save(self, kind: str, key: str, state: Any, version: int) -> bool:
        self.calls.append(("save", kind, key, version))
        held = self.states.get((kind, key))
        if held is not None and held[0] >= version:
            return False
        self.states[(kind, key)] = (version, state)
        return True

    async def save_product(self, product: ProductState, state_version: int) -> bool:
        return self._save("product", product.code, product, state_version)

    async def save_account(self, account: AccountState, state_version: int) -> bool:
        return self._save("account", account.account_id, account, state_version)

    async def save_contract(self, contract: ContractState, state_version: int) -> bool:
        return self._save("contract", contract.contract_id, contract, state_version)

    async def save_delivery_source(self, source: DeliverySourceState, state_version: int) -> bool:
        return self._save("delivery_source", source.source_system, source, state_version)

    async def any_delivery_source(self) -> bool:
        return any(kind == "delivery_source" for kind, _ in self.states)

    async def event_sources_of(self, source_systems: Collection[str]) -> dict[str, tuple[str, ...]]:
        return {k: tuple(state.event_sources) for (kind, k), (_, state) in self.states.items()
                if kind == "delivery_source" and k in source_systems}

    async def load(self, products: Iterable[str], accounts: Iterable[str], contracts: Iterable[str]) \
            -> BillingConfig:
        self.calls.append(("load",))

        def of(kind: str, keys: Iterable[str]) -> dict[str, Any]:
            return {k: self.states[(kind, k)][1] for k in keys if (kind, k) in self.states}

        return BillingConfig(of("product", products), of("account", accounts), of("contract", contracts))


class FakeExceptions:
    """The queue: one unresolved exception per dedupe key."""

    def __init__(self) -> None:
        self.queue: dict[str, QueuedException] = {}

    def unresolved(self, kind: str | None = None) -> list[QueuedException]:
        return [x for x in self.queue.values() if x.status != "resolved" and kind in (None, x.kind)]

    async def insert_open(self, items: Sequence[NewException]) -> dict[str, datetime]:
        opened = {}
        for item in items:
            held = next((x for x in self.unresolved() if x.dedupe_key == item.dedupe_key), None)
            if held is not None:
                self.queue[held.exception_id] = replace(
                    held, refs=item.refs, amount_at_risk=item.amount_at_risk,
                    over_delivery_value=item.over_delivery_value, quantity=item.quantity, unit=item.unit)
                continue
            self.queue[item.exception_id] = QueuedException(
                item.exception_id, item.kind, "open", item.dedupe_key, item.account_id, item.delivery_id, item.refs,
                item.amount_at_risk, item.currency, NOW, None, None, None, None, None, 1,
                item.over_delivery_value, item.quantity, item.unit, source_system=item.source_system)
            opened[item.exception_id] = NOW
        return opened

    async def open_id_for_key(self, dedupe_key: str) -> str | None:
        return next((x.exception_id for x in self.unresolved() if x.dedupe_key == dedupe_key), None)

    async def open_ids_for_keys(self, dedupe_keys: Sequence[str]) -> dict[str, str]:
        return {x.dedupe_key: x.exception_id for x in self.unresolved() if x.dedupe_key in dedupe_keys}

    async def resolved_with_ref(self, dedupe_key: str, name: str, value: str) -> bool:
        return any(x.status == "resolved" and x.dedupe_key == dedupe_key and x.refs.get(name) == value
                   for x in self.queue.values())

    async def resolve_open_for_deliveries(self, verdicts: Sequence[tuple[DeliveryKey, tuple[str, ...]]],
                                          kinds_in_scope: Sequence[str], *, resolved_by: str,
                                          resolution: str) -> list[ResolvedException]:
        kinds_now = dict(verdicts)
        resolved = []
        for x in self.unresolved():
            key = (x.source_system or "", x.delivery_id or "")
            if key in kinds_now and x.kind in kinds_in_scope and x.kind not in kinds_now[key]:
                resolved.append(await self.mark_resolved(x.exception_id, resolved_by, resolution, "system_resolved"))
        return [ResolvedException(x.exception_id, x.account_id, NOW) for x in resolved]

    async def get(self, exception_id: str, *, for_update: bool = False) -> QueuedException | None:
        return self.queue.get(exception_id)

    async def mark_assigned(self, exception_id: str, assignee: str) -> QueuedException:
        x = self.queue[exception_id] = replace(self.queue[exception_id], status="assigned", assignee=assignee)
        return x

    async def mark_resolved(self, exception_id: str, resolved_by: str, resolution: str,
                            root_cause: str | None) -> QueuedException:
        x = self.queue[exception_id] = replace(self.queue[exception_id], status="resolved", resolved_at=NOW,
                                               resolved_by=resolved_by, resolution=resolution,
                                               root_cause=root_cause)
        return x


class FakeReceivables:
    """Issued invoices, the entries recorded on them (once per kind and id) and the balances kept."""

    def __init__(self, lot: FakeLot) -> None:
        self.invoices: dict[str, Receivable] = {}
        self.entries: dict[str, list[tuple[BalanceEntry, bool]]] = {}
        self.recorded: dict[str, list[RecordedEntry]] = {}
        self.balances: dict[str, InvoiceBalance] = {}
        self._lot = lot

    def issue(self, invoice: Receivable) -> None:
        self.invoices[invoice.invoice_id] = invoice

    async def for_update(self, invoice_id: str) -> Receivable | None:
        return self.invoices.get(invoice_id)

    async def record_entry(self, invoice_id: str, entry: BalanceEntry, *, applied: bool, event_id: str,
                           cause: EntryCause | None = None) -> bool:
        if any((e.kind, e.entry_id) == (entry.kind, entry.entry_id) for held in self.entries.values()
               for e, _ in held):
            return False
        self.entries.setdefault(invoice_id, []).append((entry, applied))
        self.recorded.setdefault(invoice_id, []).append(
            RecordedEntry(entry, applied, event_id, cause, datetime.now(UTC)))
        return True

    async def recorded_entries(self, invoice_id: str) -> list[RecordedEntry]:
        return list(self.recorded.get(invoice_id, []))

    async def recorded_payment(self, payment_id: str) -> Payment | None:
        for invoice_id, held in self.entries.items():
            for e, _ in held:
                if (e.kind, e.entry_id) == ("payment", payment_id):
                    invoice = self.invoices[invoice_id]
                    return Payment(payment_id, invoice_id, invoice.bill_to_account_id, e.amount, e.currency)
        return None

    async def entries_of(self, invoice_id: str) -> list[BalanceEntry]:
        return [e for e, _ in self.entries.get(invoice_id, [])]

    async def save_balance(self, invoice_id: str, balance: InvoiceBalance) -> None:
        self.balances[invoice_id] = balance

    async def awaited(self, invoice_ids: Sequence[str]) -> list[str]:
        return sorted({w for w, _ in self._lot.parked if w in invoice_ids})

    async def awaited_and_known(self) -> list[str]:
        return await self.awaited(list(self.invoices))

    async def waiting_longer_than(self, seconds: float) -> list[tuple[str, Envelope]]:
        return list(self._lot.parked)  # the fake keeps no clock: whatever waits has waited long enough


class FakePeriodLocks:
    """The latest PeriodClosed / PeriodReopened per period."""

    def __init__(self) -> None:
        self.changes: dict[str, PeriodLockChange] = {}
        self.held: list[str] = []

    async def hold(self, period: str) -> None:
        self.held.append(period)

    async def record(self, change: PeriodLockChange) -> None:
        kept = self.changes.get(change.period)
        if kept is None or kept.changed_at <= change.changed_at:
            self.changes[change.period] = change

    async def closed_among(self, periods: Sequence[str]) -> set[str]:
        return {p for p in periods if p in self.changes and self.changes[p].status == "closed"}

    async def get(self, period: str) -> PeriodLockChange | None:
        return self.changes.get(period)


class FakeCrosswalks:
    """Crosswalks per source: their line item id -> ours."""

    def __init__(self) -> None:
        self.by_source: dict[str, dict[str, str]] = {}
        self.locked: set[str] = set()  # the line items a transaction locked for the first-seen rule

    async def of_source(self, source_system: str) -> dict[str, str]:
        return dict(self.by_source.get(source_system, {}))

    async def replace(self, source_system: str, line_items: Mapping[str, str]) -> None:
        self.by_source[source_system] = dict(line_items)

    async def mapped(self, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        return {(s, i): self.by_source[s][i] for s, i in keys if i in self.by_source.get(s, {})}

    async def lock_shared_line_items(self, line_items: Collection[str]) -> None:
        targets = {ours for walk in self.by_source.values() for ours in walk.values()}
        self.locked.update(set(line_items) & targets)


@dataclass
class FakeUnit:
    """An InvoiceUnit over the fakes; what it publishes and audits is kept in order."""

    ledger: FakeLedger = field(default_factory=FakeLedger)
    config: FakeConfig = field(default_factory=FakeConfig)
    crosswalks: FakeCrosswalks = field(default_factory=FakeCrosswalks)
    exceptions: FakeExceptions = field(default_factory=FakeExceptions)
    lot: FakeLot = field(default_factory=FakeLot)
    periods: FakePeriodLocks = field(default_factory=FakePeriodLocks)
    published: list[tuple[str, Envelope]] = field(default_factory=list)
    audited: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.receivables = FakeReceivables(self.lot)
        self.parking = Parking(self.lot, AsyncSession(), self._replay)  # a session bound to nothing: never used
        self._writer = OutboxWriter(define_common_tables(MetaData(schema="fake")).outbox,
                                    source="/mediabill/invoice-svc")

    async def _replay(self, event: Event[Payload]) -> None:
        await HANDLERS.dispatch(event, self)

    def envelope(self, event_type: str, *, subject: str, data: Payload | dict[str, Any],
                 causationid: str | None = None) -> Envelope:
        return self._writer.envelope(event_type, subject=subject, data=data, causationid=causationid)

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload | dict[str, Any],
                      causationid: str | None = None) -> Envelope:
        envelope = self.envelope(event_type, subject=subject, data=data, causationid=causationid)
        self.published.append((key, envelope))
        return envelope

    async def publish_all(self, events: Sequence[tuple[str, Envelope]]) -> None:
        self.published.extend(events)

    async def record_audit(self, **entry: Any) -> None:
        self.audited.append(entry)

    def published_of(self, event_type: str) -> list[dict[str, Any]]:
        return [e.data for _, e in self.published if e.type == event_type]
