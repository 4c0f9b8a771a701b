"""HTTP adapter of the InvoiceService port: invoice-svc's billing status (C10) and unbilled snapshots (C9)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from accounting_svc.adapters.service_call import json_object
from accounting_svc.app.ports import InvoiceServiceUnavailable, UnbilledSnapshot
from accounting_svc.domain.documents import UnbilledLine
from mediabill_common.auth.service_token import ServiceToken


def _amount(item: dict[str, Any], name: str) -> Decimal:
    value = item.get(name)
    return Decimal(str(value)) if value is not None else Decimal(0)


def unbilled_line(item: dict[str, Any]) -> UnbilledLine:
    """One priced group of the snapshot; amounts signed as on an invoice (a discount is negative, a restatement
    that lowers a period is negative gross)."""
    return UnbilledLine(
        bill_to_account_id=item.get("bill_to_account_id"), account_id=item.get("account_id"),
        contract_id=item.get("contract_id"), product_code=item.get("product_code"),
        gl_revenue_account=item.get("gl_revenue_account"), currency=str(item["currency"]),
        gross=_amount(item, "gross"), discount=_amount(item, "discount"),
        commission=_amount(item, "commission"))


def snapshot_of(body: dict[str, Any], period: str) -> UnbilledSnapshot:
    """invoice-svc's stored snapshot (POST /v1/unbilled-snapshots): its priced `lines` (accrued) and its `unpriced`
    items (listed, not accrued)."""
    priced = [unbilled_line(row) for row in body.get("lines", [])]
    unpriced = list(body.get("unpriced", []))
    return UnbilledSnapshot(str(body["snapshot_id"]), str(body.get("period") or period),
                            priced, unpriced)


class HttpInvoiceService:
    """Calls invoice-svc with a short-lived `service` token; every failure becomes InvoiceServiceUnavailable."""

    def __init__(self, client: httpx.AsyncClient, *, jwt_secret: str, subject: str = "accounting-svc") -> None:
        self._client = client
        self._token = ServiceToken(sub=subject, secret=jwt_secret)

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        return await json_object(self._client, self._token, method, path, body=body, service="invoice-svc",
                                 unavailable=InvoiceServiceUnavailable)

    async def billing_status(self, period: str) -> dict[str, Any]:
        return await self._call("GET", f"/v1/periods/{period}/billing-status")

    async def take_unbilled_snapshot(self, period: str) -> UnbilledSnapshot:
        return snapshot_of(await self._call("POST", "/v1/unbilled-snapshots", {"period": period}), period)
