"""Accounts and contracts through the REST API on real PostgreSQL; events read back from billing.config.v1; the
amendment rule driven by real InvoiceIssued / InvoiceVoided events consumed from billing.invoices.v1."""

from sqlalchemy import select

from mediabill_common.testing.kafka import consume_until, envelope_for, publish
from product_config_svc.adapters.tables import invoiced_periods
from product_config_svc.entrypoints.consumer import TOPICS, make_runner


async def test_agency_account_validation_update_and_events(config_api):
    api = config_api
    advertiser = await api.account("ACME")
    refused = await api.client.post("/v1/accounts", headers=api.admin, json={
        "account_id": f"AGY-{api.unique}", "type": "agency", "legal_name": "Agency", "currency": "USD",
        "represented_advertisers": [advertiser["account_id"], f"NOPE-{api.unique}"]})
    assert refused.status_code == 422
    assert refused.json()["errors"] == [{"field": "represented_advertisers[1]",
                                         "message": f"account 'NOPE-{api.unique}' does not exist"}]
    agency = await api.account("AGY", "agency", represented_advertisers=[advertiser["account_id"]],
                               tax_rates={"ADV": "8.875"}, po_required=True, invoice_contact="ap@agy.example")
    path = f"/v1/accounts/{agency['account_id']}"
    got = await api.ok("GET", path, headers=api.reader)
    changed = await api.ok("PATCH", path, json={"payment_terms_days": 60, "reason": "renegotiated"},
                           headers={**api.admin, "If-Match": got.headers["ETag"]})
    assert changed.json()["payment_terms_days"] == 60 and changed.headers["ETag"] == 'W/"2"'
    listed = (await api.ok("GET", "/v1/accounts", params={"type": "agency", "represents": advertiser["account_id"]},
                           headers=api.reader)).json()["items"]
    assert [a["account_id"] for a in listed] == [agency["account_id"]]
    # Reads answer the stored document; the change answered from the domain model: the same account.
    assert got.json() == agency and listed[0] == changed.json()
    assert (await api.ok("GET", path, headers=api.reader)).json() == changed.json()
    events = await api.events(agency["account_id"], 2)
    assert [(e["type"], e["data"]["state_version"]) for e in events] == [("BillingAccountUpserted", 1),
                                                                         ("BillingAccountUpserted", 2)]
    assert events[1]["data"]["account"]["tax_rates"] == {"ADV": "8.875"}
    assert events[1]["data"]["account"]["represented_advertisers"] == [advertiser["account_id"]]


async def test_contract_validation_lists_every_broken_term(config_api):
    api = config_api
    advertiser = await api.account("BRAND")
    other = await api.account("OTHER")
    agency = await api.account("AGENCY", "agency", represented_advertisers=[other["account_id"]],
                               po_required=True, currency="EUR")
    priced = await api.product("CP", contract_priced=True, rate=None)
    fee = await api.product("FEE", "flat_fee", rate=None)
    response = await api.client.post("/v1/contracts", headers=api.admin, json={
        "advertiser_account_id": advertiser["account_id"], "bill_to_account_id": agency["account_id"],
        "currency": "USD", "flight_start": "2026-01-01", "flight_end": "2025-12-31",
        "reporting_timezone": "Mars/Olympus", "lines": [
            {"line_item_id": f"L1-{api.unique}", "product_code": priced["code"]},
            {"line_item_id": f"L2-{api.unique}", "product_code": fee["code"], "rate": "1.00"}]})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [
        "bill_to_account_id", "currency", "flight_end", "reporting_timezone", "po_number", "lines[0].rate",
        "lines[1].fee", "lines[1].rate"]
    direct = await api.client.post("/v1/contracts", headers=api.admin, json={
        "advertiser_account_id": advertiser["account_id"], "bill_to_account_id": advertiser["account_id"],
        "currency": "USD", "flight_start": "2026-01-01", "flight_end": "2026-12-31",
        "agency_commission_pct": "15", "lines": [{"line_item_id": f"L3-{api.unique}",
                                                  "product_code": priced["code"], "rate": "4.00"}]})
    assert direct.status_code == 422
    assert direct.json()["errors"][0]["field"] == "agency_commission_pct"


async def make_contract(api, product_code: str, line: str, **terms) -> dict:
    advertiser = await api.account(f"ADV{line}")
    agency = await api.account(f"AGY{line}", "agency", represented_advertisers=[advertiser["account_id"]])
    body = {"contract_id": f"IO-{line}-{api.unique}", "advertiser_account_id": advertiser["account_id"],
            "bill_to_account_id": agency["account_id"], "currency": "USD", "flight_start": "2026-01-01",
            "flight_end": "2026-12-31", "reporting_timezone": "America/New_York", "discount_pct": "5",
            "agency_commission_pct": "15", "billing_basis": "discrepancy_tolerance",
            "lines": [{"line_item_id": f"{line}-{api.unique}", "product_code": product_code, "rate": "6.00",
                       "budget": "20000.00"}], **terms}
    return (await api.ok("POST", "/v1/contracts", 201, json=body)).json()


async def test_contract_lifecycle_versions_and_events(config_api):
    api = config_api
    draft_product = await api.product("LATER", live=False)
    contract = await make_contract(api, draft_product["code"], "LC")
    cid = contract["contract_id"]
    assert contract["discrepancy_threshold_pct"] == "10" and contract["status"] == "draft"
    blocked = await api.client.post(f"/v1/contracts/{cid}/activate", headers=api.admin)
    assert blocked.status_code == 409 and "is draft" in blocked.json()["detail"]
    await api.ok("POST", f"/v1/products/{draft_product['code']}/activate")
    etag = (await api.ok("GET", f"/v1/contracts/{cid}")).headers["ETag"]
    await api.ok("PATCH", f"/v1/contracts/{cid}", json={"po_number": "PO-9"}, headers={**api.admin, "If-Match": etag})
    await api.ok("POST", f"/v1/contracts/{cid}/activate", json={"reason": "IO signed"})
    amended = await api.ok("POST", f"/v1/contracts/{cid}/amendments", 201, json={
        "effective_from": "2026-05-01", "changes": {"discount_pct": "7.5"}, "reason": "Q2 volume commitment"})
    assert amended.json()["amendment_no"] == 1 and amended.json()["discount_pct"] == "7.5"
    versions = (await api.ok("GET", f"/v1/contracts/{cid}/versions", headers=api.reader)).json()["versions"]
    assert [(v["amendment_no"], v["effective_from"], v["terms"]["discount_pct"]) for v in versions] == [
        (0, "2026-01-01", "5"), (1, "2026-05-01", "7.5")]
    assert versions[0]["terms"]["po_number"] == "PO-9" and versions[1]["terms"]["lines"][0]["budget"] == "20000.00"
    await api.ok("POST", f"/v1/contracts/{cid}/end")
    events = await api.events(cid, 5)
    assert [(e["type"], e["data"]["state_version"]) for e in events] == [
        ("ContractCreated", 1), ("ContractCreated", 2), ("ContractActivated", 3), ("ContractAmended", 4),
        ("ContractEnded", 5)]
    final = events[-1]["data"]["contract"]
    assert final["status"] == "ended" and len(final["versions"]) == 2
    assert final["versions"][1]["terms"]["discount_pct"] == "7.5"
    listed = (await api.ok("GET", "/v1/contracts", params={"bill_to_account_id": contract["bill_to_account_id"],
                                                          "product_code": draft_product["code"]})).json()
    assert [c["contract_id"] for c in listed["items"]] == [cid]
    read = await api.ok("GET", f"/v1/contracts/{cid}")
    assert read.headers["ETag"] == 'W/"5"' and listed["items"] == [read.json()]
    assert {k: v for k, v in read.json().items() if k != "state_version"} == final
    other = (await api.ok("GET", "/v1/contracts", params={"bill_to_account_id": contract["bill_to_account_id"],
                                                         "product_code": f"{draft_product['code']}-NOT"})).json()
    assert other["items"] == []


async def test_line_items_are_unique_across_active_contracts(config_api):
    api = config_api
    product = await api.product("UNIQ")
    first = await make_contract(api, product["code"], "U1")
    await api.ok("POST", f"/v1/contracts/{first['contract_id']}/activate")
    clash = await make_contract(api, product["code"], "U2",
                                lines=[{"line_item_id": f"U1-{api.unique}", "product_code": product["code"]}])
    refused = await api.client.post(f"/v1/contracts/{clash['contract_id']}/activate", headers=api.admin)
    assert refused.status_code == 409 and first["contract_id"] in refused.json()["detail"]


async def invoiced_rows(ctx, invoice_id: str) -> list:
    async with ctx.sessions() as session:
        t = invoiced_periods
        return (await session.execute(select(t.c.period, t.c.voided).where(t.c.invoice_id == invoice_id))).all()


def invoice_issued(invoice_id: str, number: str, contract: dict) -> dict:
    """invoice-svc's InvoiceIssued for the contract's March."""
    return envelope_for("InvoiceIssued", {
        "invoice_id": invoice_id, "invoice_number": number, "account_id": contract["advertiser_account_id"],
        "bill_to_account_id": contract["bill_to_account_id"], "contract_id": contract["contract_id"],
        "po_number": None, "period": "2026-03", "period_start": "2026-03-01", "period_end": "2026-03-31",
        "issue_date": "2026-04-01", "due_date": "2026-05-01", "currency": "USD", "lines": [], "subtotal": "100.00",
        "discount_total": "0.00", "commission_total": "0.00", "tax_total": "0.00", "total": "100.00"},
        subject=invoice_id, source="/mediabill/invoice-svc")


def invoice_voided(invoice_id: str, number: str, contract: dict) -> dict:
    return envelope_for("InvoiceVoided", {
        "invoice_id": invoice_id, "invoice_number": number, "bill_to_account_id": contract["bill_to_account_id"],
        "reason": "wrong PO", "voided_by": "bob", "voided_at": "2026-04-02T10:00:00Z"},
        subject=invoice_id, source="/mediabill/invoice-svc")


async def test_amendment_into_an_invoiced_period_is_refused_until_the_invoice_is_voided(
        config_api, kafka_bootstrap):
    api = config_api
    product = await api.product("INV")
    contract = await make_contract(api, product["code"], "AM")
    cid = contract["contract_id"]
    await api.ok("POST", f"/v1/contracts/{cid}/activate")
    invoice_id, number = f"inv-{api.unique}", f"INV-2026-{api.unique[:8]}"
    await publish(kafka_bootstrap, "billing.invoices.v1",
                  [(contract["bill_to_account_id"], invoice_issued(invoice_id, number, contract))])

    async def recorded():
        return await invoiced_rows(api.ctx, invoice_id)

    await consume_until(api.ctx, make_runner, TOPICS, recorded, group_id=f"pcs-test-{api.unique}")
    refused = await api.client.post(f"/v1/contracts/{cid}/amendments", headers=api.admin, json={
        "effective_from": "2026-03-20", "discount_pct": "10", "reason": "make-good"})
    assert refused.status_code == 409
    assert refused.json()["invoiced_period"] == "2026-03" and refused.json()["invoice_number"] == number
    assert "earliest allowed effective_from is 2026-04-01" in refused.json()["detail"]
    before = await api.client.post(f"/v1/contracts/{cid}/amendments", headers=api.admin, json={
        "effective_from": "2026-02-01", "discount_pct": "10", "reason": "back-dated"})
    assert before.status_code == 409 and before.json()["invoiced_period"] == "2026-03"

    await publish(kafka_bootstrap, "billing.invoices.v1",
                  [(contract["bill_to_account_id"], invoice_voided(invoice_id, number, contract))])

    async def freed():
        return [r for r in await invoiced_rows(api.ctx, invoice_id) if r.voided]

    await consume_until(api.ctx, make_runner, TOPICS, freed, group_id=f"pcs-test-{api.unique}")
    # The void freed March: its terms may change again before the period is re-issued.
    again = await api.client.post(f"/v1/contracts/{cid}/amendments", headers=api.admin, json={
        "effective_from": "2026-03-20", "discount_pct": "10", "reason": "make-good before re-issue"})
    assert again.status_code == 201 and again.json()["amendment_no"] == 1


async def parked_for(ctx, invoice_id: str) -> list[str]:
    async with ctx.sessions() as session:
        t = ctx.tables.parked_events
        return list((await session.execute(select(t.c.envelope["type"].astext).where(
            t.c.consumer == ctx.settings.service_name, t.c.waiting_for == invoice_id))).scalars())


async def test_a_void_that_overtakes_its_invoice_is_parked_and_applied_when_the_invoice_arrives(
        config_api, kafka_bootstrap):
    api = config_api
    product = await api.product("OVT")
    contract = await make_contract(api, product["code"], "OV")
    await api.ok("POST", f"/v1/contracts/{contract['contract_id']}/activate")
    invoice_id, number = f"inv-ov-{api.unique}", f"INV-2026-OV{api.unique[:6]}"
    key = contract["bill_to_account_id"]
    await publish(kafka_bootstrap, "billing.invoices.v1", [(key, invoice_voided(invoice_id, number, contract))])

    async def parked():
        return await parked_for(api.ctx, invoice_id)

    await consume_until(api.ctx, make_runner, TOPICS, parked, group_id=f"pcs-test-{api.unique}")
    assert await parked() == ["InvoiceVoided"] and await invoiced_rows(api.ctx, invoice_id) == []

    await publish(kafka_bootstrap, "billing.invoices.v1", [(key, invoice_issued(invoice_id, number, contract))])

    async def recorded():
        return await invoiced_rows(api.ctx, invoice_id)

    await consume_until(api.ctx, make_runner, TOPICS, recorded, group_id=f"pcs-test-{api.unique}")
    # Replayed in the InvoiceIssued's own transaction: recorded and freed at once, nothing left waiting.
    assert [tuple(r) for r in await recorded()] == [("2026-03", True)]
    assert await parked() == []
    amended = await api.client.post(f"/v1/contracts/{contract['contract_id']}/amendments", headers=api.admin,
                                    json={"effective_from": "2026-03-20", "discount_pct": "10",
                                          "reason": "make-good: March was voided"})
    assert amended.status_code == 201


async def test_accounts_are_found_by_part_of_their_name_ignoring_case(config_api):
    api = config_api
    acme = await api.account("ACME", legal_name=f"Acme Foods {api.unique} Ltd")
    await api.account("OTHER", legal_name=f"Other Brands {api.unique}")
    wildcard = await api.account("PCT", legal_name=f"100% Juice_{api.unique}")

    async def found(q: str) -> list[str]:
        page = await api.ok("GET", "/v1/accounts", params={"q": q, "limit": 500}, headers=api.reader)
        return [a["account_id"] for a in page.json()["items"]]

    assert await found(f"acme foods {api.unique}") == [acme["account_id"]]
    assert await found(f"ACME-{api.unique}") == [acme["account_id"]]  # the id too
    assert await found(f"0% juice_{api.unique}") == [wildcard["account_id"]]
    assert await found(f"%_{api.unique}") == []  # % and _ are matched as themselves
    assert await found(f"nobody-{api.unique}") == []
