"""GET /v1/kpis: dispute rate, turnaround, SLA adherence, ageing and disputed value, for one bill-to account."""

from __future__ import annotations

from datetime import UTC, date, datetime


async def test_kpis_state_rate_turnaround_sla_share_ageing_and_value(dispute_env_factory, unique):
    env = await dispute_env_factory(at=datetime(2026, 10, 6, 9, tzinfo=UTC))
    bill_to = f"agy-kpi-{unique}"
    invoices = [await env.seed_invoice(f"{unique}{i}", bill_to=bill_to, issue_date=date(2026, 10, 5),
                                       period="2026-09") for i in range(3)]
    a = (await env.open(invoices[0], {f"{unique}0-u1": "100.00"})).json()["dispute_id"]
    env.clock.at = datetime(2026, 10, 7, 9, tzinfo=UTC)
    b = (await env.open(invoices[1], {f"{unique}1-u2": "150.00", f"{unique}1-f1": "50.00"},
                        reason="delivery_discrepancy")).json()["dispute_id"]
    env.clock.at = datetime(2026, 10, 8, 9, tzinfo=UTC)
    await env.open(invoices[0], {f"{unique}0-u2": "50.00"})
    for did in (a, b):
        await env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
    env.clock.at = datetime(2026, 10, 6, 19, tzinfo=UTC)  # a resolved 10 hours after opening
    assert (await env.post(f"/v1/disputes/{a}/resolve", {
        "outcome": "rejected", "credit_amount": "0", "resolution_note": "delivery confirmed"})).status_code == 200
    env.clock.at = datetime(2026, 11, 16, 9, tzinfo=UTC)  # b resolved after 40 days, past its 30-day target
    assert (await env.post(f"/v1/disputes/{b}/resolve", {
        "outcome": "upheld", "credit_amount": "200.00", "resolution_note": "log gap"})).status_code == 200

    resp = await env.get("/v1/kpis", **{"from": "2026-10-01", "to": "2026-12-31", "bill_to_account_id": bill_to})
    assert resp.status_code == 200, resp.text
    k = resp.json()
    assert k["dispute_rate"] | {"definition": None} == {"disputed_invoices": 2, "issued_invoices": 3,
                                                         "rate": "0.6667", "definition": None}
    assert k["disputes_opened"] == 3
    assert (k["turnaround"]["unit"], k["turnaround"]["median"], k["turnaround"]["p90"]) == ("hours", "485.0",
                                                                                           "960.0")
    assert k["resolved_within_sla"] == {"resolved": 2, "within_sla": 1, "share": "0.5000"}
    assert k["open_by_age_bucket"] == {"0-7d": 0, "8-30d": 0, "31-60d": 1, ">60d": 0}  # 39 days open
    assert k["disputed_value_by_reason_code"] == [
        {"reason_code": "delivery_discrepancy", "currency": "USD", "amount": "200.00", "disputes": 1},
        {"reason_code": "rate_mismatch", "currency": "USD", "amount": "150.00", "disputes": 2}]
    by_product = {(r["product_code"], r["amount"]) for r in k["disputed_value_by_product"]}
    assert by_product == {(f"display-{unique}0", "150.00"), (f"display-{unique}1", "150.00"),
                          (f"sponsor-{unique}1", "50.00")}


async def test_kpis_window_must_run_forwards(dispute_env):
    resp = await dispute_env.get("/v1/kpis", **{"from": "2026-10-31", "to": "2026-10-01"})
    assert resp.status_code == 422 and "is after `to`" in resp.json()["detail"]
    assert (await dispute_env.get("/v1/kpis", **{"from": "2026-10-01x"})).status_code == 422
    assert (await dispute_env.get("/v1/kpis", **{"from": "2026-02-30"})).status_code == 422


async def test_kpi_windows_include_both_their_days_and_a_month_stands_for_its_days(dispute_env_factory, unique):
    env = await dispute_env_factory(at=datetime(2026, 10, 6, 9, tzinfo=UTC))
    bill_to = f"agy-edge-{unique}"
    invoices = [await env.seed_invoice(f"{unique}e{i}", bill_to=bill_to, issue_date=date(2026, 10, 5),
                                       period="2026-09") for i in range(3)]
    for i, day in enumerate((6, 7, 8)):  # one dispute opened on each of 6, 7 and 8 October (09:00 UTC)
        env.clock.at = datetime(2026, 10, day, 9, tzinfo=UTC)
        assert (await env.open(invoices[i], {f"{unique}e{i}-u1": "10.00"})).status_code == 201

    async def opened(**window: str) -> int:
        resp = await env.get("/v1/kpis", **window, bill_to_account_id=bill_to)
        assert resp.status_code == 200, resp.text
        return resp.json()["disputes_opened"]

    assert await opened(**{"from": "2026-10-07", "to": "2026-10-07"}) == 1
    assert await opened(**{"from": "2026-10-06", "to": "2026-10-08"}) == 3
    assert await opened(**{"from": "2026-10-09", "to": "2026-10-31"}) == 0
    assert await opened(**{"from": "2026-10", "to": "2026-10"}) == 3
    assert await opened(**{"from": "2026-09", "to": "2026-10-05"}) == 0


async def test_trends_count_disputes_by_root_cause_and_month_largest_value_first(dispute_env_factory, unique):
    env = await dispute_env_factory(at=datetime(2026, 10, 6, 9, tzinfo=UTC))
    bill_to = f"agy-trend-{unique}"
    invoices = [await env.seed_invoice(f"{unique}t{i}", bill_to=bill_to, issue_date=date(2026, 10, 5),
                                       period="2026-09") for i in range(4)]
    causes = {0: ("delivery_data", "100.00"), 1: ("delivery_data", "30.00"), 2: ("config_rate_card", "200.00")}
    for i, (cause, amount) in causes.items():
        did = (await env.open(invoices[i], {f"{unique}t{i}-u1": amount})).json()["dispute_id"]
        await env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
        resolved = await env.post(f"/v1/disputes/{did}/resolve", {
            "outcome": "rejected", "credit_amount": "0", "resolution_note": "checked", "root_cause": cause})
        assert resolved.status_code == 200, resolved.text
    env.clock.at = datetime(2026, 11, 3, 9, tzinfo=UTC)  # still open: no cause recorded yet
    await env.open(invoices[3], {f"{unique}t3-u1": "10.00"})

    resp = await env.get("/v1/trends", **{"from": "2026-10-01", "to": "2026-11-30", "bill_to_account_id": bill_to})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["by"], body["denominator"]) == ("root_cause", "invoices_issued")
    assert [(s["group"], s["count"], s["value"]) for s in body["series"]] == [
        ("config_rate_card", 1, "200.00"), ("delivery_data", 2, "130.00"), ("not_recorded", 1, "10.00")]
    assert body["series"][1]["months"] == [{"month": "2026-10", "count": 2, "value": "130.00", "denominator": 4,
                                            "rate": "0.5000"}]
    assert body["series"][2]["months"][0] | {"value": None} == {"month": "2026-11", "count": 1, "value": None,
                                                               "denominator": 0, "rate": None}
    october = await env.get("/v1/trends", **{"from": "2026-10", "to": "2026-10", "bill_to_account_id": bill_to,
                                             "by": "reason_code"})
    assert [(s["group"], s["count"]) for s in october.json()["series"]] == [("rate_mismatch", 3)]
    by_product = await env.get("/v1/trends", **{"from": "2026-10", "to": "2026-10", "bill_to_account_id": bill_to,
                                                "by": "product_code"})
    assert [(s["group"], s["value"]) for s in by_product.json()["series"]] == [
        (f"display-{unique}t2", "200.00"), (f"display-{unique}t0", "100.00"), (f"display-{unique}t1", "30.00")]
    assert (await env.get("/v1/trends", by="weather")).status_code == 422
    assert (await env.get("/v1/trends", period="2026-10")).status_code == 422  # unknown parameters are refused
