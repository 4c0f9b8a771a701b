"""Rule 5: the billable quantity of a delivery group by pricing model and billing basis."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from invoice_svc.domain.pricing.inputs import BillingBasis, Delivery
from mediabill_common.money import round_half_up_int

UNITS = {"cpm": "impressions", "vcpm": "viewable_impressions", "cpc": "clicks", "cpa": "conversions",
         "auction_cpc": "clicks", "flat_fee": "days"}


def price_base(pricing_model: str) -> int:
    """Units the unit price is quoted for: 1000 for CPM and vCPM, else 1."""
    return 1000 if pricing_model in ("cpm", "vcpm") else 1


def counted(pricing_model: str, deliveries: Sequence[Delivery]) -> int:
    """The ad server's (first-party) count of the model's unit."""
    unit = UNITS[pricing_model]
    return sum(getattr(d, unit) for d in deliveries)


def lacking_third_party(deliveries: Sequence[Delivery]) -> list[str]:
    """Ids of deliveries without a third-party impression count."""
    return [d.delivery_id for d in deliveries if d.third_party_impressions is None]


def billable_impressions(basis: BillingBasis, tolerance_pct: Decimal,
                         segments: Sequence[Sequence[Delivery]]) -> list[int]:
    """Billable impressions of each segment of one contract line's period deliveries (CPM lines).

    `first_party` bills ad-server impressions, `third_party` the third-party counts. `discrepancy_tolerance`
    compares the period totals: when first-party > third-party x (1 + t), the line bills third-party x (1 + t)
    rounded half up to whole impressions, spread over the segments in proportion to their first-party counts
    (each share rounded half up, the last segment takes the remainder so the shares add up); otherwise
    first-party. Callers check `lacking_third_party` first for the bases that need third-party counts.
    """
    first = [sum(d.impressions for d in seg) for seg in segments]
    if basis == "first_party":
        return first
    third = [sum(d.third_party_impressions or 0 for d in seg) for seg in segments]
    if basis == "third_party":
        return third
    limit = Decimal(sum(third)) * (1 + tolerance_pct / 100)
    if Decimal(sum(first)) <= limit:
        return first
    return _spread(round_half_up_int(limit), first)


def _spread(total: int, weights: list[int]) -> list[int]:
    """Split `total` over `weights` pro rata, shares rounded half up, the last taking the remainder."""
    weight_sum = sum(weights)
    shares, given = [], 0
    for weight in weights[:-1]:
        share = round_half_up_int(Decimal(total) * weight / weight_sum) if weight_sum else 0
        shares.append(share)
        given += share
    shares.append(total - given)
    return shares
