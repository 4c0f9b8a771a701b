"""The statement of account of a bill-to account as of a date (domain/billing/statement.py): where the amount due
lives, since issued invoices never change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from invoice_svc.app.ports import BillingUnit
from invoice_svc.domain.billing.statement import AccountStatement, account_statement, cutoff_of
from invoice_svc.domain.errors import UnknownEntity


@dataclass(frozen=True)
class StatementView:
    account_id: str
    account_name: str
    postal_address: str | None
    tax_registration_id: str | None
    statement: AccountStatement


async def statement_of(unit: BillingUnit, account_id: str, as_of: date) -> StatementView:
    """The account's statement; UnknownEntity for an account neither configured nor ever billed."""
    account = (await unit.config.load((), [account_id], ())).accounts.get(account_id)
    invoices = await unit.statements.billed_invoices(account_id, as_of)
    if account is None and not invoices:
        raise UnknownEntity(f"no billing account {account_id}")
    entries = await unit.statements.entries_before([i.invoice_id for i in invoices], cutoff_of(as_of))
    return StatementView(account_id, account.legal_name if account is not None else account_id,
                         account.postal_address if account is not None else None,
                         account.tax_registration_id if account is not None else None,
                         account_statement(as_of, invoices, entries))
