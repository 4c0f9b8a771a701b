"""A delivery record as the ledger holds it, and the configuration it is checked against."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from mediabill_common.events.config_state import AccountState, ContractState, ProductState

# The exception kinds raised while ingesting delivery (the rest are raised by bill runs and payments).
INGESTION_KINDS: tuple[str, ...] = (
    "unknown_product", "product_not_live", "unknown_account", "unknown_contract", "outside_flight",
    "currency_mismatch", "missing_media_cost", "missing_rate", "missing_third_party_counts", "source_conflict",
)


class DeliveryRecord(NamedTuple):
    """One line item's delivery on one service date, at one revision, as the ledger keeps it (its columns, in
    column order, with where it came from).

    A plain tuple (not a dataclass) because ingestion builds one per event at tens of thousands a second.
    """

    delivery_id: str
    revision: int
    source_system: str
    account_id: str
    contract_id: str | None
    campaign_id: str
    line_item_id: str
    campaign_name: str | None
    product_code: str
    delivery_date: date
    impressions: int
    viewable_impressions: int
    clicks: int
    conversions: int
    third_party_impressions: int | None
    media_cost: Decimal | None
    currency: str | None
    event_source: str
    event_id: str


# A delivery in the ledger: (source_system, delivery_id). A delivery_id is unique within its source only.
DeliveryKey = tuple[str, str]


def delivery_key(record: DeliveryRecord) -> DeliveryKey:
    """The ledger's key of the record's delivery."""
    return record.source_system, record.delivery_id


@dataclass(frozen=True)
class BillingConfig:
    """The products, accounts and contracts known locally (the read model of billing.config.v1)."""

    products: Mapping[str, ProductState] = field(default_factory=dict)
    accounts: Mapping[str, AccountState] = field(default_factory=dict)
    contracts: Mapping[str, ContractState] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Billability:
    """The outcome of checking one record: the exception kinds it raises (none = billable) and what it holds
    back: the amount the pricing engine gives it (None when it cannot be priced), and its quantity in its unit.
    `billing_source` (source_system, delivery_id) names the other source that bills the record's day when the
    record raises `source_conflict`; `shadow` marks a record of a source the product does not bill that day."""

    kinds: tuple[str, ...]
    amount_at_risk: Decimal | None
    currency: str | None
    quantity: int | None = None
    unit: str | None = None
    billing_source: tuple[str, str] | None = None
    # Another source is named to bill the record's day (oversight.md O1): kept, never billed, no exception.
    shadow: bool = False

    @property
    def billable(self) -> bool:
        return not self.kinds and not self.shadow
