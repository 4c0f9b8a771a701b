"""Ports the use cases depend on; adapters implement them and bootstrap injects them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Protocol


class InvoiceServiceUnavailable(Exception):
    """invoice-svc could not answer (unreachable, timed out, or answered with an error); says which."""


class InvoiceServiceClient(Protocol):
    async def deliveries(self, *, contract_id: str | None, account_id: str | None, date_from: date, date_to: date,
                         line_item_id: str | None = None) -> list[dict[str, Any]]:
        """Every delivery record (with revisions) of the contract (else the account) over the dates, all pages;
        only the line item's when one is given."""

    async def price_simulation(self, request: dict[str, Any]) -> dict[str, Any]:
        """invoice-svc's pure re-price: a draft invoice for the product, contract and deliveries given."""


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
