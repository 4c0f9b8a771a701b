"""Validation of a contract's parties and commercial terms (shared by creation, draft edits and amendments)."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from mediabill_common.events.config_state import AccountState, ContractLine, ContractState, ProductState
from product_config_svc.domain.accounts import ADVERTISING_TYPES
from product_config_svc.domain.errors import FieldProblem
from product_config_svc.domain.products import RATED_MODELS

# The commercial terms a contract version sets; invoice-svc picks the version in effect for a period.
TERM_FIELDS = ("discount_pct", "agency_commission_pct", "billing_basis", "discrepancy_threshold_pct",
               "payment_terms_days", "po_number", "lines")
DEFAULT_DISCREPANCY_THRESHOLD_PCT = Decimal("10")


def terms_of(contract: ContractState) -> dict[str, Any]:
    """The full set of commercial terms of `contract`, as JSON values."""
    dumped = contract.model_dump(mode="json")
    return {field: dumped[field] for field in TERM_FIELDS}


def with_term_defaults(contract: ContractState) -> ContractState:
    """The 10% third-party discrepancy threshold applies when the tolerance basis names none."""
    if contract.billing_basis == "discrepancy_tolerance" and contract.discrepancy_threshold_pct is None:
        return contract.model_copy(update={"discrepancy_threshold_pct": DEFAULT_DISCREPANCY_THRESHOLD_PCT})
    return contract


def party_problems(contract: ContractState, accounts: dict[str, AccountState]) -> list[FieldProblem]:
    """The advertiser buys media; the bill-to is the advertiser itself or an agency representing it."""
    advertiser = accounts.get(contract.advertiser_account_id)
    bill_to = accounts.get(contract.bill_to_account_id)
    problems = []
    if advertiser is None:
        problems.append(FieldProblem("advertiser_account_id", f"account '{contract.advertiser_account_id}' does "
                                                              "not exist"))
    elif advertiser.type not in ADVERTISING_TYPES:
        problems.append(FieldProblem("advertiser_account_id", f"account '{advertiser.account_id}' is an "
                                                              f"{advertiser.type}, not an advertising account"))
    if bill_to is None:
        problems.append(FieldProblem("bill_to_account_id", f"account '{contract.bill_to_account_id}' does not "
                                                           "exist"))
        return problems
    if bill_to.account_id != contract.advertiser_account_id:
        if bill_to.type != "agency":
            problems.append(FieldProblem("bill_to_account_id", "the bill-to must be the advertiser itself or an "
                                                               f"agency; '{bill_to.account_id}' is a {bill_to.type}"))
        elif contract.advertiser_account_id not in bill_to.represented_advertisers:
            problems.append(FieldProblem("bill_to_account_id", f"agency '{bill_to.account_id}' does not represent "
                                                               f"advertiser '{contract.advertiser_account_id}'"))
    if contract.currency != bill_to.currency:
        problems.append(FieldProblem("currency", f"must equal the bill-to account's billing currency "
                                                 f"({bill_to.currency})"))
    return problems


def schedule_problems(contract: ContractState) -> list[FieldProblem]:
    problems = []
    if contract.flight_end < contract.flight_start:
        problems.append(FieldProblem("flight_end", f"must not be before flight_start "
                                                   f"({contract.flight_start.isoformat()})"))
    if not _is_timezone(contract.reporting_timezone):
        problems.append(FieldProblem("reporting_timezone", f"'{contract.reporting_timezone}' is not an IANA time "
                                                           "zone (e.g. America/Chicago)"))
    return problems


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def _is_timezone(name: str) -> bool:
    if name not in _known_timezones():
        return False
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


def commercial_problems(contract: ContractState, bill_to: AccountState | None) -> list[FieldProblem]:
    """PO, commission and billing-basis rules, which depend on who is billed."""
    problems = []
    if bill_to is not None and bill_to.po_required and not (contract.po_number or "").strip():
        problems.append(FieldProblem("po_number", f"bill-to account '{bill_to.account_id}' requires a PO number"))
    if contract.agency_commission_pct is not None and contract.agency_commission_pct > 0 \
            and bill_to is not None and bill_to.type != "agency":
        problems.append(FieldProblem("agency_commission_pct", "agency commission applies only when the bill-to is "
                                                              "an agency"))
    if contract.billing_basis != "discrepancy_tolerance" and contract.discrepancy_threshold_pct is not None:
        problems.append(FieldProblem("discrepancy_threshold_pct", "applies only to the discrepancy_tolerance "
                                                                  "billing basis"))
    return problems


def line_problems(lines: list[ContractLine], products: dict[str, ProductState], currency: str) \
        -> list[FieldProblem]:
    """Each line names a usable product and carries the price elements its pricing model needs."""
    problems = []
    if not lines:
        problems.append(FieldProblem("lines", "a contract needs at least one line"))
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if line.line_item_id in seen:
            problems.append(FieldProblem(f"lines[{i}].line_item_id", f"'{line.line_item_id}' appears more than "
                                                                     "once in this contract"))
        seen.add(line.line_item_id)
        problems.extend(_one_line_problems(f"lines[{i}]", line, products.get(line.product_code), currency))
    return problems


def _one_line_problems(at: str, line: ContractLine, product: ProductState | None, currency: str) \
        -> list[FieldProblem]:
    if product is None:
        return [FieldProblem(f"{at}.product_code", f"product '{line.product_code}' does not exist")]
    if product.status == "retired":
        return [FieldProblem(f"{at}.product_code", f"product '{product.code}' is retired")]
    model, problems = product.pricing_model, []
    if model == "flat_fee":
        if line.fee is None or line.fee <= 0:
            problems.append(FieldProblem(f"{at}.fee", f"flat_fee product '{product.code}' needs a fee greater "
                                                      "than 0"))
        if line.rate is not None:
            problems.append(FieldProblem(f"{at}.rate", "a flat-fee line is billed by its fee, not a rate"))
        if line.budget is not None:
            problems.append(FieldProblem(f"{at}.budget", "flat fees ignore budgets; the fee is the amount billed"))
        return problems
    if line.fee is not None:
        problems.append(FieldProblem(f"{at}.fee", f"only flat_fee lines carry a fee; '{product.code}' is "
                                                  f"{model}"))
    if model == "auction_cpc" and line.rate is not None:
        problems.append(FieldProblem(f"{at}.rate", "auction_cpc lines bill the auction-cleared media cost; a rate "
                                                   "is not allowed"))
    if model in RATED_MODELS and line.rate is None:
        if product.contract_priced:
            problems.append(FieldProblem(f"{at}.rate", f"product '{product.code}' is contract priced: the line "
                                                       "needs a negotiated rate"))
        elif not any(c.currency == currency for c in product.rate_cards):
            problems.append(FieldProblem(f"{at}.rate", f"product '{product.code}' has no {currency} rate card; "
                                                       "give the line a negotiated rate"))
    if line.rate is not None and line.rate <= 0:
        problems.append(FieldProblem(f"{at}.rate", "must be greater than 0"))
    if line.budget is not None and line.budget <= 0:
        problems.append(FieldProblem(f"{at}.budget", "must be greater than 0 (omit it for an uncapped line)"))
    return problems


def contract_problems(contract: ContractState, accounts: dict[str, AccountState],
                      products: dict[str, ProductState]) -> list[FieldProblem]:
    """Every rule a contract's parties, schedule, terms and lines must satisfy."""
    return [*party_problems(contract, accounts), *schedule_problems(contract),
            *commercial_problems(contract, accounts.get(contract.bill_to_account_id)),
            *line_problems(contract.lines, products, contract.currency)]


def last_day_of(period: str) -> date:
    """The last service date of a billing period YYYY-MM."""
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])
