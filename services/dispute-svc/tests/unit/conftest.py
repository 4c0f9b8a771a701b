"""In-memory fakes of dispute-svc's ports (app/ports.py), for the handlers' unit tests: a unit whose parking lot
replays through the real handler table, as the consumer's does."""

from __future__ import annotations

from typing import Any

import pytest

from dispute_svc.app.handlers import HANDLERS
from dispute_svc.domain.model import Dispute
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceBalanceChanged, InvoiceIssued, MemoIssued, Payload


class FakeInvoices:
    """The invoice read model; `applied` lists what it was told, in order."""

    def __init__(self) -> None:
        self.issued: dict[str, InvoiceIssued] = {}
        self.memos: set[str] = set()
        self.applied: list[tuple[str, ...]] = []

    async def record_issued(self, issued: InvoiceIssued) -> bool:
        if issued.invoice_id in self.issued:
            return False
        self.issued[issued.invoice_id] = issued
        self.applied.append(("issued", issued.invoice_id))
        return True

    async def exists(self, invoice_id: str) -> bool:
        return invoice_id in self.issued

    async def mark_void(self, invoice_id: str) -> None:
        self.applied.append(("void", invoice_id))

    async def apply_balance(self, change: InvoiceBalanceChanged) -> None:
        self.applied.append(("balance", change.invoice_id, change.status))

    async def record_credit_memo(self, memo: MemoIssued) -> bool:
        if memo.memo_id in self.memos:
            return False
        self.memos.add(memo.memo_id)
        self.applied.append(("memo", memo.memo_id))
        return True


class FakeDisputes:
    def __init__(self) -> None:
        self.held: dict[str, Dispute] = {}
        self.saved: list[str] = []

    async def get(self, dispute_id: str, *, for_update: bool = False) -> Dispute | None:
        return self.held.get(dispute_id)

    async def save(self, dispute: Dispute) -> None:
        self.saved.append(dispute.dispute_id)
        self.held[dispute.dispute_id] = dispute


class FakeConfig:
    """Keeps a state unless the one held is as new or newer, as the port promises."""

    def __init__(self) -> None:
        self.states: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}

    async def keep_newer(self, kind: str, key: str, state_version: int, state: dict[str, Any]) -> bool:
        held = self.states.get((kind, key))
        if held is not None and held[0] >= state_version:
            return False
        self.states[(kind, key)] = (state_version, state)
        return True


class FakeParking:
    def __init__(self, unit: FakeUnit) -> None:
        self._unit = unit
        self.parked: list[tuple[str, Event[Payload]]] = []

    async def park(self, event: Event[Payload], *, waiting_for: str) -> None:
        self.parked.append((waiting_for, event))

    async def replay(self, waiting_for: str) -> int:
        due = [event for waiting, event in self.parked if waiting == waiting_for]
        self.parked = [(waiting, event) for waiting, event in self.parked if waiting != waiting_for]
        for event in due:
            await HANDLERS.dispatch(event, self._unit)
        return len(due)


class FakeUnit:
    def __init__(self) -> None:
        self.invoices = FakeInvoices()
        self.disputes = FakeDisputes()
        self.config = FakeConfig()
        self.sla_policy = None
        self.parking = FakeParking(self)
        self.published: list[dict[str, Any]] = []
        self.audited: list[dict[str, Any]] = []

    async def publish(self, event_type: str, *, key: str, subject: str, data: Payload,
                      causationid: str | None = None) -> None:
        self.published.append({"type": event_type, "key": key, "subject": subject, "data": data,
                               "causationid": causationid})

    async def record_audit(self, **entry: Any) -> None:
        self.audited.append(entry)


@pytest.fixture
def unit() -> FakeUnit:
    return FakeUnit()
