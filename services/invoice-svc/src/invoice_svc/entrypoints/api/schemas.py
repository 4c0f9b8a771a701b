"""Response and request bodies shared by invoice-svc's ledger and exception routes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from invoice_svc.app.stored import QueuedException
from invoice_svc.domain.billing.exposure import exposure_of, value_at_risk
from mediabill_common.events.catalog import AnalystRootCause


class BillingExceptionOut(BaseModel):
    exception_id: str
    kind: str = Field(examples=["unknown_contract"])
    status: str = Field(description="open, assigned or resolved", examples=["open"])
    account_id: str | None
    refs: dict[str, str | None] = Field(description="related ids (delivery_id, contract_id, line_item_id, ...)")
    amount_at_risk: str | None = Field(description="decimal string: revenue held back (as `value_at_risk`) for the "
                                                   "kinds that hold revenue back; for informational kinds the "
                                                   "amount the exception is about (a payment, a net adjustment)")
    currency: str | None
    exposure: Literal["revenue_at_risk", "over_delivery", "informational"] = Field(
        description="revenue_at_risk: billable deliveries held back until someone acts; over_delivery: beyond a "
                    "booked budget, never billable; informational: neither")
    value_at_risk: str | None = Field(description="what the held-back deliveries would bill, priced by the pricing "
                                                  "engine (rate card or contract rate in effect); null when unpriced "
                                                  "or not at risk")
    unpriced: bool = Field(description="revenue is held back but could not be priced: see quantity and unit")
    quantity: int | None = Field(description="what is held back, in `unit`")
    unit: str | None = Field(examples=["impressions"])
    over_delivery_value: str | None = Field(description="budget_exhausted: the would-be cost beyond the budget "
                                                        "(informational, never counted at risk)")
    raised_at: datetime
    age_hours: float = Field(description="hours since raised (until resolved)")
    assignee: str | None
    assigned_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None = Field(description="`system` when it resolved itself")
    resolution: str | None
    root_cause: str | None = Field(description="why it happened (oversight.md O4): one of the root-cause list, "
                                               "`system_resolved` when it resolved itself; null before recorded")

    @classmethod
    def of(cls, exception: QueuedException) -> BillingExceptionOut:
        return cls.model_validate(cls.fields_of(exception))

    @staticmethod
    def fields_of(x: QueuedException) -> dict[str, Any]:
        """An exception's fields (validated by `of`, or a page at a time)."""
        end = x.resolved_at or datetime.now(x.raised_at.tzinfo)
        exposure = exposure_of(x.kind)
        return {"exception_id": x.exception_id, "kind": x.kind, "status": x.status, "account_id": x.account_id,
                "refs": x.refs, "amount_at_risk": _money(x.amount_at_risk), "currency": x.currency,
                "exposure": exposure, "value_at_risk": _money(value_at_risk(x.kind, x.amount_at_risk)),
                "unpriced": exposure == "revenue_at_risk" and x.amount_at_risk is None, "quantity": x.quantity,
                "unit": x.unit, "over_delivery_value": _money(x.over_delivery_value), "raised_at": x.raised_at,
                "age_hours": round((end - x.raised_at).total_seconds() / 3600, 2), "assignee": x.assignee,
                "assigned_at": x.assigned_at, "resolved_at": x.resolved_at, "resolved_by": x.resolved_by,
                "resolution": x.resolution, "root_cause": x.root_cause}


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


class AssignRequest(BaseModel):
    assignee: str = Field(min_length=1, max_length=200, examples=["ana@retailer.example"])


class ResolveRequest(BaseModel):
    resolution: str = Field(min_length=3, max_length=2000, description="what was done and why",
                            examples=["contract IO-7 was loaded late; deliveries re-checked and billable"])
    root_cause: AnalystRootCause | None = Field(default=None, description="why it happened, from the shared "
                                                "root-cause list (`system_resolved` is the system's own)",
                                                examples=["late_booking"])
