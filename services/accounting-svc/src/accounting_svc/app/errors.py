"""Use-case errors about references and state, mapped to problem+json by the API."""

from __future__ import annotations

from accounting_svc.domain.errors import AccountingError


class UnknownPeriod(AccountingError):
    """No such period in the calendar."""


class InvoiceServiceDown(AccountingError):
    """invoice-svc could not answer what only it knows (billing status, unbilled snapshot): try again."""


class UnknownDeadLetter(AccountingError):
    """No dead letter of that id."""


class DeadLetterDismissed(AccountingError):
    """The dead letter was dismissed already."""
