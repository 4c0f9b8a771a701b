"""C10: the billing status of a period, for the close checklist -- complete or why not, and the documents issued
for it (`documents`: count and totals per currency of its non-void invoices, which accounting-svc compares with
what it posted; voided ones counted apart), and the open billing exceptions of its deliveries with the revenue
they hold back (`open_exceptions`, informational on the checklist)."""

from __future__ import annotations

from typing import Any

from invoice_svc.app.kpis import open_exceptions_figures
from invoice_svc.app.ports import MonthEndFigures, PeriodLocks
from invoice_svc.domain.close.billing_status import billing_completeness
from invoice_svc.domain.pricing import period_bounds
from mediabill_common.money import round_money


async def billing_status(figures: MonthEndFigures, locks: PeriodLocks, period: str) -> dict[str, Any]:
    start, end = period_bounds(period)
    facts = await figures.billing_facts(period, start, end)
    verdict = billing_completeness(facts)
    run = facts.last_full_issue_run
    lock = await locks.get(period)
    documents = []
    for r in await figures.issued_in_period(period):
        def money(v: Any, currency: str = r.currency) -> str:
            return format(round_money(v, currency), "f")
        documents.append({"currency": r.currency, "count": r.invoices, "subtotal": money(r.subtotal),
                       "discount_total": money(r.discount_total), "commission_total": money(r.commission_total),
                       "tax_total": money(r.tax_total), "total": money(r.total), "voided": r.voided})
    return {
        "period": period, "complete": verdict.complete, "reasons": list(verdict.reasons),
        "locked": lock is not None and lock.status == "closed",
        "last_delivery_ingested_at": facts.last_delivery_at,
        "last_issue_run": None if run is None else {"run_id": run.run_id, "snapshot_at": run.snapshot_at,
                                                    "finished_at": run.finished_at},
        "runs_in_flight": facts.runs_in_flight, "drafts_left": facts.drafts_left,
        "documents": documents,
        "open_exceptions": open_exceptions_figures(await figures.open_exceptions_of_deliveries(start, end)),
    }
