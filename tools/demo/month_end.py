"""The demo's month-end: the billing director closes the demo month in accounting-svc (close.md C10, C11), and the
summary shows what the journal recognised, the unbilled accrual and the trial balance's totals."""

from __future__ import annotations

from decimal import Decimal

from tools.demo.client import Api, ApiError

UNBILLED_RECEIVABLE = "1210"


def close_command(api: Api, period: str) -> str:
    """The one command that closes the month by hand (printed when the demo could not close it)."""
    return (f"curl -X POST -H \"Authorization: Bearer $(./mediabill token --roles billing-director)\" "
            f"{api.url('accounting-svc')}/v1/periods/{period}/close")


async def close_month(api: Api, period: str) -> str:
    """Wait until the journal has posted every issued invoice and ties out, then close; what happened, in a line."""
    print(f"\n== Billing director closes {period} in accounting-svc (checklist, unbilled accrual, lock)", flush=True)

    async def journal_caught_up():
        state = await api.get("accounting-svc", f"/v1/periods/{period}")
        if state["status"] == "closed":
            return state
        items = {i["item"]: i for i in state["checklist"]}
        caught_up = all(items[k]["status"] == "pass" for k in ("journal_complete", "receivable_ties_out"))
        return state if caught_up or items["billing_complete"]["status"] == "fail" else None

    try:
        state = await api.wait_until(journal_caught_up, timeout_s=300, every_s=2, what="the journal")
    except TimeoutError:
        return f"not closed: the journal did not catch up; when it has: {close_command(api, period)}"
    if state["status"] == "closed":
        return f"{period} is closed (by {state['closed_by']})"
    for item in state["checklist"]:
        print(f"   {item['status']:4} {item['item']}: {item['why']}", flush=True)
    try:
        closed = await api.post("accounting-svc", f"/v1/periods/{period}/close", as_="billing-director")
    except ApiError as exc:
        return f"ready to close once the checklist passes ({exc.status}): {close_command(api, period)}"
    return f"{period} closed; accrual entries {len(closed.get('accrual') or [])}"


async def accounting_lines(api: Api, period: str, close_note: str | None = None) -> list[str]:
    """The summary's lines about the journal of `period`; `close_note` says what the demo's close did."""
    try:
        revenue = await api.get("accounting-svc", "/v1/revenue", period=period, by="gl_account")
        trial = await api.get("accounting-svc", "/v1/trial-balance", period=period)
        accruals = await api.get_all("accounting-svc", "/v1/journal", period=period, source_type="accrual")
        state = await api.get("accounting-svc", f"/v1/periods/{period}")
    except ApiError as exc:
        return [f"  journal               unavailable ({exc.status})"]
    recognised = _by_currency((r["currency"], Decimal(r["net"])) for r in revenue["rows"])
    accrued = _by_currency((line["currency"], Decimal(line["debit"]) - Decimal(line["credit"]))
                           for entry in accruals for line in entry["lines"] if line["account"] == UNBILLED_RECEIVABLE)
    totals = ", ".join(f"{t['currency']} Dr {t['debits']} / Cr {t['credits']} "
                       f"({'balanced' if t['balanced'] else 'NOT balanced'})" for t in trial["totals"]) or "no entries"
    status = close_note or f"{period} is {state['status']}"
    if state["status"] != "closed" and not close_note:
        status += f"; to close it: {close_command(api, period)}"
    return [f"  recognised revenue    {recognised or '0'} (net of discount and commission, accrual included)",
            f"  unbilled accrual      {accrued or '0'}",
            f"  trial balance         {totals}",
            f"  month-end close       {status}"]


def _by_currency(amounts) -> str:
    sums: dict[str, Decimal] = {}
    for currency, amount in amounts:
        sums[currency] = sums.get(currency, Decimal(0)) + amount
    return ", ".join(f"{amount} {currency}" for currency, amount in sorted(sums.items()))
