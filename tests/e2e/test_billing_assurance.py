"""Billing assurance (oversight.md O3) through real processes, the real broker and database: an issued invoice
re-priced by invoice-svc's worker matches; after a deliberate tampering of a revision it consumed, a run finds it
drifted with one `invoice_drift` exception, a second run refreshes that one in place, and the correction becomes an
adjustment request in adjustment-svc with `source_exception_id`, under the usual approvals. Voiding a drifted
invoice resolves its `invoice_drift` (runs check issued invoices only, so no later run would)."""

import json
import uuid

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.test_headroom_across_services import PERIOD, _issued_invoice_of_2950
from tools.demo.client import ApiError

pytestmark = [pytest.mark.e2e, pytest.mark.integration]


async def _assurance_run(api, as_: str) -> dict:
    run = await api.post("invoice-svc", "/v1/assurance-runs", {"periods": [PERIOD]}, as_=as_,
                         idempotency_key=uuid.uuid4().hex)  # a new run each time
    assert run["status"] == "queued"

    async def finished():
        state = await api.get("invoice-svc", f"/v1/assurance-runs/{run['run_id']}")
        return state if state["status"] in ("completed", "failed") else None

    done = await api.wait_until(finished, timeout_s=120, what="the assurance run")
    assert done["status"] == "completed", done
    return done


async def _drift_of(api, account_id: str) -> list[dict]:
    return await api.get_all("invoice-svc", "/v1/exceptions", kind="invoice_drift", account_id=account_id)


async def _tamper(system, delivery_id: str) -> None:
    """The consumed revision's quantity changed behind the service's back: 500,000 -> 600,000 impressions."""
    dsn = make_url(system.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("UPDATE invoice_svc.delivery_revisions SET impressions = 600000 WHERE delivery_id = $1",
                           delivery_id)
    finally:
        await conn.close()


async def test_a_tampered_invoice_drifts_once_and_its_correction_becomes_an_adjustment_request(
        system, api, kafka_bootstrap):
    u = uuid.uuid4().hex[:8].upper()
    invoice, usage = await _issued_invoice_of_2950(api, kafka_bootstrap, u)
    account = invoice["bill_to_account_id"]
    clean = await _assurance_run(api, "billing-analyst")
    assert clean["invoices_checked"] >= 1
    assert await _drift_of(api, account) == []

    await _tamper(system, f"{u}-L1-1")
    first = await _assurance_run(api, "billing-manager")
    assert first["drifted"] >= 1
    [drift] = await _drift_of(api, account)
    assert drift["refs"]["invoice_id"] == invoice["invoice_id"]
    assert drift["refs"]["changed_inputs"] == "ledger_revision"
    [correction] = json.loads(drift["refs"]["corrections"])
    assert (correction["invoice_line_id"], correction["debit"], correction["credit"]) == \
        (usage["invoice_line_id"], "590.00", "0.00")      # 100,000 impressions more at 5.90 CPM

    await _assurance_run(api, "billing-director")
    [again] = await _drift_of(api, account)
    assert again["exception_id"] == drift["exception_id"]  # refreshed in place, never duplicated

    async def adjustment_knows_invoice():
        try:
            return await api.get("adjustment-svc", f"/v1/invoices/{invoice['invoice_id']}/headroom")
        except ApiError:
            return None

    await api.wait_until(adjustment_knows_invoice, timeout_s=60, what="adjustment-svc's invoice copy")
    request = await api.post("adjustment-svc", "/v1/adjustments", {
        "invoice_id": invoice["invoice_id"], "kind": "debit", "reason_code": "delivery_discrepancy",
        "note": f"assurance run: invoice_drift {drift['exception_id']}", "source_exception_id": drift["exception_id"],
        "lines": [{"invoice_line_id": correction["invoice_line_id"], "amount": correction["debit"],
                   "description": "ledger restated after issue"}]}, as_="billing-analyst")
    assert request["source_exception_id"] == drift["exception_id"]
    assert request["status"] in ("pending_approval", "approved")
    read = await api.get("adjustment-svc", f"/v1/adjustments/{request['adjustment_id']}")
    assert read["source_exception_id"] == drift["exception_id"]


async def test_voiding_a_drifted_invoice_resolves_its_drift(system, api, kafka_bootstrap):
    u = uuid.uuid4().hex[:8].upper()
    invoice, _ = await _issued_invoice_of_2950(api, kafka_bootstrap, u)
    await _tamper(system, f"{u}-L1-1")
    await _assurance_run(api, "billing-analyst")
    [drift] = await _drift_of(api, invoice["bill_to_account_id"])
    assert (drift["refs"]["invoice_id"], drift["status"]) == (invoice["invoice_id"], "open")

    voided = await api.post("invoice-svc", f"/v1/invoices/{invoice['invoice_id']}/void",
                            {"reason": "billed to the wrong account"}, as_="billing-manager")
    assert voided["status"] == "void"
    after = await api.get("invoice-svc", f"/v1/exceptions/{drift['exception_id']}")
    assert (after["status"], after["resolved_by"], after["root_cause"]) == ("resolved", "system", "system_resolved")
    assert "voided" in after["resolution"]
