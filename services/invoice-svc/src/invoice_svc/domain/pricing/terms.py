"""Periods, the contract terms in effect for a period, and the due date (rules 1, 13 and 16)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from invoice_svc.domain.pricing.catalog import terms_from_state, terms_from_wire
from invoice_svc.domain.pricing.inputs import DEFAULT_PAYMENT_TERMS_DAYS, BillTo, ContractTerms
from mediabill_common.events.config_state import ContractState

# Fields of the contract state an amendment may not move to another contract or party.
_IDENTITY = ("contract_id", "advertiser_account_id", "bill_to_account_id", "versions")


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a billing period `YYYY-MM` (rule 1: the calendar month)."""
    year, month = (int(p) for p in period.split("-"))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def terms_in_effect(contract: ContractState, period: str) -> ContractTerms:
    """The contract's terms for `period`: the version in effect on the period's last day.

    A contract's `versions[]` record each amendment with the date it takes effect and the terms it set. The terms
    in effect for a period are those of the latest version whose `effective_from` is on or before the period's
    last day -- so an amendment effective mid-month governs that whole month (a period is priced with one set of
    terms). Versions are applied in (effective_from, amendment_no) order over the contract state, which makes
    both full-terms versions and partial ones (only the changed fields) work. When no version is in effect yet
    (the period ends before the first one), the earliest version applies; with no versions the contract state
    itself is the terms.
    """
    _, last_day = period_bounds(period)
    versions = sorted(contract.versions, key=lambda v: (v.effective_from, v.amendment_no))
    if not versions:
        return terms_from_state(contract)
    chosen = [v for v in versions if v.effective_from <= last_day] or versions[:1]
    if not any(k not in _IDENTITY for version in chosen for k in version.terms):
        # No version in effect changes a term: the state's own terms (validated as it was stored), without the
        # dump-and-revalidate round trip below -- which would give the same terms, at a bill run's every group.
        return replace(terms_from_state(contract), amendment_no=chosen[-1].amendment_no)
    merged: dict[str, Any] = contract.model_dump(mode="json")
    for version in chosen:
        merged.update({k: v for k, v in version.terms.items() if k not in _IDENTITY})
    merged["amendment_no"] = chosen[-1].amendment_no
    return terms_from_state(ContractState.model_validate(merged))


def terms_in_effect_of_wire(contract: Mapping[str, Any], period: str) -> ContractTerms:
    """`terms_in_effect` of a contract state in its (validated) wire form, as a bill run reads it from the read
    model: read straight from the JSON when no version in effect changes a term, else validated and merged as
    `terms_in_effect` does."""
    _, last_day = period_bounds(period)
    versions = sorted(contract.get("versions") or (),
                      key=lambda v: (date.fromisoformat(v["effective_from"]), v["amendment_no"]))
    if not versions:
        return terms_from_wire(contract)
    chosen = [v for v in versions if date.fromisoformat(v["effective_from"]) <= last_day] or versions[:1]
    if not any(k not in _IDENTITY for version in chosen for k in version.get("terms") or {}):
        return replace(terms_from_wire(contract), amendment_no=chosen[-1]["amendment_no"])
    return terms_in_effect(ContractState.model_validate(contract), period)


def due_date(issue_date: date, terms: ContractTerms | None = None, bill_to: BillTo | None = None) -> date:
    """Rule 16: issue date + payment terms in days -- the contract's, else the account's, else 30."""
    days = None
    if terms is not None and terms.payment_terms_days is not None:
        days = terms.payment_terms_days
    elif bill_to is not None:
        days = bill_to.payment_terms_days
    return due_after(issue_date, days)


def due_after(issue_date: date, payment_terms_days: int | None) -> date:
    """Rule 16 once the payment terms are known (None: the default 30 days)."""
    return issue_date + timedelta(days=DEFAULT_PAYMENT_TERMS_DAYS if payment_terms_days is None
                                  else payment_terms_days)


def flight_days(start: date, end: date) -> int:
    """Days of a flight, start and end inclusive (0 when the flight is empty)."""
    return max((end - start).days + 1, 0)
