"""Response and request bodies shared by invoice-svc's ledger and exception routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from invoice_svc.app.stored import QueuedException


class BillingExceptionOut(BaseModel):
    exception_id: str
    kind: str = Field(examples=["unknown_contract"])
    status: str = Field(description="open, assigned or resolved", examples=["open"])
    account_id: str | None
    refs: dict[str, str | None] = Field(description="related ids (delivery_id, contract_id, line_item_id, ...)")
    amount_at_risk: str | None = Field(description="decimal string: what the affected records would bill")
    currency: str | None
    raised_at: datetime
    age_hours: float = Field(description="hours since raised (until resolved)")
    assignee: str | None
    assigned_at: datetime | None
    resolved_at: datetime | None
    resolved_by: str | None = Field(description="`system` when it resolved itself")
    resolution: str | None

    @classmethod
    def of(cls, exception: QueuedException) -> BillingExceptionOut:
        return cls.model_validate(cls.fields_of(exception))

    @staticmethod
    def fields_of(x: QueuedException) -> dict[str, Any]:
        """An exception's fields (validated by `of`, or a page at a time)."""
        end = x.resolved_at or datetime.now(x.raised_at.tzinfo)
        return {"exception_id": x.exception_id, "kind": x.kind, "status": x.status, "account_id": x.account_id,
                "refs": x.refs, "amount_at_risk": None if x.amount_at_risk is None else format(x.amount_at_risk, "f"),
                "currency": x.currency, "raised_at": x.raised_at,
                "age_hours": round((end - x.raised_at).total_seconds() / 3600, 2), "assignee": x.assignee,
                "assigned_at": x.assigned_at, "resolved_at": x.resolved_at, "resolved_by": x.resolved_by,
                "resolution": x.resolution}


class AssignRequest(BaseModel):
    assignee: str = Field(min_length=1, max_length=200, examples=["ana@retailer.example"])


class ResolveRequest(BaseModel):
    resolution: str = Field(min_length=3, max_length=2000, description="what was done and why",
                            examples=["contract IO-7 was loaded late; deliveries re-checked and billable"])
