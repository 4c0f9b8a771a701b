"""Business-rule errors as problem+json: create_app answers every AccountingError a route lets through with
`to_problem` (bootstrap passes ERRORS), so app/ raises them without knowing HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounting_svc.app.errors import InvoiceServiceDown, UnknownDeadLetter, UnknownPeriod
from accounting_svc.domain.errors import AccountingError, InvalidChart, PeriodNotClosable
from mediabill_common.web.problems import Conflict, NotFound, Problem, ServiceUnavailable, Unprocessable


def to_problem(exc: AccountingError) -> Problem:
    """The answer to a refused request: the rule it breaks, as 404, 409, 422 or 503 problem+json."""
    if isinstance(exc, PeriodNotClosable):
        return Conflict(str(exc), slug="period-not-closable", failing=exc.failing)
    if isinstance(exc, UnknownPeriod | UnknownDeadLetter):
        return NotFound(str(exc))
    if isinstance(exc, InvalidChart):
        return Unprocessable(str(exc))
    if isinstance(exc, InvoiceServiceDown):
        return ServiceUnavailable(str(exc))
    return Conflict(str(exc))


ERRORS: dict[type[Exception], Callable[[Any], Problem]] = {AccountingError: to_problem}
