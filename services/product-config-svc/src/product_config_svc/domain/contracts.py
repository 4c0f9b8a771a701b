"""Contracts (insertion orders): lifecycle draft -> active -> ended, and amendments as effective-dated versions.

Version 0 holds the original terms from flight_start; each amendment adds a version with the full terms in effect
from its date. An amendment never takes effect inside or before a period that has a (non-void) invoice, because
that would rewrite terms already billed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mediabill_common.events.config_state import AccountState, ContractState, ContractVersion, ProductState
from product_config_svc.domain.contract_terms import (
    TERM_FIELDS,
    contract_problems,
    last_day_of,
    terms_of,
    with_term_defaults,
)
from product_config_svc.domain.errors import (
    FieldProblem,
    InvalidConfiguration,
    RuleViolation,
    raise_if_any,
    validated,
)


@dataclass(frozen=True)
class InvoicedPeriod:
    """A billing period of a contract with a non-void invoice."""

    period: str
    invoice_number: str


@dataclass(frozen=True)
class Amendment:
    """A change of terms effective from a date, with why it was made and by whom."""

    effective_from: date
    changes: dict[str, Any]
    reason: str
    recorded_by: str
    recorded_at: datetime


def _version(contract: ContractState, effective_from: date, **meta: Any) -> ContractVersion:
    return ContractVersion(amendment_no=contract.amendment_no, effective_from=effective_from,
                           terms=terms_of(contract), **meta)


def new_contract(contract: ContractState, accounts: dict[str, AccountState],
                 products: dict[str, ProductState]) -> ContractState:
    """A draft contract with its original terms as version 0, or InvalidConfiguration listing every problem."""
    contract = with_term_defaults(contract.model_copy(update={"status": "draft", "amendment_no": 0}))
    raise_if_any(contract_problems(contract, accounts, products))
    return contract.model_copy(update={"versions": [_version(contract, contract.flight_start)]})


def revise_draft(contract: ContractState, changes: dict[str, Any], accounts: dict[str, AccountState],
                 products: dict[str, ProductState]) -> ContractState:
    """Edit a draft in place (nothing has been billed on it); active contracts change only by amendment."""
    if contract.status != "draft":
        raise RuleViolation(f"contract {contract.contract_id} is {contract.status}; change its terms with an "
                            "amendment (POST /v1/contracts/{id}/amendments)")
    if changes.get("contract_id", contract.contract_id) != contract.contract_id:
        raise RuleViolation("a contract's id never changes")
    base = contract.model_dump(mode="json", exclude={"versions"})
    revised = validated(ContractState, {**base, **changes})
    return new_contract(revised, accounts, products)


def activate(contract: ContractState, products: dict[str, ProductState],
             line_items_elsewhere: dict[str, str]) -> ContractState:
    """draft -> active: every line's product must be live and no line item may be billed by another active IO.

    `line_items_elsewhere` maps this contract's line item ids to the other active contract already using them.
    """
    if contract.status != "draft":
        raise RuleViolation(f"contract {contract.contract_id} is {contract.status}; only a draft can be activated")
    not_live = [f"lines[{i}]: product '{line.product_code}' is "
                f"{products[line.product_code].status if line.product_code in products else 'unknown'}"
                for i, line in enumerate(contract.lines)
                if products.get(line.product_code) is None or products[line.product_code].status != "live"]
    if not_live:
        raise RuleViolation(f"contract {contract.contract_id} cannot be activated until every line's product is "
                            "live: " + "; ".join(not_live))
    _refuse_shared_line_items(line_items_elsewhere)
    return contract.model_copy(update={"status": "active"})


def _refuse_shared_line_items(line_items_elsewhere: dict[str, str]) -> None:
    if line_items_elsewhere:
        clash = ", ".join(f"{li} (active contract {c})" for li, c in sorted(line_items_elsewhere.items()))
        raise RuleViolation(f"line item ids must be unique across active contracts: {clash}")


def end(contract: ContractState) -> ContractState:
    """active -> ended; the ended contract's invoiced periods stay as billed."""
    if contract.status != "active":
        raise RuleViolation(f"contract {contract.contract_id} is {contract.status}; only an active contract can "
                            "be ended")
    return contract.model_copy(update={"status": "ended"})


def blocking_invoice(effective_from: date, invoiced: list[InvoicedPeriod]) -> InvoicedPeriod | None:
    """The latest invoiced period an amendment effective `effective_from` would rewrite, if any."""
    rewritten = [p for p in invoiced if effective_from <= last_day_of(p.period)]
    return max(rewritten, key=lambda p: p.period, default=None)


def amend(contract: ContractState, amendment: Amendment, accounts: dict[str, AccountState],
          products: dict[str, ProductState], invoiced: list[InvoicedPeriod],
          line_items_elsewhere: dict[str, str]) -> ContractState:
    """A new version of an active contract with `amendment.changes` applied from `amendment.effective_from`."""
    if contract.status != "active":
        raise RuleViolation(f"contract {contract.contract_id} is {contract.status}; only an active contract can be "
                            "amended" + (" (edit a draft with PATCH)" if contract.status == "draft" else ""))
    _check_effective_date(contract, amendment.effective_from, invoiced)
    unknown = sorted(set(amendment.changes) - set(TERM_FIELDS))
    if unknown or not amendment.changes:
        raise InvalidConfiguration([FieldProblem(f, "is not a term an amendment can change") for f in unknown]
                                   or [FieldProblem("changes", "an amendment must change at least one term: "
                                                               + ", ".join(TERM_FIELDS))])
    amended = validated(ContractState, {**contract.model_dump(mode="json"), **amendment.changes,
                                            "amendment_no": contract.amendment_no + 1})
    amended = with_term_defaults(amended)
    raise_if_any([*_kept_line_problems(contract, amended),
                  *contract_problems(amended, accounts, products)])
    _refuse_shared_line_items(line_items_elsewhere)
    version = _version(amended, amendment.effective_from, reason=amendment.reason,
                       recorded_by=amendment.recorded_by, recorded_at=amendment.recorded_at.isoformat())
    return amended.model_copy(update={"versions": [*contract.versions, version]})


def _check_effective_date(contract: ContractState, effective_from: date, invoiced: list[InvoicedPeriod]) -> None:
    if not contract.flight_start <= effective_from <= contract.flight_end:
        flight = f"{contract.flight_start} to {contract.flight_end}"
        raise InvalidConfiguration([FieldProblem("effective_from", f"must fall within the flight {flight}")])
    latest = max(v.effective_from for v in contract.versions)
    if effective_from < latest:
        raise RuleViolation(f"amendment {contract.amendment_no} of contract {contract.contract_id} already takes "
                            f"effect {latest.isoformat()}; a new amendment cannot take effect before it")
    blocking = blocking_invoice(effective_from, invoiced)
    if blocking is not None:
        earliest = last_day_of(blocking.period).toordinal() + 1
        raise RuleViolation(
            f"an amendment effective {effective_from.isoformat()} would rewrite period {blocking.period}, already "
            f"invoiced on {blocking.invoice_number}; the earliest allowed effective_from is "
            f"{date.fromordinal(earliest).isoformat()}",
            invoiced_period=blocking.period, invoice_number=blocking.invoice_number)


def _kept_line_problems(before: ContractState, after: ContractState) -> list[FieldProblem]:
    """Lines may be added or re-priced, never dropped or moved to another product (deliveries point at them)."""
    new_lines = {line.line_item_id: line for line in after.lines}
    problems = []
    for line in before.lines:
        kept = new_lines.get(line.line_item_id)
        if kept is None:
            problems.append(FieldProblem("lines", f"line item '{line.line_item_id}' cannot be removed; set its "
                                                  "budget instead"))
        elif kept.product_code != line.product_code:
            problems.append(FieldProblem("lines", f"line item '{line.line_item_id}' stays on product "
                                                  f"'{line.product_code}'"))
    return problems


def added_line_items(before: ContractState, after: ContractState) -> list[str]:
    existing = {line.line_item_id for line in before.lines}
    return [line.line_item_id for line in after.lines if line.line_item_id not in existing]
