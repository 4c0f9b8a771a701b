"""The pricing engine: billing-rules.md rules 1-11, 13, 14 and 16 as pure functions (no I/O, no ORM, no web).

Entry points (all pure; same inputs -> same output, invoice_line_ids included):

- `price_invoice_group(group: InvoiceGroup) -> DraftInvoice`
    Prices one (bill-to, contract, period) group -- every contract line and product of it in one call: usage lines
    per contract line and rate-card segment (all six pricing models, billing basis, tiers), flat fees, budget
    caps with `over_delivery` lines, one discount line, one agency-commission line, one tax line per tax code, plus
    the `prior_period_lines` handed in. Business conditions come back as `DraftInvoice.exceptions`
    (`PricingException`: missing_rate, missing_third_party_counts, missing_media_cost, currency_mismatch,
    unknown_product, budget_exhausted, negative_invoice); `DraftInvoice.issuable` is False when one blocks issue.
- `price_prior_period_adjustment(correction: PriorPeriodCorrection) -> PriorPeriodAdjustment`
    Rule 13: re-prices an invoiced period with that period's terms and returns `.lines` -- `DraftLine`s of kind
    `prior_period_adjustment` (one per changed contract line for usage, one each for discount and commission, one
    per tax code), each with `original_invoice_number` and its `component` -- and `.exceptions`
    (restatement_after_issue, budget_exhausted, ...). Positive usage deltas are capped by the budget as it stands
    (`billed_to_date`). Hand `.lines` to the next `InvoiceGroup(prior_period_lines=...)`.
- `terms_in_effect(contract: ContractState, period: str) -> ContractTerms`
    The contract version whose `effective_from` is the latest on or before the period's last day (versions applied
    in order over the contract state, so full or partial amendment terms both work).
- `due_date(issue_date, terms: ContractTerms | None, bill_to: BillTo | None) -> date`  (rule 16); `due_after(issue_date,
  payment_terms_days)` once the days are known
- `period_bounds(period) -> (first_day, last_day)`
- `summarise_billed(invoice_number, period, lines: Iterable[DraftLine]) -> PeriodBilled`
    Rule 13's baseline from an invoice's lines plus earlier adjustments for it; `draft_line_from_wire(dict)`
    rebuilds a `DraftLine` from a stored `InvoiceLine` dict (inferring `component`).
- Catalog converters (config read models / delivery payloads -> engine inputs): `product_from_state(ProductState)`,
  `bill_to_from_state(AccountState)`, `terms_from_state(ContractState)`, `delivery_from_event(CampaignDelivered)`;
  for a state's wire form (JSON) validated when it arrived, as bill runs read the read model without re-validating
  it: `bill_to_from_wire(dict)`, `terms_from_wire(dict)` and `terms_in_effect_of_wire(dict, period)` -- the same
  results as the `_state` forms of the validated model.

Inputs (`inputs.py`, frozen dataclasses, Decimal money, percentages 0..100): `InvoiceGroup(period, bill_to: BillTo,
products: {code: Product}, deliveries: tuple[Delivery], terms: ContractTerms | None, billed_before:
{line_item_id: Decimal}, prior_period_lines: tuple[DraftLine], line_id_seed)`, `PriorPeriodCorrection(billed:
PeriodBilled, bill_to, products, deliveries, terms, billed_to_date, line_id_seed)`.
Output (`draft.py`): `DraftInvoice(currency, lines: tuple[DraftLine], exceptions, subtotal, discount_total,
commission_total, tax_total, total, issuable)`; `DraftLine.as_invoice_line()` gives the catalog's `InvoiceLine`
fields; `DraftInvoice.as_dict()` the simulation endpoint's body.

Limits (`limits.py`): `check_storable(draft)` raises `PricingOutOfRange` (an `ArithmeticError`, as decimal's own
overflow is) when an amount or quantity does not fit an invoice; `out_of_range_reason(exc)` words either for an
analyst. A bill run raises `pricing_out_of_range` for such a group; a simulation answers 422.

Totals: subtotal = usage + flat_fee (+ usage parts of adjustments); discount_total, commission_total and tax_total
likewise; total = the sum of every line (over_delivery lines are 0.00). Every amount is rounded once (rule 7).
"""

from invoice_svc.domain.pricing.catalog import (
    bill_to_from_state,
    bill_to_from_wire,
    delivery_from_event,
    product_from_state,
    terms_from_state,
    terms_from_wire,
)
from invoice_svc.domain.pricing.draft import (
    DraftInvoice,
    DraftLine,
    PricingException,
    draft_line_from_wire,
    summarise_billed,
)
from invoice_svc.domain.pricing.engine import price_invoice_group
from invoice_svc.domain.pricing.inputs import (
    BillTo,
    ContractLineTerms,
    ContractTerms,
    Delivery,
    InvoiceGroup,
    PeriodBilled,
    PriorPeriodCorrection,
    Product,
    RateCardVersion,
    RateTier,
)
from invoice_svc.domain.pricing.limits import PricingOutOfRange, check_storable, out_of_range_reason
from invoice_svc.domain.pricing.prior_period import PriorPeriodAdjustment, price_prior_period_adjustment
from invoice_svc.domain.pricing.terms import (
    due_after,
    due_date,
    period_bounds,
    terms_in_effect,
    terms_in_effect_of_wire,
)

__all__ = [
    "BillTo",
    "ContractLineTerms",
    "ContractTerms",
    "Delivery",
    "DraftInvoice",
    "DraftLine",
    "InvoiceGroup",
    "PeriodBilled",
    "PricingException",
    "PricingOutOfRange",
    "PriorPeriodAdjustment",
    "PriorPeriodCorrection",
    "Product",
    "RateCardVersion",
    "RateTier",
    "bill_to_from_state",
    "bill_to_from_wire",
    "check_storable",
    "delivery_from_event",
    "draft_line_from_wire",
    "due_after",
    "due_date",
    "out_of_range_reason",
    "period_bounds",
    "price_invoice_group",
    "price_prior_period_adjustment",
    "product_from_state",
    "summarise_billed",
    "terms_from_state",
    "terms_from_wire",
    "terms_in_effect",
    "terms_in_effect_of_wire",
]
