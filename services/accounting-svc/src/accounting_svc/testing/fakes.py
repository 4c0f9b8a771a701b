"""In-memory services for close tests: invoice-svc's billing status and unbilled snapshots, and the open amounts
dispute-svc and adjustment-svc report, as configured."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from accounting_svc.adapters.invoice_client import snapshot_of
from accounting_svc.app.ports import InvoiceServiceUnavailable, ServiceUnavailable, UnbilledSnapshot
from accounting_svc.domain.exposure import OpenAmounts


@dataclass
class FakeInvoiceService:
    """Answers as invoice-svc would: `status` per period (GET billing-status), `unbilled` rows per period (what a
    POST /v1/unbilled-snapshots stores); `down` makes every call fail, `snapshots_down` only the snapshots."""

    status: dict[str, dict[str, Any]] = field(default_factory=dict)
    unbilled: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    down: bool = False
    snapshots_down: bool = False
    snapshots: list[str] = field(default_factory=list)

    async def billing_status(self, period: str) -> dict[str, Any]:
        if self.down:
            raise InvoiceServiceUnavailable("invoice-svc unreachable: ConnectError")
        return self.status.get(period, {"period": period, "complete": False, "reasons": ["no issue run"],
                                        "documents": []})

    async def take_unbilled_snapshot(self, period: str) -> UnbilledSnapshot:
        if self.down or self.snapshots_down:
            raise InvoiceServiceUnavailable("invoice-svc unreachable: ConnectError")
        snapshot_id = str(uuid.uuid4())
        self.snapshots.append(snapshot_id)
        return snapshot_of({"snapshot_id": snapshot_id, "period": period, "lines": self.unbilled.get(period, []),
                            "unpriced": []}, period)


@dataclass
class FakeOpenAmounts:
    """Answers as dispute-svc's open disputes or adjustment-svc's pending credit requests would: `amounts` as
    (currency, amount) per open item; `down` makes the read fail."""

    amounts: list[tuple[str, Decimal]] = field(default_factory=list)
    down: bool = False

    async def open_amounts(self) -> OpenAmounts:
        if self.down:
            raise ServiceUnavailable("dispute-svc unreachable: ConnectError")
        return OpenAmounts(list(self.amounts))
