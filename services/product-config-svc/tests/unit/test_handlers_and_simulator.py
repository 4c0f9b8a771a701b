"""Event handlers with in-memory fakes, and the invoice-svc client's translation of failures."""

import httpx
import pytest

from mediabill_common.auth.verify import JwtVerifier
from mediabill_common.consumer import Event
from mediabill_common.events.catalog import InvoiceIssued, InvoiceVoided
from mediabill_common.testing.kafka import envelope_for
from product_config_svc.adapters.invoice_client import HttpPriceSimulator
from product_config_svc.app.handlers import HANDLERS
from product_config_svc.app.handlers.when_invoice_issued_mark_period_invoiced import (
    when_invoice_issued_mark_period_invoiced,
)
from product_config_svc.app.handlers.when_invoice_voided_free_period import when_invoice_voided_free_period
from product_config_svc.app.ports import PriceSimulationFailed
from product_config_svc.app.products import describe_exception, run_price_simulation
from product_config_svc.domain.contracts import InvoicedPeriod

SECRET = "unit-test-secret-0123456789-abcdefghij"


class FakeInvoiced:
    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    async def record_issued(self, *, invoice_id, invoice_number, contract_id, period, product_codes) -> None:
        self.rows.setdefault(invoice_id, {"number": invoice_number, "contract": contract_id, "period": period,
                                          "products": product_codes, "voided": False})

    async def mark_voided(self, invoice_id) -> bool:
        if invoice_id not in self.rows:
            return False
        self.rows[invoice_id]["voided"] = True
        return True

    async def for_contract(self, contract_id):
        return [InvoicedPeriod(r["period"], r["number"]) for r in self.rows.values()
                if r["contract"] == contract_id and not r["voided"]]

    async def for_product(self, code):
        return [InvoicedPeriod(r["period"], r["number"]) for r in self.rows.values()
                if code in r["products"] and not r["voided"]]


class FakeParking:
    """The parking lot of app.ports: keeps events in memory and replays them through the real table."""

    def __init__(self, unit: "FakeUnit") -> None:
        self.parked: list[tuple[str, Event]] = []
        self.unit = unit

    async def park(self, event: Event, *, waiting_for: str) -> None:
        self.parked.append((waiting_for, event))

    async def replay(self, waiting_for: str) -> int:
        released = [e for w, e in self.parked if w == waiting_for]
        self.parked = [(w, e) for w, e in self.parked if w != waiting_for]
        for event in released:
            await HANDLERS.dispatch(event, self.unit)
        return len(released)


class FakeUnit:
    """app.ports.InvoicedPeriodsUnit in memory."""

    def __init__(self) -> None:
        self.invoiced = FakeInvoiced()
        self.parking = FakeParking(self)


def issued(invoice_id="inv-1") -> Event[InvoiceIssued]:
    data = {"invoice_id": invoice_id, "invoice_number": "INV-2026-00000007", "account_id": "ADV",
            "bill_to_account_id": "ADV", "contract_id": "IO-1", "po_number": None, "period": "2026-03",
            "period_start": "2026-03-01", "period_end": "2026-03-31", "issue_date": "2026-04-01",
            "due_date": "2026-05-01", "currency": "USD", "lines": [], "subtotal": "0", "discount_total": "0",
            "commission_total": "0", "tax_total": "0", "total": "0"}
    return Event(envelope_for("InvoiceIssued", data, subject=invoice_id), InvoiceIssued.model_validate(data))


def voided(invoice_id="inv-1") -> Event[InvoiceVoided]:
    data = {"invoice_id": invoice_id, "invoice_number": "INV-2026-00000007", "bill_to_account_id": "ADV",
            "reason": "wrong PO", "voided_by": "bob", "voided_at": "2026-04-02T10:00:00Z"}
    return Event(envelope_for("InvoiceVoided", data, subject=invoice_id), InvoiceVoided.model_validate(data))


async def test_issued_invoice_marks_its_contract_period_invoiced_and_void_frees_it():
    unit = FakeUnit()
    await HANDLERS.dispatch(issued(), unit)
    assert await unit.invoiced.for_contract("IO-1") == [InvoicedPeriod("2026-03", "INV-2026-00000007")]
    await HANDLERS.dispatch(voided(), unit)
    assert await unit.invoiced.for_contract("IO-1") == []
    assert unit.parking.parked == []


async def test_void_arriving_before_its_invoice_is_parked_then_applied():
    unit = FakeUnit()
    await when_invoice_voided_free_period(voided(), unit)
    assert [(w, e.type) for w, e in unit.parking.parked] == [("inv-1", "InvoiceVoided")]
    assert unit.invoiced.rows == {}
    await when_invoice_issued_mark_period_invoiced(issued(), unit)
    assert unit.parking.parked == [] and await unit.invoiced.for_contract("IO-1") == []
    assert unit.invoiced.rows["inv-1"]["voided"] is True


async def test_a_parked_void_waits_only_for_its_own_invoice():
    unit = FakeUnit()
    await when_invoice_voided_free_period(voided("inv-2"), unit)
    await when_invoice_issued_mark_period_invoiced(issued("inv-1"), unit)
    assert [w for w, _ in unit.parking.parked] == ["inv-2"]
    assert await unit.invoiced.for_contract("IO-1") == [InvoicedPeriod("2026-03", "INV-2026-00000007")]


def test_the_table_handles_the_invoice_events_and_consumes_their_topic():
    assert set(HANDLERS.handlers) == {"InvoiceIssued", "InvoiceVoided"}
    assert HANDLERS.topics() == ["billing.invoices.v1"]


def simulator(handler) -> HttpPriceSimulator:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://invoice-svc")
    return HttpPriceSimulator(client, jwt_secret=SECRET)


async def test_simulator_sends_a_service_token_and_returns_the_draft_invoice():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        principal = JwtVerifier(hs256_secret=SECRET).verify(request.headers["Authorization"].split()[1])
        seen.update(path=request.url.path, sub=principal.sub, roles=principal.roles)
        return httpx.Response(200, json={"lines": [{}], "total": "1.00", "currency": "USD", "exceptions": []})

    body = await simulator(handler).price({"period": "2026-03"})
    assert body["total"] == "1.00"
    assert seen == {"path": "/v1/price-simulations", "sub": "product-config-svc", "roles": frozenset({"service"})}


async def test_simulator_reports_refusals_with_their_detail():
    def handler(request):
        return httpx.Response(422, json={"detail": "product.pricing_model unknown",
                                         "errors": [{"field": "product", "message": "bad"}]})

    with pytest.raises(PriceSimulationFailed) as exc:
        await simulator(handler).price({})
    assert exc.value.status == 422
    assert exc.value.reason == ("invoice-svc refused the simulation (422): product.pricing_model unknown "
                                "[product: bad]")


async def test_unreachable_invoice_svc_is_a_failed_outcome_not_a_skip():
    def handler(request):
        raise httpx.ConnectError("connection refused")

    outcome = await run_price_simulation(simulator(handler), {})
    assert outcome.error == "invoice-svc unreachable: ConnectError: connection refused"


def test_exceptions_are_described_by_kind_message_and_refs():
    assert describe_exception({"kind": "missing_rate", "message": "no rate", "refs": {"line_item_id": "L1"}}) == \
        "missing_rate (no rate) [line_item_id=L1]"
