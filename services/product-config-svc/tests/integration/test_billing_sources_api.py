"""A product's billing sources through the REST API (oversight.md O1): carried on ProductUpdated, validated with
field errors, and refused (409) in a period a real InvoiceIssued, consumed from billing.invoices.v1, invoiced."""

from sqlalchemy import select

from mediabill_common.testing.kafka import consume_until, envelope_for, publish
from product_config_svc.adapters.tables import invoiced_periods
from product_config_svc.entrypoints.consumer import TOPICS, make_runner


async def register(api, system: str) -> None:
    await api.ok("PUT", f"/v1/delivery-sources/{system}", 201,
                 json={"name": system.upper(), "event_sources": [f"/ad-platforms/{system}"]})


def invoice_issued(invoice_id: str, number: str, product_code: str) -> dict:
    """invoice-svc's InvoiceIssued for a self-serve advertiser's November, billing one line of the product."""
    line = {"invoice_line_id": f"{invoice_id}-1", "kind": "usage", "product_code": product_code,
            "description": "Display impressions", "quantity": 1000, "unit": "impressions", "unit_price": "6.00",
            "price_base_quantity": 1000, "amount": "6.00"}
    return envelope_for("InvoiceIssued", {
        "invoice_id": invoice_id, "invoice_number": number, "account_id": "ADV-1", "bill_to_account_id": "ADV-1",
        "contract_id": None, "po_number": None, "period": "2026-11", "period_start": "2026-11-01",
        "period_end": "2026-11-30", "issue_date": "2026-12-01", "due_date": "2026-12-31", "currency": "USD",
        "lines": [line], "subtotal": "6.00", "discount_total": "0.00", "commission_total": "0.00",
        "tax_total": "0.00", "total": "6.00"}, subject=invoice_id, source="/mediabill/invoice-svc")


async def test_billing_sources_are_set_ordered_and_carried_on_product_updated(config_api):
    api = config_api
    pio, oms = f"pio-{api.unique.lower()}", f"oms-{api.unique.lower()}"
    await register(api, pio)
    await register(api, oms)
    code = (await api.product("SRC"))["code"]
    changed = await api.ok("PATCH", f"/v1/products/{code}", json={"billing_sources": [
        {"source_system": oms, "effective_from": "2026-12-15"}, {"source_system": pio, "effective_from": "2026-01-01"}],
        "reason": "OMS migration"})
    expected = [{"source_system": pio, "effective_from": "2026-01-01"},
                {"source_system": oms, "effective_from": "2026-12-15"}]
    assert changed.json()["billing_sources"] == expected
    events = await api.events(code, 4)  # created, rate card added, activated, updated
    assert events[-1]["type"] == "ProductUpdated"
    assert events[-1]["data"]["product"]["billing_sources"] == expected


async def test_unregistered_sources_and_repeated_dates_are_refused_with_field_errors(config_api):
    api = config_api
    pio = f"pio-{api.unique.lower()}"
    await register(api, pio)
    code = (await api.product("SRC"))["code"]
    refused = await api.client.patch(f"/v1/products/{code}", headers=api.admin, json={"billing_sources": [
        {"source_system": pio, "effective_from": "2026-01-01"},
        {"source_system": "nobody-registered-this", "effective_from": "2026-01-01"}]})
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert sorted(e["field"] for e in refused.json()["errors"]) == [
        "billing_sources[1].effective_from", "billing_sources[1].source_system"]
    unknown_field = await api.client.patch(f"/v1/products/{code}", headers=api.admin, json={"billing_sources": [
        {"source_system": pio, "effective_from": "2026-01-01", "priority": 1}]})
    assert unknown_field.status_code == 422
    assert (await api.ok("GET", f"/v1/products/{code}", headers=api.reader)).json()["billing_sources"] == []


async def test_a_billing_source_change_in_an_invoiced_period_is_refused(config_api, kafka_bootstrap):
    api = config_api
    pio, oms = f"pio-{api.unique.lower()}", f"oms-{api.unique.lower()}"
    await register(api, pio)
    await register(api, oms)
    code = (await api.product("SRC"))["code"]
    invoice_id, number = f"inv-{api.unique}", f"INV-2026-{api.unique[:8]}"
    await publish(kafka_bootstrap, "billing.invoices.v1", [("ADV-1", invoice_issued(invoice_id, number, code))])

    async def recorded():
        async with api.ctx.sessions() as session:
            t = invoiced_periods
            return (await session.execute(select(t.c.product_codes).where(t.c.invoice_id == invoice_id))).all()

    await consume_until(api.ctx, make_runner, TOPICS, recorded, group_id=f"pcs-test-{api.unique}")
    refused = await api.client.patch(f"/v1/products/{code}", headers=api.admin, json={"billing_sources": [
        {"source_system": oms, "effective_from": "2026-11-20"}]})
    assert refused.status_code == 409
    assert refused.json()["invoiced_period"] == "2026-11" and refused.json()["invoice_number"] == number
    assert "earliest allowed effective_from is 2026-12-01" in refused.json()["detail"]
    allowed = await api.ok("PATCH", f"/v1/products/{code}", json={"billing_sources": [
        {"source_system": oms, "effective_from": "2026-12-01"}]})
    assert allowed.json()["billing_sources"] == [{"source_system": oms, "effective_from": "2026-12-01"}]
    # Pointing that entry at another source changes December on: still allowed; November stays as billed.
    await api.ok("PATCH", f"/v1/products/{code}", json={"billing_sources": [
        {"source_system": pio, "effective_from": "2026-12-01"}]})
