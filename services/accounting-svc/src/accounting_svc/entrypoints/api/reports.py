"""`/v1/trial-balance` and `/v1/revenue`: the reports read from the journal (close.md "Reports and feeds")."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from accounting_svc.adapters.calendar_repository import ChartRepository
from accounting_svc.adapters.journal_queries import JournalQueries
from accounting_svc.domain.chart import ChartOfAccounts
from accounting_svc.domain.revenue import revenue_rows
from accounting_svc.entrypoints.api.schemas import (
    RevenueOut,
    RevenueRow,
    TrialBalanceOut,
    TrialBalanceRow,
    TrialBalanceTotal,
)
from mediabill_common.events.types import Period
from mediabill_common.web.deps import Session
from mediabill_common.web.security import CurrentPrincipal

router = APIRouter(tags=["reports"])

ZERO = Decimal(0)
RevenueBy = Literal["gl_account", "product", "channel", "bill_to", "account"]
_DIMENSION = {"gl_account": None, "product": "product_code", "channel": "channel", "bill_to": "bill_to_account_id",
              "account": "account_id"}


@router.get("/v1/trial-balance", response_model=TrialBalanceOut,
            summary="Per account and currency: opening, debits, credits, closing; totals balance")
async def trial_balance(session: Session, _principal: CurrentPrincipal,
                        period: Annotated[Period, Query()]) -> TrialBalanceOut:
    async with session.begin():
        rows = await JournalQueries(session).trial_balance(period)
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    for row in rows:
        t = totals[row.currency]
        t[0] += row.debits
        t[1] += row.credits
        t[2] += max(row.closing, ZERO)
        t[3] += max(-row.closing, ZERO)
    return TrialBalanceOut(
        period=period,
        rows=[TrialBalanceRow(account=r.account, currency=r.currency, opening=r.opening, debits=r.debits,
                              credits=r.credits, closing=r.closing) for r in rows],
        totals=[TrialBalanceTotal(currency=c, debits=t[0], credits=t[1], closing_debits=t[2], closing_credits=t[3],
                                  balanced=t[0] == t[1] and t[2] == t[3]) for c, t in sorted(totals.items())])


def _non_revenue(chart: ChartOfAccounts) -> set[str]:
    return {chart.receivable, chart.unbilled_receivable, chart.cash_clearing, chart.customer_credits,
            chart.unapplied_cash, chart.tax_payable, *chart.tax_payable_by_code.values(), chart.discount,
            chart.agency_commission}


@router.get("/v1/revenue", response_model=RevenueOut,
            summary="Gross revenue, contra accounts and net by GL account, product, channel, bill-to or account")
async def revenue(session: Session, _principal: CurrentPrincipal, period: Annotated[Period, Query()],
                  by: Annotated[RevenueBy, Query()] = "gl_account") \
        -> RevenueOut:
    async with session.begin():
        chart, _ = await ChartRepository(session).current()
        credits = await JournalQueries(session).net_credits(period, _DIMENSION[by])
    non_revenue = _non_revenue(chart)
    gross: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    discount: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    commission: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    for account, currency, value, net in credits:
        if account not in non_revenue:
            gross[(currency, value)] += net
        elif account == chart.discount:
            discount[(currency, value)] += net
        elif account == chart.agency_commission and chart.commission_treatment == "contra_revenue":
            commission[(currency, value)] += net
    rows = revenue_rows(gross, discount, commission, allocate_contra=by in ("product", "channel"))
    return RevenueOut(period=period, by=by, commission_treatment=chart.commission_treatment,
                      rows=[RevenueRow(key=r.key, currency=r.currency, gross=r.gross, discount=r.discount,
                                       commission=r.commission, net=r.net) for r in rows])
