"""Request and response bodies of the contract endpoints."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from mediabill_common.events.config_state import BillingBasis, ContractState, ContractVersion
from mediabill_common.events.types import BookedAmount, Currency, Pct, Rate


class ContractLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_item_id: str = Field(min_length=1, max_length=64, description="unique across active contracts")
    product_code: str = Field(min_length=1, max_length=64)
    rate: Rate | None = Field(default=None, description="negotiated rate; the rate card applies when omitted "
                                                        "(required for contract-priced products)")
    budget: BookedAmount | None = Field(default=None, description="cap on everything billed for the line")
    fee: BookedAmount | None = Field(default=None, description="flat_fee products: the fee over the flight")


class _Terms(BaseModel):
    """Commercial terms (all optional here; which are required depends on the operation)."""

    model_config = ConfigDict(extra="forbid")

    po_number: str | None = Field(default=None, max_length=100)
    discount_pct: Pct | None = None
    agency_commission_pct: Pct | None = Field(default=None, description="only when the bill-to is an agency")
    billing_basis: BillingBasis | None = None
    discrepancy_threshold_pct: Pct | None = Field(default=None, description="discrepancy_tolerance only; "
                                                                            "default 10")
    payment_terms_days: int | None = Field(default=None, ge=0, le=365)
    lines: list[ContractLineIn] | None = None


_EXAMPLE: dict[str, Any] = {
    "contract_id": "IO-7", "advertiser_account_id": "ADV-ACME", "bill_to_account_id": "AGY-GROUPM",
    "currency": "USD", "flight_start": "2026-01-01", "flight_end": "2026-12-31",
    "reporting_timezone": "America/New_York", "po_number": "PO-55102", "discount_pct": "5",
    "agency_commission_pct": "15", "billing_basis": "discrepancy_tolerance", "payment_terms_days": 60,
    "lines": [{"line_item_id": "L1", "product_code": "DISPLAY-CPM", "rate": "6.00", "budget": "20000.00"}],
}


class ContractCreate(_Terms):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_EXAMPLE]})

    contract_id: str | None = Field(default=None, max_length=64, description="IO number; generated if omitted")
    name: str | None = Field(default=None, max_length=200)
    advertiser_account_id: str
    bill_to_account_id: str = Field(description="the advertiser itself or an agency representing it")
    currency: Currency = Field(description="must equal the bill-to account's currency")
    flight_start: date
    flight_end: date
    reporting_timezone: str = "UTC"
    billing_basis: BillingBasis = "first_party"
    lines: list[ContractLineIn] = Field(default_factory=list)
    reason: str | None = Field(default=None, max_length=2000)


class ContractPatch(_Terms):
    """Edits of a draft contract."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"po_number": "PO-55103"}]})

    name: str | None = Field(default=None, max_length=200)
    advertiser_account_id: str | None = None
    bill_to_account_id: str | None = None
    currency: Currency | None = None
    flight_start: date | None = None
    flight_end: date | None = None
    reporting_timezone: str | None = None
    reason: str | None = Field(default=None, max_length=2000)


class AmendmentCreate(_Terms):
    """The terms to change, inline or under `changes`; unnamed terms carry over from the current version."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "effective_from": "2026-05-01", "discount_pct": "7.5", "reason": "Q2 volume commitment"}]})

    effective_from: date = Field(description="first service date the new terms apply to")
    reason: str = Field(min_length=1, max_length=2000, description="why the terms change (audited)")
    changes: _Terms | None = None

    @model_validator(mode="after")
    def _one_place(self) -> AmendmentCreate:
        inline = self.model_dump(exclude_unset=True, exclude={"effective_from", "reason", "changes"})
        nested = self.changes.model_dump(exclude_unset=True) if self.changes else {}
        both = sorted(set(inline) & set(nested))
        if both:
            raise ValueError(f"{', '.join(both)} given both inline and under changes")
        return self

    def term_changes(self) -> dict[str, Any]:
        inline = self.model_dump(mode="json", exclude_unset=True, exclude={"effective_from", "reason", "changes"})
        nested = self.changes.model_dump(mode="json", exclude_unset=True) if self.changes else {}
        return {**inline, **nested}


class Lifecycle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)


class ContractView(ContractState):
    state_version: int


class ContractPage(BaseModel):
    items: list[ContractView]
    next_cursor: str | None = None


class ContractVersions(BaseModel):
    contract_id: str
    amendment_no: int = Field(description="the latest amendment")
    versions: list[ContractVersion] = Field(description="every version, oldest first: version 0 is the original "
                                                        "terms from flight_start")
