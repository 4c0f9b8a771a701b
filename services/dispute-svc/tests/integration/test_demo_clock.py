"""The demo clock: on a demo stack (DEMO_CLOCK) a change may name its time, so the demo's disputes take hours and
days and the turnaround KPIs are not 0.0; anywhere else the header is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx

from dispute_svc.adapters.clock import SystemClock
from dispute_svc.bootstrap import build, build_app
from mediabill_common.testing.plugin import bearer
from tools.demo.timeline import dispute_times

HEADER = "Mediabill-Demo-Time"


def _body(invoice: dict, line: str, amount: str) -> dict:
    return {"invoice_id": invoice["invoice_id"], "reason_code": "delivery_discrepancy",
            "description": "our ad server counted fewer impressions",
            "lines": [{"invoice_line_id": line, "amount": amount}]}


async def test_a_stack_without_the_demo_clock_refuses_the_header(dispute_env, unique):
    invoice = await dispute_env.seed_invoice(unique)
    response = await dispute_env.http.post("/v1/disputes", json=_body(invoice, f"{unique}-u1", "10.00"), headers={
        **bearer("billing-analyst", "ana"), HEADER: "2026-11-12T09:00:00+00:00"})
    assert response.status_code == 422 and "DEMO_CLOCK" in response.json()["detail"]


async def test_the_demo_timeline_gives_a_plausible_turnaround(dispute_env, dispute_settings, unique):
    """A smaller demo loader: six disputes opened, assigned and resolved at the demo's times, on the system clock
    otherwise (as the dev stack runs)."""
    ctx = build(dispute_settings.model_copy(update={"demo_clock": True}), clock=SystemClock())
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(ctx)), base_url="http://t")
    try:
        bill_to = f"agy-demo-{unique}"
        times = dispute_times(datetime(2026, 11, 2, 15, tzinfo=UTC), 6)
        analyst = bearer("billing-analyst", "ana")
        for i, at in enumerate(times):
            invoice = await dispute_env.seed_invoice(f"{unique}{i}", bill_to=bill_to, issue_date=date(2026, 11, 2))
            opened = await http.post("/v1/disputes", json=_body(invoice, f"{unique}{i}-u1", "100.00"),
                                     headers={**analyst, HEADER: at.opened_at.isoformat()})
            assert opened.status_code == 201, opened.text
            did = opened.json()["dispute_id"]
            assert datetime.fromisoformat(opened.json()["opened_at"]) == at.opened_at
            assigned = await http.post(f"/v1/disputes/{did}/assign", json={"assignee": "omar"},
                                       headers={**analyst, HEADER: at.assigned_at.isoformat()})
            assert assigned.status_code == 200, assigned.text
            resolved = await http.post(f"/v1/disputes/{did}/resolve", json={
                "outcome": "rejected", "credit_amount": "0", "resolution_note": "delivery confirmed"},
                headers={**analyst, HEADER: at.resolved_at.isoformat()})
            assert resolved.status_code == 200, resolved.text
        kpis = await http.get("/v1/kpis", params={"from": "2026-11-01", "to": "2026-12-31",
                                                   "bill_to_account_id": bill_to}, headers=bearer("auditor", "r"))
        k = kpis.json()
        # resolved after 26, 74, 190, 260, 790 and 130 hours: median 160, p90 (nearest rank) 790; one past 30 days
        assert (k["turnaround"]["resolved"], k["turnaround"]["median"], k["turnaround"]["p90"]) == (6, "160.0",
                                                                                                  "790.0")
        assert k["resolved_within_sla"] == {"resolved": 6, "within_sla": 5, "share": "0.8333"}
    finally:
        await http.aclose()
        await ctx.close()
