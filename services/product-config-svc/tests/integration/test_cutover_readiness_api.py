"""The billing-source cutover readiness item through the REST API (oversight.md O1): product-config-svc asks the REAL
invoice-svc's source reconciliation (same database and broker), and the item fails until the new source reconciled
with the current one on each of the last 7 service days."""

from __future__ import annotations

from datetime import date, timedelta

from invoice_svc.bootstrap import build as invoice_build
from invoice_svc.settings import Settings as InvoiceSettings
from invoice_svc.testing.billing import account, configure, contract, deliver, delivery, product
from invoice_svc.testing.events import Feed
from invoice_svc.testing.sources import register_test_delivery_sources
from mediabill_common.testing.plugin import run_migrations


async def _register(api, *systems: str) -> None:
    """The sources invoice-svc's tests publish under (invoice_svc.testing.sources), registered here too (a PUT
    replaces: the first one creates, later ones keep them as they are)."""
    for system in systems:
        response = await api.client.put(f"/v1/delivery-sources/{system}", headers=api.admin, json={
            "name": system.upper(), "event_sources": ["/ad-platforms/"]})
        assert response.status_code in (200, 201), response.text


async def _cutover_item(api, code: str) -> dict:
    readiness = (await api.ok("GET", f"/v1/products/{code}/readiness", headers=api.reader)).json()
    [item] = [i for i in readiness["items"] if i["item"] == "billing_source_cutover"]
    assert readiness["ready"] is item["passed"]
    return item


async def test_the_cutover_item_fails_until_the_new_source_reconciles_on_the_last_seven_days(
        config_api, database_url, kafka_bootstrap):
    api, u = config_api, config_api.unique
    run_migrations("invoice-svc", database_url)
    invoice_ctx = invoice_build(InvoiceSettings(database_url=database_url, kafka_bootstrap_servers=kafka_bootstrap))
    await register_test_delivery_sources(invoice_ctx)
    feed = Feed(invoice_ctx, kafka_bootstrap, f"cutover-readiness-{u}")
    await feed.start()
    try:
        pio, oms = "pio", "oms"
        await _register(api, pio, oms)
        code = (await api.product("CUT", rate="4.00"))["code"]
        today = date.today()
        sources = [{"source_system": pio, "effective_from": (today - timedelta(days=20)).isoformat()},
                   {"source_system": oms, "effective_from": (today + timedelta(days=10)).isoformat()}]
        await api.ok("PATCH", f"/v1/products/{code}", json={"billing_sources": sources, "reason": "OMS migration"})
        nothing_yet = await _cutover_item(api, code)
        assert not nothing_yet["passed"] and nothing_yet["reason"].count("no delivery from either source") == 7

        # invoice-svc knows the product and the contract; both sources report the last 7 days, OMS 3% high on one
        window = [today - timedelta(days=n) for n in range(7, 0, -1)]
        await configure(feed, products=[product(code, price="4.00") | {"billing_sources": sources}],
                        accounts=[account(f"A-{u}")],
                        contracts=[contract(f"C-{u}", advertiser=f"A-{u}", bill_to=f"A-{u}",
                                            start=(today - timedelta(days=40)).isoformat(),
                                            end=(today + timedelta(days=40)).isoformat(),
                                            lines=[{"line_item_id": f"L-{u}", "product_code": code}])])
        common = {"account_id": f"A-{u}", "contract_id": f"C-{u}", "line_item_id": f"L-{u}", "product_code": code}
        await deliver(feed, [delivery(f"P{d:%m%d}-{u}", day=d.isoformat(), source_system=pio, impressions=100_000,
                                      **common) for d in window])
        await deliver(feed, [delivery(f"O{d:%m%d}-{u}", day=d.isoformat(), source_system=oms,
                                      impressions=103_000 if d == window[3] else 100_000, **common) for d in window])
        one_day_off = await _cutover_item(api, code)
        assert not one_day_off["passed"]
        assert "on 1 of the 7 days" in one_day_off["reason"]
        assert f"{window[3].isoformat()}: 1 beyond_tolerance" in one_day_off["reason"]

        # OMS restates that day to PIO's count: every day reconciles, the item passes
        await deliver(feed, [delivery(f"O{window[3]:%m%d}-{u}", day=window[3].isoformat(), source_system=oms,
                                      revision=1, impressions=100_000, **common)])
        ready = await _cutover_item(api, code)
        assert ready["passed"], ready["reason"]
        assert ready["reason"].startswith(f"{oms} from {sources[1]['effective_from']}: reconciled against {pio} "
                                          "within 1% on each of the 7 days")
    finally:
        await feed.stop()
        await invoice_ctx.close()


async def test_the_cutover_item_fails_with_the_reason_when_invoice_svc_cannot_answer(
        config_api_with_invoice_svc, stand_in_invoice_svc, config_api):
    pio, oms = "pio", "oms"
    await _register(config_api, pio, oms)
    code = (await config_api.product("CUT", rate="4.00"))["code"]
    await config_api.ok("PATCH", f"/v1/products/{code}", json={"billing_sources": [
        {"source_system": pio, "effective_from": (date.today() - timedelta(days=20)).isoformat()},
        {"source_system": oms, "effective_from": (date.today() + timedelta(days=3)).isoformat()}]})
    broken = await config_api_with_invoice_svc(stand_in_invoice_svc(503, {"title": "down for maintenance"}))
    item = await _cutover_item(broken, code)
    assert not item["passed"]
    # the stand-in answers price simulations only: the reconciliation's path is not found there
    assert "invoice-svc refused the source reconciliation (404)" in item["reason"]
