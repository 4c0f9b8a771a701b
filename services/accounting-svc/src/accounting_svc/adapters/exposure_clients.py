"""HTTP adapters of the OpenAmountsService port: dispute-svc's open disputes and adjustment-svc's pending credit
requests, read page by page with a short-lived `service` token (close.md C10, informational items)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from accounting_svc.adapters.service_call import json_object
from accounting_svc.app.ports import ServiceUnavailable
from accounting_svc.domain.exposure import OpenAmounts
from mediabill_common.auth.service_token import ServiceToken

PAGE_SIZE = 500  # the list conventions' largest page
MAX_PAGES = 20  # beyond 10,000 open items per status the item says "at least"

Pick = Callable[[dict[str, Any]], tuple[str, Decimal] | None]


def disputed_amount(item: dict[str, Any]) -> tuple[str, Decimal] | None:
    """An open or in-review dispute: the amount contested, in the invoice's currency."""
    return str(item["currency"]), Decimal(str(item["amount"]))


def requested_credit(item: dict[str, Any]) -> tuple[str, Decimal] | None:
    """A pending adjustment request: its total when it is a credit (what the customer would get back)."""
    if item.get("kind") != "credit":
        return None
    return str(item["currency"]), Decimal(str(item["total"]))


class HttpOpenAmounts:
    """Lists `path` with each of `statuses`, following `next_cursor`, and picks (currency, amount) per item; any
    failure (unreachable, an error status, an answer not shaped as a page) becomes ServiceUnavailable."""

    def __init__(self, client: httpx.AsyncClient, *, service: str, path: str, statuses: list[str], pick: Pick,
                 jwt_secret: str, subject: str = "accounting-svc") -> None:
        self._client, self._service, self._path, self._statuses, self._pick = client, service, path, statuses, pick
        self._token = ServiceToken(sub=subject, secret=jwt_secret)

    async def open_amounts(self) -> OpenAmounts:
        amounts: list[tuple[str, Decimal]] = []
        partial = False
        for status in self._statuses:
            cursor: str | None = None
            for _ in range(MAX_PAGES):
                page = await self._page(status, cursor)
                try:
                    amounts.extend(a for a in map(self._pick, page["items"]) if a is not None)
                except (KeyError, TypeError, InvalidOperation) as exc:
                    raise ServiceUnavailable(f"{self._service} answered {self._path} with an item not as "
                                             f"documented: {type(exc).__name__} {exc}") from exc
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            else:
                partial = True
        return OpenAmounts(amounts, partial)

    async def _page(self, status: str, cursor: str | None) -> dict[str, Any]:
        params: dict[str, str | int] = {"status": status, "limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        page = await json_object(self._client, self._token, "GET", self._path, params=params, service=self._service,
                                 unavailable=ServiceUnavailable)
        if not isinstance(page.get("items"), list):
            raise ServiceUnavailable(f"{self._service} answered GET {self._path} with no page of items")
        return page


def open_disputes(client: httpx.AsyncClient, *, jwt_secret: str, subject: str) -> HttpOpenAmounts:
    return HttpOpenAmounts(client, service="dispute-svc", path="/v1/disputes", statuses=["open", "in_review"],
                           pick=disputed_amount, jwt_secret=jwt_secret, subject=subject)


def pending_credit_requests(client: httpx.AsyncClient, *, jwt_secret: str, subject: str) -> HttpOpenAmounts:
    return HttpOpenAmounts(client, service="adjustment-svc", path="/v1/adjustments", statuses=["pending_approval"],
                           pick=requested_credit, jwt_secret=jwt_secret, subject=subject)
