"""Response and request bodies shared by invoice-svc's ledger and exception routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


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
    def from_row(cls, row: Any) -> BillingExceptionOut:
        return cls.model_validate(cls.fields_of(row))

    @staticmethod
    def fields_of(row: Any) -> dict[str, Any]:
        """An exception's fields from its row (validated by `from_row`, or a page at a time)."""
        data = dict(row)
        end = data["resolved_at"] or datetime.now(data["raised_at"].tzinfo)
        amount = data["amount_at_risk"]
        data["amount_at_risk"] = None if amount is None else format(amount, "f")
        data["age_hours"] = round((end - data["raised_at"]).total_seconds() / 3600, 2)
        return data


class AssignRequest(BaseModel):
    assignee: str = Field(min_length=1, max_length=200, examples=["ana@retailer.example"])


class ResolveRequest(BaseModel):
    resolution: str = Field(min_length=3, max_length=2000, description="what was done and why",
                            examples=["contract IO-7 was loaded late; deliveries re-checked and billable"])
