"""The delivery ledger and exception queue over HTTP, as billing operations use them."""

from __future__ import annotations

import httpx
import pytest

from invoice_svc.bootstrap import build_app
from invoice_svc.testing.events import account_state, config_event, contract_state, delivered, delivery, product_state
from mediabill_common.events.catalog import CONFIG_TOPIC, DELIVERY_TOPIC, EXCEPTIONS_TOPIC
from mediabill_common.testing.kafka import flush_outbox, read_topic
from mediabill_common.testing.plugin import bearer

pytestmark = pytest.mark.integration


@pytest.fixture
async def invoice_api(invoice_ctx):
    app = build_app(invoice_ctx)  # the context outlives the app: no lifespan run here
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        yield client


async def _seed(feed, u: str) -> dict:
    p, a, c = f"P-{u}", f"A-{u}", f"C-{u}"
    await feed.publish_and_apply(CONFIG_TOPIC, [
        config_event("ProductActivated", product_state(p)), config_event("BillingAccountUpserted", account_state(a)),
        config_event("ContractActivated", contract_state(c, account_id=a, product_code=p))])
    base = {"account_id": a, "product_code": p, "contract_id": c}
    await feed.publish_and_apply(DELIVERY_TOPIC, [
        delivered(delivery(f"D-{u}-1", delivery_date="2025-03-05", impressions=10, **base)),
        delivered(delivery(f"D-{u}-1", revision=1, delivery_date="2025-03-05", impressions=15, **base)),
        delivered(delivery(f"D-{u}-2", delivery_date="2025-03-06", **base)),
        delivered(delivery(f"D-{u}-3", delivery_date="2025-03-07", **base | {"contract_id": f"C-missing-{u}"})),
    ])
    return base


READER = bearer("auditor")
ANALYST = bearer("billing-analyst", "ana")


async def test_deliveries_list_filters_pages_and_shows_revisions(invoice_feed, invoice_api, unique):
    base = await _seed(invoice_feed, unique)
    first = await invoice_api.get("/v1/deliveries", params={"account_id": base["account_id"], "limit": 2,
                                                            "include": "revisions"}, headers=READER)
    assert first.status_code == 200
    body = first.json()
    assert [d["delivery_id"] for d in body["items"]] == [f"D-{unique}-1", f"D-{unique}-2"]
    assert body["items"][0]["revision"] == 1 and body["items"][0]["impressions"] == 15
    assert [r["revision"] for r in body["items"][0]["revisions"]] == [0, 1]
    second = await invoice_api.get("/v1/deliveries", params={"account_id": base["account_id"], "limit": 2,
                                                             "cursor": body["next_cursor"]}, headers=READER)
    assert [d["delivery_id"] for d in second.json()["items"]] == [f"D-{unique}-3"]
    assert second.json()["next_cursor"] is None

    parked = await invoice_api.get("/v1/deliveries", params={
        "account_id": base["account_id"], "billable": "false", "exception_kind": "unknown_contract",
        "from": "2025-03-01", "to": "2025-03-31"}, headers=READER)
    assert [d["delivery_id"] for d in parked.json()["items"]] == [f"D-{unique}-3"]


async def test_delivery_detail_shows_history_and_exceptions(invoice_feed, invoice_api, unique):
    await _seed(invoice_feed, unique)
    detail = (await invoice_api.get(f"/v1/deliveries/D-{unique}-3", headers=READER)).json()
    assert detail["billable"] is False and [x["kind"] for x in detail["exceptions"]] == ["unknown_contract"]
    missing = await invoice_api.get(f"/v1/deliveries/D-{unique}-404", headers=READER)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


async def test_ledger_requires_a_token_and_rejects_bad_filters(invoice_api):
    assert (await invoice_api.get("/v1/deliveries")).status_code == 401
    bad = await invoice_api.get("/v1/deliveries", params={"exception_kind": "nope"}, headers=READER)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "exception_kind"
    reversed_range = await invoice_api.get("/v1/deliveries", params={"from": "2025-03-02", "to": "2025-03-01"},
                                           headers=READER)
    assert reversed_range.status_code == 422


async def test_a_nul_character_in_a_filter_or_path_is_a_422_not_a_database_error(invoice_api):
    # Found by the stateful API tests: PostgreSQL refuses U+0000 in text, which was answered 500.
    in_filter = await invoice_api.get("/v1/deliveries", params={"line_item_id": "L1\x00"}, headers=READER)
    assert in_filter.status_code == 422
    assert in_filter.json()["errors"][0] == {"field": "line_item_id", "in": "query",
                                             "message": "contains the NUL character (U+0000), which no field accepts"}
    in_path = await invoice_api.get("/v1/exceptions/x%00y", headers=READER)
    assert in_path.status_code == 422 and in_path.json()["errors"][0]["in"] == "path"


async def test_analyst_assigns_and_resolves_an_exception(invoice_feed, invoice_ctx, invoice_api, kafka_bootstrap,
                                                         unique):
    base = await _seed(invoice_feed, unique)
    queue = (await invoice_api.get("/v1/exceptions", params={"account_id": base["account_id"], "status": "open",
                                                             "kind": "unknown_contract"}, headers=READER)).json()
    [exc] = queue["items"]
    assert exc["refs"]["delivery_id"] == f"D-{unique}-3" and exc["amount_at_risk"] == "500.00"  # rate card 5.00 CPM
    url = f"/v1/exceptions/{exc['exception_id']}"

    forbidden = await invoice_api.post(f"{url}/assign", json={"assignee": "ana"}, headers=READER)
    assert forbidden.status_code == 403
    etag = (await invoice_api.get(url, headers=READER)).headers["etag"]
    assigned = await invoice_api.post(f"{url}/assign", json={"assignee": "ana"}, headers=ANALYST | {"If-Match": etag})
    assert assigned.status_code == 200 and assigned.json()["status"] == "assigned"
    stale = await invoice_api.post(f"{url}/resolve", json={"resolution": "IO loaded by hand"},
                                   headers=ANALYST | {"If-Match": etag})
    assert stale.status_code == 412
    missing_reason = await invoice_api.post(f"{url}/resolve", json={}, headers=ANALYST)
    assert missing_reason.status_code == 422
    for cause in ("bad_luck", "system_resolved"):  # outside the list, or the system's own
        unknown_cause = await invoice_api.post(f"{url}/resolve", json={"resolution": "IO loaded by hand",
                                                                       "root_cause": cause}, headers=ANALYST)
        assert unknown_cause.status_code == 422
        assert unknown_cause.headers["content-type"].startswith("application/problem+json")
        assert (await invoice_api.get(url, headers=READER)).json()["status"] == "assigned"  # nothing written
    resolved = await invoice_api.post(f"{url}/resolve", json={"resolution": "IO loaded by hand",
                                                              "root_cause": "late_booking"}, headers=ANALYST)
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["resolved_by"]) == ("resolved", "ana")
    assert (await invoice_api.get(url, headers=READER)).json()["root_cause"] == "late_booking"
    again = await invoice_api.post(f"{url}/resolve", json={"resolution": "again"}, headers=ANALYST)
    assert again.status_code == 409

    await flush_outbox(invoice_ctx)
    [(event, _)] = await read_topic(kafka_bootstrap, EXCEPTIONS_TOPIC, lambda v, r: bool(v) and v.get("type") ==
                                    "BillingExceptionResolved" and v["data"]["exception_id"] == exc["exception_id"],
                                    count=1)
    assert (event["data"]["resolved_by"], event["data"]["resolution"]) == ("ana", "IO loaded by hand")
    assert event["data"]["root_cause"] == "late_booking"
    audit = (await invoice_api.get("/v1/audit", params={"entity_type": "billing_exception",
                                                        "entity_id": exc["exception_id"]}, headers=READER)).json()
    assert [e["action"] for e in audit["items"]] == ["resolve", "assign"]


async def test_exception_queue_filters_by_age_and_status(invoice_feed, invoice_api, unique):
    base = await _seed(invoice_feed, unique)
    young = await invoice_api.get("/v1/exceptions", params={"account_id": base["account_id"],
                                                            "older_than_hours": 1}, headers=READER)
    assert young.json()["items"] == []
    unresolved = await invoice_api.get("/v1/exceptions", params={"account_id": base["account_id"],
                                                                 "status": "unresolved"}, headers=READER)
    assert len(unresolved.json()["items"]) == 1
    assert (await invoice_api.get("/v1/exceptions/nope", headers=READER)).status_code == 404


async def test_trends_count_exceptions_by_root_cause_per_thousand_deliveries_ingested(invoice_feed, invoice_api,
                                                                                      unique):
    base = await _seed(invoice_feed, unique)  # three deliveries, one raising unknown_contract (500.00 held back)
    month = (await invoice_api.get("/v1/exceptions", params={"account_id": base["account_id"]},
                                   headers=READER)).json()["items"][0]["raised_at"][:7]
    window = {"from": month, "to": month, "bill_to_account_id": base["account_id"]}
    unresolved = (await invoice_api.get("/v1/trends", params=window, headers=READER)).json()
    assert [(s["group"], s["count"], s["value"]) for s in unresolved["series"]] == [("not_recorded", 1, "500.00")]
    [exc] = (await invoice_api.get("/v1/exceptions", params={"account_id": base["account_id"]},
                                   headers=READER)).json()["items"]
    assert (await invoice_api.post(f"/v1/exceptions/{exc['exception_id']}/resolve", json={
        "resolution": "IO loaded late", "root_cause": "late_booking"}, headers=ANALYST)).status_code == 200

    resp = await invoice_api.get("/v1/trends", params=window, headers=READER)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["by"], body["denominator"]) == ("root_cause", "deliveries_ingested")
    [series] = body["series"]
    assert (series["group"], series["currency"], series["count"], series["value"]) == ("late_booking", "USD", 1,
                                                                                       "500.00")
    assert series["months"] == [{"month": month, "count": 1, "value": "500.00", "denominator": 3,
                                 "rate": "333.3333"}]
    by_kind = (await invoice_api.get("/v1/trends", params=window | {"by": "kind"}, headers=READER)).json()
    assert [s["group"] for s in by_kind["series"]] == ["unknown_contract"]
    assert (await invoice_api.get("/v1/trends", params={"by": "reason_code"}, headers=READER)).status_code == 422
