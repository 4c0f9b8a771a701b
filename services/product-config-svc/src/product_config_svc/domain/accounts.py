"""Billing accounts: who is billed, in which currency, on which terms, and which advertisers an agency represents."""

from __future__ import annotations

import re
from typing import Any

from mediabill_common.events.config_state import AccountState
from product_config_svc.domain.errors import FieldProblem, RuleViolation, raise_if_any, validated

# Account types that buy media themselves and so can be represented by an agency or own a contract.
ADVERTISING_TYPES = frozenset({"advertiser", "supplier", "seller"})
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACCOUNT_ID_FORMAT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def account_problems(account: AccountState, known: dict[str, AccountState]) -> list[FieldProblem]:
    """Field rules of an account; `known` holds the accounts it refers to (represented advertisers)."""
    problems: list[FieldProblem] = []
    if not ACCOUNT_ID_FORMAT.match(account.account_id):
        problems.append(FieldProblem("account_id", "must be 1-64 letters, digits, '.', '_' or '-'"))
    if not account.legal_name.strip():
        problems.append(FieldProblem("legal_name", "must not be blank"))
    if account.invoice_contact is not None and not EMAIL.match(account.invoice_contact):
        problems.append(FieldProblem("invoice_contact", "must be an e-mail address invoices can be sent to"))
    for code in account.tax_rates:
        if not code.strip():
            problems.append(FieldProblem("tax_rates", "tax codes must not be blank"))
    problems.extend(_representation_problems(account, known))
    return problems


def _representation_problems(account: AccountState, known: dict[str, AccountState]) -> list[FieldProblem]:
    represented = account.represented_advertisers
    if account.type != "agency":
        if represented:
            return [FieldProblem("represented_advertisers", f"only agencies represent advertisers; this account is "
                                                            f"a {account.type}")]
        return []
    problems = []
    if len(set(represented)) != len(represented):
        problems.append(FieldProblem("represented_advertisers", "lists an advertiser more than once"))
    for i, advertiser_id in enumerate(represented):
        field = f"represented_advertisers[{i}]"
        other = known.get(advertiser_id)
        if advertiser_id == account.account_id:
            problems.append(FieldProblem(field, "an agency cannot represent itself"))
        elif other is None:
            problems.append(FieldProblem(field, f"account '{advertiser_id}' does not exist"))
        elif other.type not in ADVERTISING_TYPES:
            problems.append(FieldProblem(field, f"account '{advertiser_id}' is a {other.type}; an agency "
                                                "represents advertiser, supplier or seller accounts"))
    return problems


def validate_account(account: AccountState, known: dict[str, AccountState]) -> AccountState:
    """Return `account` if valid, else raise InvalidConfiguration listing every problem."""
    raise_if_any(account_problems(account, known))
    return account


def update_account(account: AccountState, changes: dict[str, Any], known: dict[str, AccountState],
                   open_contracts: list[dict[str, str]]) -> AccountState:
    """Apply a partial update, refusing changes that would break contracts still open on this account.

    `open_contracts` are the draft and active contracts naming the account, each as
    {"contract_id", "advertiser_account_id", "bill_to_account_id"}.
    """
    if "account_id" in changes and changes["account_id"] != account.account_id:
        raise RuleViolation("an account's id never changes")
    updated = validated(AccountState, {**account.model_dump(mode="json"), **changes})
    validate_account(updated, known)
    billed = [c for c in open_contracts if c["bill_to_account_id"] == account.account_id]
    if billed and updated.currency != account.currency:
        raise RuleViolation(f"account {account.account_id} is the bill-to of open contract(s) "
                            f"{_ids(billed)} in {account.currency}; its billing currency cannot change")
    if open_contracts and updated.type != account.type:
        raise RuleViolation(f"account {account.account_id} is named by open contract(s) {_ids(open_contracts)}; "
                            "its type cannot change")
    dropped = set(account.represented_advertisers) - set(updated.represented_advertisers)
    still_billed = [c for c in billed if c["advertiser_account_id"] in dropped]
    if still_billed:
        raise RuleViolation(f"agency {account.account_id} still bills open contract(s) {_ids(still_billed)} for "
                            "the advertiser(s) it would stop representing; end them first")
    return updated


def _ids(contracts: list[dict[str, str]]) -> str:
    return ", ".join(sorted(c["contract_id"] for c in contracts))
