"""A billing-ops team's day against the four services, for locust.

`python -m bench.load` runs it headless through locust's library API; `locust -f bench/load/locustfile.py` also
works (it then discovers its fixtures when the test starts). Every task sends one request (an account edit two:
it reads the ETag first); a task with nothing to act on (no dispute of mine to assign yet, no exceptions in the
fixtures) reads the matching list or item instead, so the team's pacing is the rate of requests sent. Weights are
per mille of requests: mostly reads (invoices, the exception queue, disputes and their evidence, credits,
configuration lookups, KPIs), about one request in ten a write (price simulations, disputes opened/assigned/
commented, small credits that approve themselves, account edits under If-Match), and a bill-run preview from one
billing manager every 20 seconds.
"""

from __future__ import annotations

import random
import time
import uuid
from datetime import date
from decimal import Decimal
from typing import ClassVar

from locust import FastHttpUser, constant_pacing, events, task

from bench.load.deliveries import delivery_record, month_days
from bench.load.fixtures import Fixtures, discover, service_urls

REASONS = ("delivery_discrepancy", "rate_mismatch", "invalid_traffic", "duplicate_charge", "other")
ANALYSTS = ("ana.analyst@retailer.example", "omar.analyst@retailer.example")


def random_throughput(task_runs_per_second: float, block_s: float = 10.0):
    """A wait_time that starts tasks at `task_runs_per_second`, each user on its own random schedule: per block of
    `block_s` seconds, a fixed number of start times (the rate times the block, rounded up or down at random so
    the mean is exact) drawn uniformly over the block. Arrivals cluster and spread as independent people's do
    (a Poisson process given its count), and the total is the rate asked for, not the rate plus or minus chance.
    With locust's constant_throughput instead, every user started in the same second fires in the same instant,
    and the team arrives in bursts of one request per user: that measures the burst, not the rate."""

    def wait_time(user) -> float:
        now = time.perf_counter()
        starts = getattr(user, "_starts", None)
        if not starts:
            block = getattr(user, "_block", now)
            expected = task_runs_per_second * block_s
            count = int(expected) + (random.random() < expected - int(expected))
            starts = user._starts = sorted(block + random.uniform(0, block_s) for _ in range(count))
            user._block = block + block_s
            if not starts:
                return max(0.0, user._block - now)
        return max(0.0, starts.pop(0) - now)

    return wait_time


class Team:
    """Fixtures shared by every simulated person (set before the users start)."""

    fixtures: Fixtures | None = None
    analysts = 1  # how many BillingAnalyst users share the accounts to edit


@events.test_start.add_listener
def _discover(environment, **_kwargs) -> None:
    if Team.fixtures is None:
        Team.fixtures = discover(service_urls())


class _Person(FastHttpUser):
    abstract = True
    host = service_urls()["invoice-svc"]
    role = "billing-analyst"
    # uvicorn closes a keep-alive connection idle for 5 s; geventhttpclient, unlike urllib3, does not check a
    # pooled connection before reusing it, so a request can race the close. One retry on a connection error is
    # safe: every POST carries an Idempotency-Key, so a retried write is applied once.
    max_retries = 1

    def on_start(self) -> None:
        self.fx = Team.fixtures
        self.rng = random.Random()
        self.auth = self.fx.headers(self.role)

    def url(self, service: str, path: str) -> str:
        return self.fx.urls[service] + path

    def read(self, service: str, path: str, name: str, **params) -> None:
        self.client.get(self.url(service, path), headers=self.auth, params=params or None, name=name)

    def write(self, method: str, service: str, path: str, name: str, body: dict, headers: dict | None = None,
              as_: str | None = None):
        auth = self.fx.headers(as_) if as_ else self.auth
        return self.client.request(method, self.url(service, path), json=body, name=name,
                                   headers={**auth, "Idempotency-Key": uuid.uuid4().hex, **(headers or {})})

    def pick(self, items: list):
        return self.rng.choice(items)


class BillingAnalyst(_Person):
    """Works the queues all day: reads a lot, writes now and then."""

    wait_time = random_throughput(4)  # replaced by python -m bench.load to reach the target rate

    def on_start(self) -> None:
        super().on_start()
        self.my_disputes: list[str] = []  # opened by me, waiting for assignment
        self.in_review: list[str] = []
        n = max(1, Team.analysts)
        self.my_accounts = self.fx.accounts[next(_serial) % n::n] or self.fx.accounts  # one editor per account

    # ---- invoices and the ledger (invoice-svc) --------------------------------------------------------------
    @task(110)
    def invoices_list(self) -> None:
        choice = self.rng.random()
        if choice < 0.5:
            params = {"period": self.fx.period, "status": "issued", "limit": 50}
        elif choice < 0.8:
            params = {"bill_to_account_id": self.pick(self.fx.bill_to_ids)}
        else:
            params = {"contract_id": self.pick(self.fx.contracts)["contract_id"]}
        self.read("invoice-svc", "/v1/invoices", "invoice GET /v1/invoices", **params)

    @task(120)
    def invoice_detail(self) -> None:
        self.read("invoice-svc", f"/v1/invoices/{self.pick(self.fx.invoice_ids)}", "invoice GET /v1/invoices/{id}")

    @task(70)
    def deliveries(self) -> None:
        if self.rng.random() < 0.6:
            params = {"contract_id": self.pick(self.fx.contracts)["contract_id"], "limit": 50}
        else:
            params = {"line_item_id": self.pick(self.fx.delivery_line_items), "from": f"{self.fx.period}-01",
                      "to": f"{self.fx.period}-28"}
        self.read("invoice-svc", "/v1/deliveries", "invoice GET /v1/deliveries", **params)

    @task(50)
    def exceptions_open(self) -> None:
        self.read("invoice-svc", "/v1/exceptions", "invoice GET /v1/exceptions", status="open", limit=50)

    @task(10)
    def exception_detail(self) -> None:
        if self.fx.exception_ids:
            self.read("invoice-svc", f"/v1/exceptions/{self.pick(self.fx.exception_ids)}",
                      "invoice GET /v1/exceptions/{id}")
        else:
            self.exceptions_open()

    @task(10)
    def invoice_kpis(self) -> None:
        self.read("invoice-svc", "/v1/kpis", "invoice GET /v1/kpis", **{"from": self.fx.period, "to": self.fx.period})

    @task(10)
    def bill_runs(self) -> None:
        self.read("invoice-svc", "/v1/bill-runs", "invoice GET /v1/bill-runs", limit=20)

    @task(30)
    def price_simulation(self) -> None:
        body = self._simulation_body()
        if body is not None:
            self.write("POST", "invoice-svc", "/v1/price-simulations", "invoice POST /v1/price-simulations", body)
        else:
            self.invoices_list()

    # ---- disputes (dispute-svc) -------------------------------------------------------------------------------
    @task(50)
    def disputes_list(self) -> None:
        choice = self.rng.random()
        params = ({"status": "open"} if choice < 0.4 else {"status": "in_review"} if choice < 0.7
                  else {"bill_to_account_id": self.pick(self.fx.bill_to_ids)} if choice < 0.9 else {"overdue": "true"})
        self.read("dispute-svc", "/v1/disputes", "dispute GET /v1/disputes", **params)

    @task(50)
    def dispute_detail(self) -> None:
        if self.fx.dispute_ids:
            self.read("dispute-svc", f"/v1/disputes/{self.pick(self.fx.dispute_ids)}", "dispute GET /v1/disputes/{id}")
        else:
            self.disputes_list()

    @task(25)
    def dispute_evidence(self) -> None:
        if self.fx.dispute_ids:
            self.read("dispute-svc", f"/v1/disputes/{self.pick(self.fx.dispute_ids)}/evidence",
                      "dispute GET /v1/disputes/{id}/evidence")
        else:
            self.disputes_list()

    @task(10)
    def dispute_kpis(self) -> None:
        self.read("dispute-svc", "/v1/kpis", "dispute GET /v1/kpis",
                  **{"from": f"{self.fx.period}-01", "to": date.today().isoformat()})

    @task(12)
    def open_dispute(self) -> None:
        line = self.pick(self.fx.disputable)
        body = {"invoice_id": line.invoice_id, "reason_code": self.pick(REASONS),
                "description": "Advertiser's ad server counts fewer impressions on some days",
                "lines": [{"invoice_line_id": line.invoice_line_id, "amount": self._small(1, 10)}]}
        response = self.write("POST", "dispute-svc", "/v1/disputes", "dispute POST /v1/disputes", body)
        if response.status_code == 201:
            self.my_disputes.append(response.json()["dispute_id"])

    @task(10)
    def assign_dispute(self) -> None:
        if self.my_disputes:
            did = self.my_disputes.pop(0)
            self.write("POST", "dispute-svc", f"/v1/disputes/{did}/assign", "dispute POST /v1/disputes/{id}/assign",
                       {"assignee": self.pick(ANALYSTS)})
            self.in_review.append(did)
        else:
            self.disputes_list()  # nothing of mine to assign yet: the analyst looks at the queue instead

    @task(12)
    def comment_dispute(self) -> None:
        if self.in_review:
            self.write("POST", "dispute-svc", f"/v1/disputes/{self.pick(self.in_review)}/comments",
                       "dispute POST /v1/disputes/{id}/comments",
                       {"note": "Asked ad ops for the raw impression logs of the contested days."})
        else:
            self.dispute_detail()

    # ---- credits (adjustment-svc) -------------------------------------------------------------------------------
    @task(35)
    def adjustments_list(self) -> None:
        params = self.pick([{}, {"status": "approved"}, {"status": "pending_approval"}])
        self.read("adjustment-svc", "/v1/adjustments", "adjustment GET /v1/adjustments", **params)

    @task(30)
    def adjustment_detail(self) -> None:
        if self.fx.adjustment_ids:
            self.read("adjustment-svc", f"/v1/adjustments/{self.pick(self.fx.adjustment_ids)}",
                      "adjustment GET /v1/adjustments/{id}")
        else:
            self.adjustments_list()

    @task(15)
    def headroom(self) -> None:
        self.read("adjustment-svc", f"/v1/invoices/{self.pick(self.fx.disputable).invoice_id}/headroom",
                  "adjustment GET /v1/invoices/{id}/headroom")

    @task(15)
    def memos_list(self) -> None:
        self.read("adjustment-svc", "/v1/memos", "adjustment GET /v1/memos", limit=50)

    @task(20)
    def memo_detail(self) -> None:
        if self.fx.memo_ids:
            self.read("adjustment-svc", f"/v1/memos/{self.pick(self.fx.memo_ids)}", "adjustment GET /v1/memos/{id}")
        else:
            self.memos_list()

    @task(10)
    def adjustment_kpis(self) -> None:
        self.read("adjustment-svc", "/v1/kpis", "adjustment GET /v1/kpis",
                  **{"from": f"{self.fx.period}-01", "to": date.today().isoformat()})

    @task(8)
    def small_credit(self) -> None:
        line = self.pick(self.fx.disputable)
        body = {"invoice_id": line.invoice_id, "kind": "credit", "reason_code": "invalid_traffic",
                "note": "Goodwill credit for invalid traffic found by the ad server's IVT report",
                "lines": [{"invoice_line_id": line.invoice_line_id, "amount": self._small(5, 40),
                           "description": "IVT credit"}]}
        self.write("POST", "adjustment-svc", "/v1/adjustments", "adjustment POST /v1/adjustments", body)

    # ---- configuration (product-config-svc) --------------------------------------------------------------------
    @task(40)
    def product_price(self) -> None:
        code = self.pick([c for c, p in self.fx.products.items() if p.get("rate_cards")] or list(self.fx.products))
        self.read("product-config-svc", f"/v1/products/{code}/price", "config GET /v1/products/{code}/price",
                  on=date.today().isoformat())

    @task(20)
    def product_detail(self) -> None:
        self.read("product-config-svc", f"/v1/products/{self.pick(list(self.fx.products))}",
                  "config GET /v1/products/{code}")

    @task(10)
    def products_list(self) -> None:
        self.read("product-config-svc", "/v1/products", "config GET /v1/products", limit=50)

    @task(50)
    def account_detail(self) -> None:
        self.read("product-config-svc", f"/v1/accounts/{self.pick(self.fx.accounts)}", "config GET /v1/accounts/{id}")

    @task(15)
    def accounts_list(self) -> None:
        self.read("product-config-svc", "/v1/accounts", "config GET /v1/accounts", limit=50)

    @task(50)
    def contract_detail(self) -> None:
        self.read("product-config-svc", f"/v1/contracts/{self.pick(self.fx.contracts)['contract_id']}",
                  "config GET /v1/contracts/{id}")

    @task(10)
    def contract_versions(self) -> None:
        self.read("product-config-svc", f"/v1/contracts/{self.pick(self.fx.contracts)['contract_id']}/versions",
                  "config GET /v1/contracts/{id}/versions")

    @task(10)
    def contracts_list(self) -> None:
        self.read("product-config-svc", "/v1/contracts", "config GET /v1/contracts", limit=50)

    @task(20)
    def product_simulate(self) -> None:
        contract, line = self._contract_line()
        if contract is not None:
            body = {"contract_id": contract["contract_id"], "deliveries": self._sample_deliveries(contract, line)}
            self.write("POST", "product-config-svc", f"/v1/products/{line['product_code']}/simulate",
                       "config POST /v1/products/{code}/simulate", body)
        else:
            self.product_detail()

    @task(8)
    def account_edit(self) -> None:
        """The analyst looks the account up, and the config admin beside them changes the invoice mailbox."""
        account_id = self.pick(self.my_accounts)
        path = f"/v1/accounts/{account_id}"
        current = self.client.get(self.url("product-config-svc", path), headers=self.auth,
                                  name="config GET /v1/accounts/{id}")
        if current.status_code != 200:
            return
        contact = current.json().get("invoice_contact") or ""
        moved = f"ap+{account_id.lower()}@example.com"
        new = contact.replace("ap+", "billing+") if contact.startswith("ap+") else moved
        self.write("PATCH", "product-config-svc", path, "config PATCH /v1/accounts/{id}",
                   {"invoice_contact": new, "reason": "customer asked to send invoices to another mailbox"},
                   headers={"If-Match": current.headers.get("ETag", "")}, as_="config-admin")

    # ---- helpers ------------------------------------------------------------------------------------------------
    def _small(self, low: int, high: int) -> str:
        return str(Decimal(self.rng.randint(low * 100, high * 100)) / 100)

    def _contract_line(self) -> tuple[dict | None, dict | None]:
        for _ in range(10):
            contract = self.pick(self.fx.contracts)
            usage = [line for line in contract.get("lines", [])
                     if self.fx.products.get(line["product_code"], {}).get("pricing_model") not in (None, "flat_fee")]
            if contract.get("status") == "active" and usage:
                return contract, self.pick(usage)
        return None, None

    def _sample_deliveries(self, contract: dict, line: dict) -> list[dict]:
        start, end = date.fromisoformat(contract["flight_start"]), date.fromisoformat(contract["flight_end"])
        days = [d for d in month_days(self.fx.period) if start <= d <= end][: self.rng.randint(3, 10)]
        model = self.fx.products[line["product_code"]]["pricing_model"]
        return [delivery_record(self.rng, (contract, line["line_item_id"], line["product_code"], d), model, 0)
                for d in days]

    def _simulation_body(self) -> dict | None:
        contract, line = self._contract_line()
        if contract is None:
            return None
        bill_to = self.fx.account_states.get(contract["bill_to_account_id"])
        product = self.fx.products[line["product_code"]]
        if bill_to is None:
            return None
        return {"period": self.fx.period, "product": product, "contract": contract, "bill_to": bill_to,
                "already_billed": [], "deliveries": self._sample_deliveries(contract, line)}


class BillingManager(_Person):
    """Previews one customer's bill run now and then (what would this account's invoice look like?)."""

    role = "billing-manager"
    fixed_count = 1
    wait_time = constant_pacing(20)

    @task
    def preview(self) -> None:
        self.write("POST", "invoice-svc", "/v1/bill-runs", "invoice POST /v1/bill-runs (preview)",
                   {"period": self.fx.period, "mode": "preview",
                    "bill_to_account_ids": [self.pick(self.fx.bill_to_ids)]})


class RawReader(FastHttpUser):
    """The raw baseline's reader (bench/load/raw.py): invoices by id, nothing else. Not part of the mix; `host`
    and `invoice_ids` are set by python -m bench.load."""

    abstract = True  # made concrete by bench.load, which knows the baseline server's address
    invoice_ids: ClassVar[list[str]] = []
    max_retries = 1

    @task
    def invoice(self) -> None:
        self.client.get(f"/raw/invoices/{random.choice(self.invoice_ids)}", name="raw GET /raw/invoices/{id}")


def _counter():
    n = 0
    while True:
        yield n
        n += 1


_serial = _counter()
