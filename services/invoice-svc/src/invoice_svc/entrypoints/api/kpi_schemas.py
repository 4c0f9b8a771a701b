"""The body of GET /v1/kpis (invoice-svc): billed value, accuracy, open exceptions and revenue at risk."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class PeriodFigures(BaseModel):
    period: str
    currency: str
    invoices_issued: int
    billed_value: str
    credited_value: str


class CurrencyFigures(BaseModel):
    currency: str
    invoices_issued: int
    billed_value: str
    credited_value: str
    billing_accuracy: str | None = Field(description="1 - credited / billed over the range, 0..1")


class OpenExceptionsOfKind(BaseModel):
    kind: str
    currency: str | None
    exposure: Literal["revenue_at_risk", "over_delivery", "informational"] = Field(
        description="what the kind's value means: billable value held back, over-delivery beyond a budget (never "
                    "billable), or neither")
    open: int
    value_at_risk: str | None = Field(description="priced revenue held back (revenue_at_risk kinds only)")
    unpriced: int = Field(description="exceptions of a revenue_at_risk kind that could not be priced")
    over_delivery_value: str | None = Field(description="over_delivery kinds only; informational")


class OpenExceptionsFigures(BaseModel):
    count: int
    by_kind: list[OpenExceptionsOfKind]


class UnpricedQuantity(BaseModel):
    unit: str
    quantity: int


class RevenueAtRisk(BaseModel):
    currency: str | None
    value: str = Field(description="what the held-back deliveries would bill, priced by the pricing engine")
    open: int
    unpriced: int = Field(description="held-back exceptions the engine could not price (no rate, no product...)")
    unpriced_quantity: list[UnpricedQuantity] = Field(description="their quantities, per unit")


class OverDelivery(BaseModel):
    currency: str | None
    value: str = Field(description="would-be cost of delivery beyond booked budgets; never billed")


class TouchlessOfPeriod(BaseModel):
    period: str
    invoices: int
    touchless_invoices: int
    touchless_share: str | None


class Automation(BaseModel):
    invoices: int = Field(description="invoices of the window's periods issued (void ones included; adjustment-only "
                                      "invoices left out)")
    touchless_invoices: int = Field(description="of them, issued with no billing exception on their contract (or "
                                                "self-serve account) and period, no dispute, no memo, not voided")
    touchless_share: str | None = Field(description="touchless_invoices / invoices, 0..1; null when none issued")
    by_period: list[TouchlessOfPeriod]
    exceptions_raised: int = Field(description="billing exceptions raised within the window's dates")
    exceptions_resolved: int = Field(description="of them, resolved")
    self_healed: int = Field(description="of them, resolved by the system itself (root cause system_resolved)")
    self_healed_share: str | None = Field(description="self_healed / exceptions_resolved, 0..1; null when none")


class BillingKpis(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="the window's first day (included)")
    to: str = Field(description="the window's last day (included)")
    first_period: str = Field(description="the first billing period the window touches, YYYY-MM")
    last_period: str = Field(description="the last billing period the window touches, YYYY-MM")
    periods: list[PeriodFigures]
    by_currency: list[CurrencyFigures]
    open_exceptions: OpenExceptionsFigures
    revenue_at_risk: list[RevenueAtRisk] = Field(
        description="billable value held back from invoicing by open exceptions, per currency")
    over_delivery_value: list[OverDelivery] = Field(
        description="open budget_exhausted exceptions' over-delivery, per currency (informational, not at risk)")
    automation: Automation = Field(description="the touchless share of invoices and the self-healed share of "
                                               "billing exceptions (console.md, Overview)")
