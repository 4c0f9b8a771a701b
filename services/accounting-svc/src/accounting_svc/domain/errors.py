"""Domain errors of accounting-svc: each names the rule it enforces so the API can answer with a precise detail."""

from __future__ import annotations


class AccountingError(Exception):
    """Base of every business-rule breach in accounting-svc."""


class UnbalancedEntry(AccountingError):
    """A journal entry whose debits and credits differ in some currency (C1): never posted."""


class PeriodNotClosable(AccountingError):
    """A close whose checklist fails (C10, C11): the failing items travel with it."""

    def __init__(self, message: str, failing: list[dict[str, object]]) -> None:
        super().__init__(message)
        self.failing = failing


class PeriodNotReopenable(AccountingError):
    """A reopen of a period that is not the latest closed one (C11)."""


class InvalidChart(AccountingError):
    """A chart-of-accounts mapping with a missing or empty account (C8)."""
