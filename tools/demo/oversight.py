"""The demo's oversight: resolutions with root causes (oversight.md O4), an assurance run over the issued month (O3),
and the summary's lines on the PIO -> OMS parallel run reconciled (O1), first- against third-party measurement's
value at stake (O2) and the latest assurance run."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from tools.demo.client import Api, ApiError
from tools.demo.world import CURRENT_SOURCE, NEW_SOURCE, World

# Billing exceptions an analyst resolves in the demo, the first open one of each kind, and why it happened.
EXCEPTION_ROOT_CAUSES = (("budget_exhausted", "policy", "over-delivery beyond the IO budget is not billed"),
                         ("unknown_product", "config_product", "pop-up DOOH was never sold as a product"),
                         ("source_conflict", "system_migration", "PIO and OMS both report during the migration"))


async def shadow_preview(api: Api, world: World) -> dict | None:
    """The month priced as if OMS had billed all month the product it reports (a shadow preview: its drafts are
    never invoices; every other product bills as the issue run did, so the comparison shows the migration's
    difference alone); the completed run."""
    migration = world.migration
    if migration is None:
        return None
    print(f"\n== Shadow preview: {world.period} priced as if {NEW_SOURCE} had billed {migration.product_code} all "
          "month", flush=True)
    run = await api.post("invoice-svc", "/v1/bill-runs", {"period": world.period, "mode": "preview",
                                                          "source_system": NEW_SOURCE}, as_="billing-analyst")
    return await api.finished_run(f"/v1/bill-runs/{run['run_id']}", what="the shadow preview")


async def assurance_run(api: Api, world: World) -> dict:
    """An analyst asks for an assurance run over the issued month (oversight.md O3; the worker's daily run started
    before the demo issued anything); the finished run."""
    print(f"\n== Assurance run: re-pricing the issued invoices of {world.period}", flush=True)
    run = await api.post("invoice-svc", "/v1/assurance-runs", {"periods": [world.period]}, as_="billing-analyst")
    return await api.finished_run(f"/v1/assurance-runs/{run['run_id']}", what="the assurance run")


async def oversight_lines(api: Api, world: World, issue_run: dict | None = None,
                          shadow_run: dict | None = None) -> list[str]:
    """The source reconciliation of the migrating product, the issue run against the shadow preview, and the
    measurement's value at stake."""
    lines = []
    try:
        if issue_run and shadow_run:
            diff = await api.get("invoice-svc", "/v1/reconciliations/bill-runs", left=issue_run["run_id"],
                                 right=shadow_run["run_id"], limit=1)
            totals = "; ".join(f"{t['currency']} issued {t['left_amount']}, as if {NEW_SOURCE} billed "
                               f"{t['right_amount']}, difference {t['difference']}" for t in diff["totals"])
            lines.append(f"  shadow bill run       {totals}")
        if world.migration is not None:
            page = await api.get("invoice-svc", "/v1/reconciliations/sources", period=world.period,
                                 left=CURRENT_SOURCE, right=NEW_SOURCE, product_code=world.migration.product_code,
                                 limit=1)
            rows = {k: v for k, v in page["summary"]["rows"].items() if v}
            values = "; ".join(f"{v['currency']} {CURRENT_SOURCE} {v['left_value']}, {NEW_SOURCE} "
                               f"{v['right_value']}, difference {v['difference']}" for v in page["summary"]["values"])
            lines.append(f"  source reconciliation {CURRENT_SOURCE} vs {NEW_SOURCE} on {world.migration.product_code}:"
                         f" {rows}; {values}")
        measured = await api.get_all("invoice-svc", "/v1/reconciliations/measurement", period=world.period)
        runs = await api.get("invoice-svc", "/v1/assurance-runs", status="completed", limit=1)
    except ApiError as exc:
        return [*lines, f"  oversight             unavailable ({exc.status})"]
    statuses = Counter(r["status"] for r in measured)
    at_stake = sum((Decimal(r["value_at_stake"]) for r in measured if r["value_at_stake"] is not None), Decimal(0))
    lines.append(f"  3P measurement        {dict(statuses)} CPM lines; value at stake {at_stake} USD")
    for run in runs["items"]:
        lines.append(f"  assurance run         {', '.join(run['periods'])}: {run['invoices_checked']} invoices "
                     f"re-priced, {run['matched']} matched, {run['drifted']} drifted, {run['pending_adjustments']} "
                     f"with pending adjustments, {run['unverifiable']} unverifiable")
    return lines


def first_by_what_it_is_about(exceptions: list[dict]) -> list[dict]:
    """The exception first by account and references (none if there are none). The API lists them by when they were
    raised, then by exception id: a bill run raises its exceptions alike, and their ids are random, so the first
    listed was another one on each fresh stack, and with it the open exceptions' value in the summary."""
    def about(exception: dict) -> tuple[str, list[tuple[str, str]]]:
        return exception["account_id"] or "", sorted((k, v or "") for k, v in exception["refs"].items())

    return sorted(exceptions, key=about)[:1]


async def resolve_with_root_causes(api: Api, invoices: list[dict]) -> str | None:
    """An analyst resolves the first open exception of some kinds (`first_by_what_it_is_about`), and requests a
    make-good credit on one of `invoices` (approved by the policy's approvers), each with its root cause (oversight.md
    O4); the invoice id."""
    for kind, cause, note in EXCEPTION_ROOT_CAUSES:
        found = await api.get_all("invoice-svc", "/v1/exceptions", status="open", kind=kind)
        for exception in first_by_what_it_is_about(found):
            await api.post("invoice-svc", f"/v1/exceptions/{exception['exception_id']}/resolve",
                           {"resolution": note, "root_cause": cause}, as_="billing-analyst")
            print(f"   {kind} resolved: {cause}", flush=True)
    invoice = next((i for i in invoices if Decimal(i["total"]) > 100), None)
    if invoice is None:
        return None
    detail = await api.get("invoice-svc", f"/v1/invoices/{invoice['invoice_id']}")
    line = next((ln for ln in detail["lines"] if ln["kind"] in ("usage", "flat_fee")
                 and Decimal(ln["amount"]) >= 50), None)
    if line is None:
        return None
    request = await api.post("adjustment-svc", "/v1/adjustments", {
        "invoice_id": invoice["invoice_id"], "kind": "credit", "reason_code": "other", "root_cause": "make_good",
        "note": "make-good: the campaign's creative ran a day late",
        "lines": [{"invoice_line_id": line["invoice_line_id"], "amount": "50.00",
                   "description": "make-good for a late creative"}]}, as_="billing-analyst")
    aid = request.get("adjustment_id") or request["id"]
    for approver in ("billing-manager-2", "billing-director"):
        if (await api.get("adjustment-svc", f"/v1/adjustments/{aid}"))["status"] != "pending_approval":
            break
        await api.post("adjustment-svc", f"/v1/adjustments/{aid}/approve", {"comment": "make-good agreed"},
                       as_=approver)
    print(f"   make-good credit on {invoice['invoice_number']}: make_good", flush=True)
    return str(invoice["invoice_id"])
