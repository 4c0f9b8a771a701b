"""`/v1/periods`: the period calendar, the close checklist, close and reopen (close.md C10, C11)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Path

from accounting_svc.adapters.calendar_repository import PeriodRepository
from accounting_svc.adapters.journal_queries import JournalQueries
from accounting_svc.app.close import InvoiceSide, checklist, close_period, read_exposure, reopen_period
from accounting_svc.app.errors import InvoiceServiceDown
from accounting_svc.app.ports import InvoiceServiceUnavailable, PeriodRecord
from accounting_svc.domain.checklist import CheckItem
from accounting_svc.domain.journal import JournalEntry
from accounting_svc.entrypoints.api.deps import AccountingCtx, Director, RequestUnit
from accounting_svc.entrypoints.api.schemas import ChecklistItem, PeriodOut, ReopenBody
from mediabill_common.events.types import PERIOD_PATTERN, Period
from mediabill_common.web.deps import Session
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(prefix="/v1/periods", tags=["periods"])
# The billing period's own pattern (from year 0001): a looser one let "0000-01" reach the answer's model, a 500.
PeriodPath = Path(description="YYYY-MM", pattern=PERIOD_PATTERN)


def _out(record: PeriodRecord, items: list[CheckItem] | None = None,
         accrual: list[JournalEntry] | None = None) -> PeriodOut:
    return PeriodOut(**dataclasses.asdict(record),
                     checklist=None if items is None else [ChecklistItem(**dataclasses.asdict(i)) for i in items],
                     accrual=None if accrual is None else [_entry(e) for e in accrual])


def _entry(entry: JournalEntry) -> dict[str, Any]:
    return {"entry_id": entry.entry_id, "source_type": entry.source_type, "posting_period": entry.posting_period,
            "posting_date": entry.posting_date.isoformat(),
            "lines": [{"account": line.account, "debit": line.debit.as_str(), "credit": line.credit.as_str(),
                       "currency": line.currency} for line in entry.lines]}


async def _invoice_side(ctx: AccountingCtx, period: str, *, snapshot: bool) -> InvoiceSide:
    try:
        status = await ctx.deps.invoice_svc.billing_status(period)
    except InvoiceServiceUnavailable as exc:
        return InvoiceSide(None, str(exc))
    if not snapshot:
        return InvoiceSide(status)
    try:
        return InvoiceSide(status, snapshot=await ctx.deps.invoice_svc.take_unbilled_snapshot(period))
    except InvoiceServiceUnavailable as exc:
        raise InvoiceServiceDown(f"the unbilled snapshot could not be taken: {exc}") from exc


@router.get("", response_model=list[PeriodOut], summary="The period calendar: every period posted to or closed")
async def list_periods(session: Session, _principal: CurrentPrincipal) -> list[PeriodOut]:
    async with session.begin():
        known = {r.period: r for r in await PeriodRepository(session).all()}
        for period in await JournalQueries(session).posting_periods():
            known.setdefault(period, PeriodRecord(period, "open"))
    return [_out(known[p]) for p in sorted(known)]


@router.get("/{period}", response_model=PeriodOut, summary="A period with its close checklist, each item pass/fail "
            "and why")
async def get_period(ctx: AccountingCtx, unit: RequestUnit, _principal: CurrentPrincipal,
                     period: Period = PeriodPath) -> PeriodOut:
    side = await _invoice_side(ctx, period, snapshot=False)
    exposure = await read_exposure(ctx.deps.open_disputes, ctx.deps.pending_credit_requests)
    async with unit.session.begin():
        record = await unit.periods.get(period) or PeriodRecord(period, "open")
        items = await checklist(unit, JournalQueries(unit.session), period, side, consumer=ctx.settings.service_name,
                                exposure=exposure)
    return _out(record, items)


@router.post("/{period}/close", response_model=PeriodOut, summary="Close the period (billing-director): snapshot, "
             "checklist, accrual and its reversal, PeriodClosed",
             responses={409: {"description": "a checklist item fails, or the period is closed already"},
                        503: {"description": "invoice-svc could not take the unbilled snapshot"}})
async def close(ctx: AccountingCtx, unit: RequestUnit, principal: Director, period: Period = PeriodPath) -> PeriodOut:
    side = await _invoice_side(ctx, period, snapshot=True)
    async with unit.session.begin():
        record, posted = await close_period(unit, JournalQueries(unit.session), period, side, actor=principal.sub,
                                            consumer=ctx.settings.service_name)
    return _out(record, accrual=posted)


@router.post("/{period}/reopen", response_model=PeriodOut, summary="Reopen the latest closed period "
             "(billing-director, a reason required)",
             responses={409: {"description": "the period is not the latest closed one"}})
async def reopen(body: ReopenBody, unit: RequestUnit, principal: Director, period: Period = PeriodPath) -> PeriodOut:
    async with unit.session.begin():
        record = await reopen_period(unit, period, actor=principal.sub, reason=body.reason)
    return _out(record)
