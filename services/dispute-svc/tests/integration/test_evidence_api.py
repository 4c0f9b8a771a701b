"""GET /v1/disputes/{id}/evidence against the real invoice-svc, and when invoice-svc cannot answer.

The real invoice-svc app (`invoice_svc.bootstrap.build_app`, over ASGI, on its own schema in the same database)
serves GET /v1/deliveries from its ledger, filled by its real consumer from ads.delivery.v1, and
POST /v1/price-simulations. dispute-svc calls both with its `service` token.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from dispute_svc.adapters.invoice_svc_client import HttpInvoiceServiceClient
from invoice_svc.bootstrap import build as build_invoice_svc
from invoice_svc.bootstrap import build_app as build_invoice_svc_app
from invoice_svc.entrypoints.consumer import make_runner as make_invoice_svc_runner
from invoice_svc.settings import Settings as InvoiceSettings
from invoice_svc.testing.sources import register_test_delivery_sources
from mediabill_common.settings import ServiceSettings
from mediabill_common.testing.kafka import consume_until, envelope_for, publish
from mediabill_common.testing.plugin import bearer

SECRET = ServiceSettings().jwt_hs256_secret or ""


class RecordingTransport(httpx.ASGITransport):
    """Serves the app over ASGI and remembers the path of every call dispute-svc made."""

    def __init__(self, app) -> None:
        super().__init__(app=app)
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)


def delivery(uid: str, line_item: str, day: int, imps: int, revision: int = 0) -> dict:
    return {"delivery_id": f"D-{uid}-{line_item}-{day}", "revision": revision, "source_system": "adserver",
            "account_id": f"adv-{uid}", "contract_id": f"IO-{uid}", "campaign_id": f"C-{uid}",
            "line_item_id": line_item, "product_code": f"display-{uid}", "delivery_date": f"2026-10-{day:02d}",
            "impressions": imps, "viewable_impressions": 0, "clicks": 0, "conversions": 0}


async def seed_config(env, uid: str) -> None:
    rate = [{"line_item_id": f"L1-{uid}", "product_code": f"display-{uid}", "rate": "6.00"},
            {"line_item_id": f"L2-{uid}", "product_code": f"display-{uid}", "rate": "6.00"},
            {"line_item_id": f"L3-{uid}", "product_code": f"sponsor-{uid}", "fee": "500.00"}]
    later = [dict(ln, rate="9.00") if "rate" in ln else ln for ln in rate]
    for code, model in ((f"display-{uid}", "cpm"), (f"sponsor-{uid}", "flat_fee")):
        await env.apply("ProductCreated", {"state_version": 1, "product": {
            "code": code, "name": code, "channel": "onsite", "pricing_model": model, "status": "live",
            "contract_priced": True, "rate_cards": []}})
    await env.apply("BillingAccountUpserted", {"state_version": 1, "account": {
        "account_id": f"agy-{uid}", "type": "advertiser", "legal_name": "Acme", "currency": "USD"}})
    await env.apply("ContractAmended", {"state_version": 3, "contract": {
        "contract_id": f"IO-{uid}", "amendment_no": 1, "status": "active", "advertiser_account_id": f"adv-{uid}",
        "bill_to_account_id": f"agy-{uid}", "currency": "USD", "flight_start": "2026-10-01",
        "flight_end": "2026-10-31", "lines": later,
        "versions": [{"amendment_no": 0, "effective_from": "2026-10-01", "terms": {"lines": rate}},
                     {"amendment_no": 1, "effective_from": "2026-11-01", "terms": {"lines": later}}]}})


async def ingest_deliveries_into_invoice_svc(invoice_ctx, uid: str, kafka_bootstrap: str) -> None:
    """Publish the deliveries to ads.delivery.v1 and let invoice-svc's real consumer put them in its ledger."""
    await register_test_delivery_sources(invoice_ctx)
    l1, l2 = f"L1-{uid}", f"L2-{uid}"
    # L2's day also reported by a second system: invoice-svc bills it from the first (source_conflict on this one)
    second_source = delivery(uid, l2, 5, 100_000) | {"delivery_id": f"OMS-{uid}-{l2}-5", "source_system": "oms"}
    records = [delivery(uid, l1, 3, 280_000, 0), delivery(uid, l1, 3, 300_000, 1),  # restated
               delivery(uid, l1, 4, 200_000), delivery(uid, l2, 5, 100_000), second_source]
    await publish(kafka_bootstrap, "ads.delivery.v1", [
        (r["line_item_id"], envelope_for("CampaignDelivered", r, subject=r["delivery_id"], source="/ad-platforms/t"))
        for r in records])
    app = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_invoice_svc_app(invoice_ctx)),
                            base_url="http://i")

    async def in_ledger() -> bool:
        resp = await app.get("/v1/deliveries", params={"contract_id": f"IO-{uid}"}, headers=bearer("auditor"))
        return {(d["delivery_id"], d["revision"]) for d in resp.json().get("items", [])} == {
            (f"D-{uid}-{l1}-3", 1), (f"D-{uid}-{l1}-4", 0), (f"D-{uid}-{l2}-5", 0), (f"OMS-{uid}-{l2}-5", 0)}

    await consume_until(invoice_ctx, make_invoice_svc_runner, ["ads.delivery.v1"], in_ledger,
                        group_id=f"dispute-test-invoice-svc-{uid}")


async def test_evidence_shows_a_correct_line_and_a_mispriced_line_against_the_real_invoice_svc(
        dispute_env_factory, dispute_settings, dispute_invoice_svc_db, kafka_bootstrap, unique):
    invoice_svc = build_invoice_svc(InvoiceSettings(database_url=dispute_settings.database_url,
                                                    kafka_bootstrap_servers=dispute_settings.kafka_bootstrap_servers))
    transport = RecordingTransport(build_invoice_svc_app(invoice_svc))
    client = HttpInvoiceServiceClient("http://invoice-svc", secret=SECRET, transport=transport)
    env = await dispute_env_factory(invoice_client=client, at=_nov10())
    try:
        await ingest_deliveries_into_invoice_svc(invoice_svc, unique, kafka_bootstrap)
        await seed_config(env, unique)
        inv = await env.seed_invoice(unique)
        did = (await env.open(inv, {f"{unique}-u1": "100.00", f"{unique}-u2": "100.00"})).json()["dispute_id"]
        transport.paths.clear()
        resp = await env.get(f"/v1/disputes/{did}/evidence")
        calls_first = sorted(transport.paths)
        transport.paths.clear()
        again = await env.get(f"/v1/disputes/{did}/evidence")
    finally:
        await invoice_svc.close()
    assert resp.status_code == 200, resp.text
    ev = resp.json()
    assert ev["reprice"]["available"] is True, ev["reprice"]
    assert ev["reprice"]["invoice_matches_reprice"] is False
    correct, mispriced = ev["disputed_lines"]
    assert correct["reprice"]["verdict"] == "invoiced amount matches the re-price"
    assert (correct["invoiced_amount"], correct["reprice"]["repriced_amount"]) == ("3000.00", "3000.00")
    assert mispriced["reprice"]["verdict"] == "invoice is higher than the re-price by 100.00 USD"
    assert (mispriced["reprice"]["repriced_amount"], mispriced["reprice"]["difference"]) == ("600.00", "100.00")
    assert correct["deliveries"]["available"] is True and correct["deliveries"]["count"] == 2
    assert {d["line_item_id"] for d in correct["deliveries"]["items"]} == {f"L1-{unique}"}
    # the second source's record is shown, but not re-priced: another source bills its day (600.00, not 1200.00)
    assert [(d["delivery_id"], "source_conflict" in d["exception_kinds"]) for d in mispriced["deliveries"]["items"]] \
        == [(f"D-{unique}-L2-{unique}-5", False), (f"OMS-{unique}-L2-{unique}-5", True)]
    restated = next(d for d in correct["deliveries"]["items"] if d["revision"] == 1)
    assert [r["impressions"] for r in restated["revisions"]] == [280_000, 300_000]
    terms = ev["contract_terms"]
    assert (terms["available"], terms["amendment_no"], terms["effective_from"]) == (True, 0, "2026-10-01")
    assert terms["terms"]["lines"][0]["rate"] == "6.00"  # not the November amendment's 9.00
    flat = next(r for r in ev["reprice"]["lines"] if r["kind"] == "flat_fee")
    assert (flat["repriced_amount"], flat["matches"], flat["disputed"]) == ("500.00", True, False)
    assert {p["product_code"] for p in ev["reprice"]["products"]} == {f"display-{unique}", f"sponsor-{unique}"}
    # The ledger is read once for the contract's period, not once per line item; one re-price per product.
    assert calls_first == ["/v1/deliveries", "/v1/price-simulations", "/v1/price-simulations"]
    # Opened again: the ledger is read afresh, the unchanged simulations are answered from memory, same pack.
    assert transport.paths == ["/v1/deliveries"]
    assert again.status_code == 200 and again.json()["reprice"] == ev["reprice"]


async def test_evidence_says_so_when_invoice_svc_is_unreachable(dispute_env, unique):
    await seed_config(dispute_env, unique)
    inv = await dispute_env.seed_invoice(unique)
    did = (await dispute_env.open(inv, {f"{unique}-u2": "100.00"})).json()["dispute_id"]
    resp = await dispute_env.get(f"/v1/disputes/{did}/evidence")
    assert resp.status_code == 200, resp.text
    ev = resp.json()
    assert ev["reprice"]["available"] is False
    assert "invoice-svc unreachable" in ev["reprice"]["reason"]
    assert ev["reprice"]["lines"] == [] and ev["reprice"]["invoice_matches_reprice"] is None
    [line] = ev["disputed_lines"]
    assert line["deliveries"]["available"] is False and "invoice-svc unreachable" in line["deliveries"]["reason"]
    assert line["reprice"] is None and line["invoiced_amount"] == "700.00" and line["disputed_amount"] == "100.00"
    assert ev["contract_terms"]["available"] is True  # local read model still answers


async def test_evidence_reports_an_invoice_svc_error_answer_and_missing_config(dispute_env_factory, unique):
    broken = FastAPI()

    @broken.api_route("/{path:path}", methods=["GET", "POST"])
    async def fail(path: str) -> JSONResponse:
        return JSONResponse({"detail": "database is down"}, status_code=503)

    client = HttpInvoiceServiceClient("http://invoice-svc", secret=SECRET,
                                      transport=httpx.ASGITransport(app=broken))
    env = await dispute_env_factory(invoice_client=client, at=_nov10())
    inv = await env.seed_invoice(unique)  # no product, account or contract events seen for it
    did = (await env.open(inv, {f"{unique}-u1": "10.00"})).json()["dispute_id"]
    ev = (await env.get(f"/v1/disputes/{did}/evidence")).json()
    assert ev["reprice"]["available"] is False
    assert f"product display-{unique} is not in dispute-svc's config read model" in ev["reprice"]["reason"]
    assert "answered 503 to GET /v1/deliveries: database is down" in ev["disputed_lines"][0]["deliveries"]["reason"]
    assert ev["contract_terms"]["available"] is False and "not in dispute-svc's config" in \
        ev["contract_terms"]["reason"]


def _nov10():
    from datetime import UTC, datetime

    return datetime(2026, 11, 10, 12, tzinfo=UTC)
