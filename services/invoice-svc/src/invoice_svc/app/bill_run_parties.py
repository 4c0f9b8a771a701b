"""The accounts and contracts a bill run bills, read from the configuration read model's stored states.

The read model stores each state in the wire form it was validated in when it arrived (`model_dump(mode="json")`
of the catalog model), so a bill run takes the fields it needs straight from that JSON: re-validating every
account and contract state with pydantic on every run was the largest cost of reading a chunk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from invoice_svc.domain.pricing import BillTo, ContractTerms, bill_to_from_wire, terms_in_effect_of_wire


@dataclass(frozen=True, slots=True)
class BillingAccount:
    """An account as invoices name it (`AccountState` fields) and as pricing sees it (`pricing`)."""

    account_id: str
    type: str
    legal_name: str
    invoice_contact: str | None
    payment_terms_days: int
    pricing: BillTo
    postal_address: str | None = None
    tax_registration_id: str | None = None

    @classmethod
    def from_stored(cls, state: Mapping[str, Any]) -> BillingAccount:
        bill_to = bill_to_from_wire(state)
        return cls(bill_to.account_id, bill_to.type, state["legal_name"], state.get("invoice_contact"),
                   bill_to.payment_terms_days, bill_to, state.get("postal_address"),
                   state.get("tax_registration_id"))


@dataclass(frozen=True, slots=True)
class BillingContract:
    """A contract as invoices name it, and its terms for a period (`terms_in_effect`)."""

    contract_id: str
    name: str | None
    advertiser_name: str | None
    state: Mapping[str, Any]

    @classmethod
    def from_stored(cls, state: Mapping[str, Any]) -> BillingContract:
        return cls(state["contract_id"], state.get("name"), state.get("advertiser_name"), state)

    def terms_for(self, period: str) -> ContractTerms:
        return terms_in_effect_of_wire(self.state, period)

    def named_only(self) -> BillingContract:
        """The contract as an issued invoice names it, without its stored state (no terms: priced already)."""
        return BillingContract(self.contract_id, self.name, self.advertiser_name, {})
