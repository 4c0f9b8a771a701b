"""The values assurance runs pass across their ports (app/ports.py): a run as the queue holds it, an issued invoice
as a run checks it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class AssuranceRun:
    """An assurance run: what was requested, who runs it, how far it got (`counts`, `totals` per currency)."""

    run_id: str
    periods: list[str]
    status: str
    requested_by: str
    requested_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    finished_at: datetime | None
    claimed_by: str | None
    attempts: int
    invoices_total: int | None
    after_invoice_id: str | None
    counts: dict[str, int]
    totals: dict[str, dict[str, str]]
    exception_ids: list[str]
    error: str | None


@dataclass(frozen=True, slots=True)
class CheckedInvoice:
    """An issued invoice as an assurance run re-prices it."""

    invoice_id: str
    invoice_number: str
    bill_to_account_id: str
    account_id: str
    contract_key: str
    period: str
    currency: str
    created_at: datetime
    # Every ledger change up to here is billed (by the invoice, or by adjustments later billed against it).
    reconciled_through: datetime
    pricing_inputs: dict[str, Any] | None
    credited: Decimal
    debited: Decimal
