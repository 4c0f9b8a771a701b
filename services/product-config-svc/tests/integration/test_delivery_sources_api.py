"""Delivery sources through the REST API on real PostgreSQL (oversight.md O1); DeliverySourceRegistered read back
from billing.config.v1."""


async def test_config_admin_registers_a_delivery_source_and_changes_its_event_sources(config_api):
    api = config_api
    system = f"oms-{api.unique.lower()}"
    path = f"/v1/delivery-sources/{system}"
    created = await api.ok("PUT", path, 201, json={"name": "Order management system",
                                                   "event_sources": ["/ad-platforms/oms"], "reason": "parallel run"})
    assert created.json() == {"source_system": system, "name": "Order management system",
                              "event_sources": ["/ad-platforms/oms"], "state_version": 1}
    assert (created.headers["ETag"], created.headers["Location"]) == ('W/"1"', path)
    stale = await api.client.put(path, headers={**api.admin, "If-Match": 'W/"7"'},
                                 json={"name": "OMS", "event_sources": ["/ad-platforms/oms/"]})
    assert stale.status_code == 412
    changed = await api.ok("PUT", path, json={"name": "OMS", "event_sources": ["/ad-platforms/oms/", "/oms"]},
                           headers={**api.admin, "If-Match": created.headers["ETag"]})
    assert (changed.json()["event_sources"], changed.json()["state_version"]) == (["/ad-platforms/oms/", "/oms"], 2)
    listed = []
    cursor = None
    while True:
        page = (await api.ok("GET", "/v1/delivery-sources", headers=api.reader,
                             params={"limit": 100} | ({"cursor": cursor} if cursor else {}))).json()
        listed += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    assert [s for s in listed if s["source_system"] == system] == [changed.json()]
    events = await api.events(system, 2)
    assert [(e["type"], e["data"]["state_version"]) for e in events] == [("DeliverySourceRegistered", 1),
                                                                         ("DeliverySourceRegistered", 2)]
    assert events[1]["data"]["delivery_source"]["event_sources"] == ["/ad-platforms/oms/", "/oms"]


async def test_only_config_admins_register_and_bad_sources_are_refused_with_every_problem(config_api):
    api = config_api
    path = f"/v1/delivery-sources/pio-{api.unique.lower()}"
    denied = await api.client.put(path, headers=api.reader, json={"name": "PIO", "event_sources": ["/pio"]})
    assert denied.status_code == 403
    refused = await api.client.put(path, headers=api.admin, json={
        "name": " ", "event_sources": ["/ad-platforms/pio", "ad-platforms/pio", "/ad-platforms/pio"]})
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["name", "event_sources", "event_sources[1]"]
    upper = await api.client.put(f"/v1/delivery-sources/PIO-{api.unique}", headers=api.admin,
                                 json={"name": "PIO", "event_sources": ["/pio"]})
    assert upper.status_code == 422
    assert (await api.client.get("/v1/delivery-sources", headers=api.reader)).status_code == 200
    assert (await api.client.get("/v1/delivery-sources")).status_code == 401
