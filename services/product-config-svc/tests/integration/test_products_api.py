"""Products through the REST API on real PostgreSQL, events read back from the real billing.config.v1 topic,
readiness priced by the real invoice-svc app (and stand-ins for its failure modes)."""

from mediabill_common.testing.plugin import bearer


async def test_product_lifecycle_publishes_full_state_with_increasing_versions(config_api):
    api, code = config_api, f"DISPLAY-{config_api.unique}"
    created = await api.ok("POST", "/v1/products", 201, json={
        "code": code, "name": "Onsite display", "channel": "onsite", "pricing_model": "cpm",
        "gl_revenue_account": "401000", "tax_code": "ADV", "invoice_description": "Display impressions",
        "reason": "Q1 launch"})
    assert created.headers["ETag"] == 'W/"1"' and created.json()["status"] == "draft"
    await api.ok("POST", f"/v1/products/{code}/rate-cards", 201, json={
        "effective_from": "2026-01-01", "currency": "USD", "price": "6.00"})
    await api.ok("POST", f"/v1/products/{code}/rate-cards", 201, json={
        "effective_from": "2026-03-15", "currency": "USD", "price": "6.50",
        "tiers": [{"up_to": 1000000, "price": "6.50"}, {"up_to": None, "price": "6.00"}]})
    live = await api.ok("POST", f"/v1/products/{code}/activate", json={"reason": "checklist green"})
    assert live.json()["status"] == "live" and live.headers["ETag"] == 'W/"4"'
    await api.ok("POST", f"/v1/products/{code}/retire")

    events = await api.events(code, 5)
    assert [e["type"] for e in events] == ["ProductCreated", "RateCardAdded", "RateCardAdded", "ProductActivated",
                                           "ProductRetired"]
    assert [e["data"]["state_version"] for e in events] == [1, 2, 3, 4, 5]
    last = events[-1]["data"]["product"]
    assert last["status"] == "retired" and last["gl_revenue_account"] == "401000"
    assert [(c["effective_from"], c["price"]) for c in last["rate_cards"]] == [("2026-01-01", "6.00"),
                                                                               ("2026-03-15", "6.50")]
    assert last["rate_cards"][1]["tiers"] == [{"up_to": 1000000, "price": "6.50"}, {"up_to": None, "price": "6.00"}]


async def test_price_history_answers_what_the_price_was_on_a_date(config_api):
    api = config_api
    product = await api.product("PRICE", rate="6.00", live=False)
    code = product["code"]
    await api.ok("POST", f"/v1/products/{code}/rate-cards", 201, json={
        "effective_from": "2026-03-15", "currency": "USD", "price": "6.50"})
    on_14th = await api.ok("GET", f"/v1/products/{code}/price?on=2026-03-14", headers=api.reader)
    assert on_14th.json()["price"] == "6.00" and on_14th.json()["effective_from"] == "2026-01-01"
    on_15th = await api.ok("GET", f"/v1/products/{code}/price?on=2026-03-15", headers=api.reader)
    assert on_15th.json()["price"] == "6.50"
    before = await api.client.get(f"/v1/products/{code}/price?on=2025-12-31", headers=api.reader)
    assert before.status_code == 404 and "2025-12-31" in before.json()["detail"]
    rewrite = await api.client.post(f"/v1/products/{code}/rate-cards", headers=api.admin, json={
        "effective_from": "2026-02-01", "currency": "USD", "price": "1.00"})
    assert rewrite.status_code == 409 and "2026-03-15" in rewrite.json()["detail"]


async def test_readiness_lists_every_item_and_activation_refuses_listing_the_failing_ones(config_api):
    api, code = config_api, f"INCOMPLETE-{config_api.unique}"
    await api.ok("POST", "/v1/products", 201, json={"code": code, "name": "Video", "channel": "offsite",
                                                    "pricing_model": "vcpm"})
    readiness = (await api.ok("GET", f"/v1/products/{code}/readiness", headers=api.reader)).json()
    assert readiness["ready"] is False
    by_item = {i["item"]: i for i in readiness["items"]}
    assert list(by_item) == ["pricing_model", "gl_revenue_account", "tax_code", "invoice_description",
                             "price_simulation"]
    assert all(not i["passed"] for i in by_item.values())
    # The real invoice-svc cannot price a vcpm line without a rate: it says so, and that is the item's reason.
    assert "missing_rate" in by_item["price_simulation"]["reason"]
    refused = await api.client.post(f"/v1/products/{code}/activate", headers=api.admin)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert [i["item"] for i in refused.json()["failing_items"]] == ["pricing_model", "gl_revenue_account",
                                                                    "tax_code", "invoice_description",
                                                                    "price_simulation"]
    assert "vcpm needs a rate card" in refused.json()["detail"]
    assert (await api.ok("GET", f"/v1/products/{code}", headers=api.reader)).json()["status"] == "draft"


async def test_each_pricing_model_goes_live_after_the_real_invoice_svc_prices_its_sample(config_api):
    api = config_api
    for name, model, fields, rate in [("CPM", "cpm", {}, "6.00"), ("VCPM", "vcpm", {}, "9.00"),
                                      ("CPC", "cpc", {}, "0.85"), ("CPA", "cpa", {"contract_priced": True}, None),
                                      ("AUCTION", "auction_cpc", {}, None), ("FEE", "flat_fee", {}, None)]:
        product = await api.product(name, model, rate=rate, live=False, **fields)
        readiness = (await api.ok("GET", f"/v1/products/{product['code']}/readiness")).json()
        assert readiness["ready"], (model, readiness)
        simulation = readiness["items"][-1]
        assert simulation["item"] == "price_simulation" and "total" in simulation["reason"]
        live = await api.ok("POST", f"/v1/products/{product['code']}/activate")
        assert live.json()["status"] == "live"


async def test_unreachable_invoice_svc_fails_the_simulation_item_and_blocks_go_live(
        config_api_with_invoice_svc, unreachable_invoice_svc_url):
    api = await config_api_with_invoice_svc(unreachable_invoice_svc_url)
    product = await api.product("OFFLINE", live=False)
    readiness = (await api.ok("GET", f"/v1/products/{product['code']}/readiness")).json()
    simulation = readiness["items"][-1]
    assert simulation["passed"] is False and simulation["reason"].startswith("invoice-svc unreachable: ")
    assert all(i["passed"] for i in readiness["items"][:-1])
    refused = await api.client.post(f"/v1/products/{product['code']}/activate", headers=api.admin)
    assert refused.status_code == 409
    assert [i["item"] for i in refused.json()["failing_items"]] == ["price_simulation"]


async def test_invoice_svc_refusal_and_exceptions_fail_the_simulation_with_their_detail(
        config_api_with_invoice_svc, stand_in_invoice_svc):
    refusing = await config_api_with_invoice_svc(stand_in_invoice_svc(422, {
        "type": "about:blank", "title": "Unprocessable", "status": 422, "detail": "product.rate_cards[0] invalid"}))
    product = await refusing.product("REFUSED", live=False)
    item = (await refusing.ok("GET", f"/v1/products/{product['code']}/readiness")).json()["items"][-1]
    assert item == {"item": "price_simulation", "passed": False,
                    "reason": "invoice-svc refused the simulation (422): product.rate_cards[0] invalid"}

    failing = await config_api_with_invoice_svc(stand_in_invoice_svc(500, {"detail": "pricing engine crashed"}))
    product = await failing.product("BROKEN", live=False)
    item = (await failing.ok("GET", f"/v1/products/{product['code']}/readiness")).json()["items"][-1]
    assert item["reason"] == "invoice-svc refused the simulation (500): pricing engine crashed"

    flagged = await config_api_with_invoice_svc(stand_in_invoice_svc(200, {
        "lines": [{}], "subtotal": "0.00", "discount_total": "0.00", "commission_total": "0.00",
        "tax_total": "0.00", "total": "0.00", "currency": "USD",
        "exceptions": [{"kind": "missing_rate", "message": "no rate for line SAMPLE-LI",
                        "refs": {"line_item_id": "SAMPLE-LI"}}]}))
    product = await flagged.product("FLAGGED", live=False)
    item = (await flagged.ok("GET", f"/v1/products/{product['code']}/readiness")).json()["items"][-1]
    assert item["reason"] == ("the simulation raised billing exceptions: missing_rate (no rate for line "
                              "SAMPLE-LI) [line_item_id=SAMPLE-LI]")


async def test_simulate_prices_caller_deliveries_and_writes_nothing(config_api):
    api = config_api
    product = await api.product("SIM", "cpc", rate="0.80")
    delivery = {"delivery_id": f"d-{api.unique}", "revision": 0, "source_system": "pio", "account_id": "X",
                "contract_id": None, "campaign_id": "C", "line_item_id": "L", "product_code": product["code"],
                "delivery_date": "2026-03-14", "impressions": 1000, "viewable_impressions": 700, "clicks": 100,
                "conversions": 0}
    result = await api.ok("POST", f"/v1/products/{product['code']}/simulate", headers=api.reader,
                          json={"deliveries": [delivery]})
    body = result.json()
    assert body["period"] == "2026-03" and body["currency"] == "USD"
    assert body["subtotal"] == "80.00"
    after = await api.ok("GET", f"/v1/products/{product['code']}", headers=api.reader)
    assert after.headers["ETag"] == product_etag(3)  # created, rate card, activated: the simulation wrote nothing
    wrong = await api.client.post(f"/v1/products/{product['code']}/simulate", headers=api.reader,
                                  json={"deliveries": [{**delivery, "product_code": "OTHER"}]})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "deliveries[0].product_code"


async def test_a_simulation_invoice_svc_cannot_price_is_answered_503_422_or_502_as_problem_json(
        config_api_with_invoice_svc, stand_in_invoice_svc, unreachable_invoice_svc_url):
    answers = {}
    for name, invoice_svc in [("AWAY", unreachable_invoice_svc_url),
                              ("REFUSES", stand_in_invoice_svc(422, {"detail": "period 2026-13 invalid"})),
                              ("CRASHES", stand_in_invoice_svc(500, {"detail": "pricing engine crashed"}))]:
        api = await config_api_with_invoice_svc(invoice_svc)
        # Draft products: going live needs a simulation these invoice-svcs cannot give.
        product = await api.product(name, live=False)
        delivery = {"delivery_id": f"d-{api.unique}", "revision": 0, "source_system": "pio", "account_id": "X",
                    "contract_id": None, "campaign_id": "C", "line_item_id": "L", "product_code": product["code"],
                    "delivery_date": "2026-03-14", "impressions": 1000, "viewable_impressions": 700, "clicks": 1,
                    "conversions": 0}
        answer = await api.client.post(f"/v1/products/{product['code']}/simulate", headers=api.reader,
                                       json={"deliveries": [delivery]})
        assert answer.headers["content-type"] == "application/problem+json", answer.text
        answers[name] = (answer.status_code, answer.json()["detail"])
    assert answers["AWAY"][0] == 503 and answers["AWAY"][1].startswith("invoice-svc unreachable: ")
    assert answers["REFUSES"] == (422, "invoice-svc refused the simulation (422): period 2026-13 invalid")
    assert answers["CRASHES"] == (502, "invoice-svc refused the simulation (500): pricing engine crashed")


def product_etag(version: int) -> str:
    return f'W/"{version}"'


async def test_patch_needs_a_fresh_etag_and_live_products_keep_their_pricing_model(config_api):
    api = config_api
    product = await api.product("PATCHED")
    path = f"/v1/products/{product['code']}"
    etag = (await api.ok("GET", path)).headers["ETag"]
    changed = await api.ok("PATCH", path, json={"invoice_description": "Display (CPM)", "reason": "clearer"},
                           headers={**api.admin, "If-Match": etag})
    assert changed.json()["invoice_description"] == "Display (CPM)"
    stale = await api.client.patch(path, json={"name": "x"}, headers={**api.admin, "If-Match": etag})
    assert stale.status_code == 412
    frozen = await api.client.patch(path, json={"pricing_model": "cpc"}, headers=api.admin)
    assert frozen.status_code == 409 and "pricing_model" in frozen.json()["detail"]
    audit = (await api.ok("GET", f"/v1/audit?entity_type=product&entity_id={product['code']}")).json()["items"]
    update = next(a for a in audit if a["action"] == "update")
    assert update["actor"] == f"admin-{api.unique}" and update["reason"] == "clearer"
    assert update["before"]["invoice_description"] == "PATCHED media"
    assert update["after"]["invoice_description"] == "Display (CPM)"


async def test_auth_roles_and_validation_problems(config_api):
    api = config_api
    body = {"code": f"AUTH-{api.unique}", "name": "n", "channel": "onsite", "pricing_model": "cpm"}
    assert (await api.client.post("/v1/products", json=body)).status_code == 401
    assert (await api.client.get("/v1/products")).status_code == 401
    for role in ("billing-analyst", "auditor", "service", "billing-director"):
        refused = await api.client.post("/v1/products", json=body, headers=bearer([role]))
        assert refused.status_code == 403, role
    assert (await api.client.get("/v1/products", headers=bearer(["auditor"]))).status_code == 200
    bad = await api.client.post("/v1/products", headers=api.admin, json={**body, "pricing_model": "cpx",
                                                                         "gl_revenue_account": "12"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in bad.json()["errors"]] == ["pricing_model"]
    gl = await api.client.post("/v1/products", headers=api.admin, json={**body, "gl_revenue_account": "12"})
    assert gl.status_code == 422 and gl.json()["errors"] == [
        {"field": "gl_revenue_account", "message": gl.json()["errors"][0]["message"]}]
    assert "4-8 digits" in gl.json()["errors"][0]["message"]


async def test_idempotency_key_replays_the_first_creation(config_api):
    api = config_api
    body = {"code": f"IDEM-{api.unique}", "name": "n", "channel": "onsite", "pricing_model": "flat_fee"}
    headers = {**api.admin, "Idempotency-Key": f"k-{api.unique}"}
    first = await api.ok("POST", "/v1/products", 201, json=body, headers=headers)
    again = await api.ok("POST", "/v1/products", 201, json=body, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
    other = await api.client.post("/v1/products", json={**body, "name": "m"}, headers=headers)
    assert other.status_code == 422
    events = await api.events(body["code"], 1)
    assert events[0]["type"] == "ProductCreated"


async def test_product_list_filters_and_paginates(config_api):
    api = config_api
    for i in range(3):
        await api.ok("POST", "/v1/products", 201, json={"code": f"LIST{i}-{api.unique}", "name": "n",
                                                        "channel": "in_store", "pricing_model": "flat_fee"})
    seen, cursor = [], None
    while True:
        params = {"channel": "in_store", "pricing_model": "flat_fee", "status": "draft", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await api.ok("GET", "/v1/products", params=params, headers=api.reader)).json()
        seen += [p["code"] for p in page["items"]]
        assert all(p["channel"] == "in_store" for p in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [c for c in seen if c.endswith(api.unique)] == [f"LIST{i}-{api.unique}" for i in range(3)]

