"""What the load generator works on: real ids found in the running system before the clock starts.

Discovery is plain blocking HTTP (`requests`, which locust already depends on) so it runs unchanged inside the
gevent-patched locust process.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import requests

from mediabill_common.auth.mint import mint_token
from mediabill_common.settings import ServiceSettings

SERVICES = {
    "product-config-svc": ("PRODUCT_CONFIG_SVC_URL", "http://127.0.0.1:8001"),
    "invoice-svc": ("INVOICE_SVC_URL", "http://127.0.0.1:8002"),
    "dispute-svc": ("DISPUTE_SVC_URL", "http://127.0.0.1:8003"),
    "adjustment-svc": ("ADJUSTMENT_SVC_URL", "http://127.0.0.1:8004"),
}
# The people of a billing-ops team (the same ones tools/demo uses), by role.
PEOPLE = {
    "billing-analyst": "ana.analyst@retailer.example",
    "billing-analyst-2": "omar.analyst@retailer.example",
    "billing-manager": "max.manager@retailer.example",
    "config-admin": "carla.config@retailer.example",
}


class Unreachable(Exception):
    """A service did not answer its liveness probe: there is nothing to benchmark."""


def service_urls() -> dict[str, str]:
    return {name: os.environ.get(env, default).rstrip("/") for name, (env, default) in SERVICES.items()}


def tokens() -> dict[str, str]:
    secret = ServiceSettings().jwt_hs256_secret or ""
    return {who: mint_token(sub, [who.removesuffix("-2")], secret=secret, ttl_s=6 * 3600)
            for who, sub in PEOPLE.items()}


def check_reachable(urls: dict[str, str]) -> None:
    for name, url in urls.items():
        try:
            response = requests.get(f"{url}/health/live", timeout=5)
        except requests.RequestException as exc:
            raise Unreachable(f"{name} at {url}: {exc}") from exc
        if response.status_code != 200:
            raise Unreachable(f"{name} at {url}/health/live answered {response.status_code}")


@dataclass
class DisputableLine:
    invoice_id: str
    invoice_line_id: str
    amount: Decimal


@dataclass
class Fixtures:
    """Real ids of the demo world (or whatever the system holds) that the simulated team reads and writes."""

    urls: dict[str, str]
    tokens: dict[str, str]
    period: str = ""
    invoice_ids: list[str] = field(default_factory=list)
    bill_to_ids: list[str] = field(default_factory=list)
    disputable: list[DisputableLine] = field(default_factory=list)
    contracts: list[dict] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    products: dict[str, dict] = field(default_factory=dict)  # code -> product view
    account_states: dict[str, dict] = field(default_factory=dict)
    dispute_ids: list[str] = field(default_factory=list)
    adjustment_ids: list[str] = field(default_factory=list)
    memo_ids: list[str] = field(default_factory=list)
    exception_ids: list[str] = field(default_factory=list)
    delivery_line_items: list[str] = field(default_factory=list)

    def headers(self, who: str = "billing-analyst") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


class _Reader:
    def __init__(self, urls: dict[str, str], token: str) -> None:
        self._urls = urls
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"

    def get(self, service: str, path: str, **params) -> dict:
        response = self._session.get(self._urls[service] + path, params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def all(self, service: str, path: str, *, cap: int = 5000, **params) -> list[dict]:
        items: list[dict] = []
        cursor = None
        while len(items) < cap:
            page = self.get(service, path, limit=500, **params, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return items


def discover(urls: dict[str, str], *, seed: int = 11, detail_sample: int = 60) -> Fixtures:
    """Lists what exists, and opens a sample of issued invoices to find lines worth disputing."""
    fx = Fixtures(urls=urls, tokens=tokens())
    reader = _Reader(urls, fx.tokens["billing-analyst"])
    issued = reader.all("invoice-svc", "/v1/invoices", status="issued")
    fx.invoice_ids = [i["invoice_id"] for i in issued]
    fx.bill_to_ids = sorted({i["bill_to_account_id"] for i in issued})
    fx.period = max((i["period"] for i in issued), default=f"{date.today():%Y-%m}")
    _disputable_lines(fx, reader, issued, random.Random(seed), detail_sample)
    fx.contracts = reader.all("product-config-svc", "/v1/contracts")
    accounts = reader.all("product-config-svc", "/v1/accounts")
    fx.accounts = [a["account_id"] for a in accounts]
    fx.account_states = {a["account_id"]: a for a in accounts}
    fx.products = {p["code"]: p for p in reader.all("product-config-svc", "/v1/products")}
    fx.dispute_ids = [d["dispute_id"] for d in reader.all("dispute-svc", "/v1/disputes", cap=1000)]
    fx.adjustment_ids = [a["adjustment_id"] for a in reader.all("adjustment-svc", "/v1/adjustments", cap=1000)]
    fx.memo_ids = [m["memo_id"] for m in reader.all("adjustment-svc", "/v1/memos", cap=1000)]
    fx.exception_ids = [e["exception_id"] for e in reader.all("invoice-svc", "/v1/exceptions", cap=1000)]
    fx.delivery_line_items = sorted({line["line_item_id"] for c in fx.contracts for line in c.get("lines", [])})
    return fx


def _disputable_lines(fx: Fixtures, reader: _Reader, issued: list[dict], rng: random.Random, sample: int) -> None:
    # Unpaid invoices only: a billing team disputes and credits what the customer still owes.
    candidates = [i for i in issued if i.get("balance_status") in ("issued", "partially_paid", "overdue")
                  and Decimal(i["total"]) > 0]
    for invoice in rng.sample(candidates, min(sample, len(candidates))):
        detail = reader.get("invoice-svc", f"/v1/invoices/{invoice['invoice_id']}")
        for line in detail["lines"]:
            if line["kind"] in ("usage", "flat_fee") and Decimal(line["amount"]) >= Decimal("500"):
                fx.disputable.append(DisputableLine(invoice["invoice_id"], line["invoice_line_id"],
                                                    Decimal(line["amount"])))
