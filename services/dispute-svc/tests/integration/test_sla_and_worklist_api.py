"""SLA policy, SLA clock on disputes opened before a weekend, and the worklist filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

FRIDAY = datetime(2026, 11, 6, 15, 0, tzinfo=UTC)


async def test_dispute_opened_on_friday_is_due_for_assignment_on_tuesday_and_goes_overdue(dispute_env_factory,
                                                                                         unique):
    env = await dispute_env_factory(at=FRIDAY)
    inv = await env.seed_invoice(unique)
    opened = await env.open(inv, {f"{unique}-u1": "10.00"})
    did = opened.json()["dispute_id"]
    sla = opened.json()["sla"]
    assert sla["assignment_due_at"] == "2026-11-10T15:00:00Z"
    assert sla["resolution_due_at"] == "2026-12-06T15:00:00Z"
    assert (sla["overdue"], sla["age_bucket"]) == (False, "0-7d")

    env.clock.at = datetime(2026, 11, 10, 15, 1, tzinfo=UTC)  # a minute past the assignment due time
    late = (await env.get(f"/v1/disputes/{did}")).json()["sla"]
    assert (late["assignment_overdue"], late["overdue"], late["age_days"]) == (True, True, 4)
    overdue = await env.get("/v1/disputes", bill_to_account_id=inv["bill_to_account_id"], overdue="true")
    assert [d["dispute_id"] for d in overdue.json()["items"]] == [did]
    on_time = await env.get("/v1/disputes", bill_to_account_id=inv["bill_to_account_id"], overdue="false")
    assert on_time.json()["items"] == []

    await env.post(f"/v1/disputes/{did}/assign", {"assignee": "jane"})
    assigned = (await env.get(f"/v1/disputes/{did}")).json()["sla"]
    assert (assigned["assignment_overdue"], assigned["overdue"]) == (True, False)  # late, but now in review
    env.clock.at = datetime(2026, 12, 20, tzinfo=UTC)
    assert (await env.get(f"/v1/disputes/{did}")).json()["sla"]["resolution_overdue"] is True


async def test_sla_policy_per_reason_code_is_managed_by_billing_managers(dispute_env_factory, unique):
    env = await dispute_env_factory(at=FRIDAY)
    current = await env.get("/v1/sla-policy")
    assert current.status_code == 200
    original, etag = current.json(), current.headers["etag"]
    assert set(original) == {"default", "by_reason_code", "version"}
    policy = {"default": {"assignment_business_days": 2, "resolution_calendar_days": 30},
              "by_reason_code": {"tax": {"assignment_business_days": 1, "resolution_calendar_days": 10}},
              "reason": "tax disputes are simple"}
    denied = await env.http.put("/v1/sla-policy", json=policy, headers=_auth("billing-analyst"))
    assert denied.status_code == 403
    stale = await env.http.put("/v1/sla-policy", json=policy,
                               headers={**_auth("billing-manager"), "If-Match": 'W/"99999"'})
    assert stale.status_code == 412
    unknown = await env.http.put("/v1/sla-policy", headers=_auth("billing-manager"), json={
        **policy, "by_reason_code": {"pricing": policy["by_reason_code"]["tax"]}})
    assert unknown.status_code == 422 and "pricing" in unknown.json()["detail"]
    try:
        put = await env.http.put("/v1/sla-policy", json=policy, headers={**_auth("billing-manager"),
                                                                         "If-Match": etag})
        assert put.status_code == 200 and put.json()["by_reason_code"]["tax"]["resolution_calendar_days"] == 10
        inv = await env.seed_invoice(unique)
        tax = (await env.open(inv, {f"{unique}-u1": "10.00"}, reason="tax")).json()["sla"]
        assert (tax["assignment_due_at"], tax["resolution_due_at"]) == ("2026-11-09T15:00:00Z",
                                                                       "2026-11-16T15:00:00Z")
        other = (await env.open(inv, {f"{unique}-u2": "10.00"}, reason="other")).json()["sla"]
        assert other["assignment_due_at"] == "2026-11-10T15:00:00Z"
    finally:
        restore = {"default": original["default"], "by_reason_code": original["by_reason_code"]}
        await env.http.put("/v1/sla-policy", json=restore, headers=_auth("billing-manager"))


async def test_worklist_filters_by_status_reason_assignee_age_and_pages(dispute_env_factory, unique):
    env = await dispute_env_factory(at=datetime(2026, 11, 3, 9, tzinfo=UTC))
    inv = await env.seed_invoice(unique)
    bill_to = inv["bill_to_account_id"]
    ids = []
    for i, (line, reason) in enumerate([("u1", "rate_mismatch"), ("u2", "tax"), ("f1", "rate_mismatch")]):
        env.clock.at += timedelta(days=10 * i)
        ids.append((await env.open(inv, {f"{unique}-{line}": "10.00"}, reason=reason)).json()["dispute_id"])
    await env.post(f"/v1/disputes/{ids[0]}/assign", {"assignee": f"jane-{unique}"})

    async def listed(**params):
        resp = await env.get("/v1/disputes", bill_to_account_id=bill_to, **params)
        assert resp.status_code == 200, resp.text
        return [d["dispute_id"] for d in resp.json()["items"]]

    assert await listed() == [ids[2], ids[1], ids[0]]  # newest first
    assert await listed(reason_code="rate_mismatch") == [ids[2], ids[0]]
    assert await listed(status="in_review") == [ids[0]]
    assert await listed(assignee=f"jane-{unique}") == [ids[0]]
    assert await listed(age_bucket="0-7d") == [ids[2]]      # opened 12-03, the clock is at 12-03
    assert await listed(age_bucket="8-30d") == [ids[1], ids[0]]  # 20 and 30 days old
    assert await listed(age_bucket=">60d") == []
    assert (await env.get("/v1/disputes", status="lost")).status_code == 422

    first = await env.get("/v1/disputes", bill_to_account_id=bill_to, limit=2)
    assert len(first.json()["items"]) == 2 and first.json()["next_cursor"]
    rest = await env.get("/v1/disputes", bill_to_account_id=bill_to, limit=2, cursor=first.json()["next_cursor"])
    assert [d["dispute_id"] for d in rest.json()["items"]] == [ids[0]] and rest.json()["next_cursor"] is None


def _auth(role: str) -> dict[str, str]:
    from mediabill_common.testing.plugin import bearer

    return bearer(role, "max")
