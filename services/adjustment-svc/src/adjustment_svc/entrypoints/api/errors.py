"""Business-rule errors as problem+json: create_app answers every AdjustmentError a route lets through with
`to_problem` (bootstrap passes ERRORS), so app/ raises them without knowing HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adjustment_svc.app.errors import (
    InvalidRequest,
    InvoiceNotAdjustable,
    LiveRequestForDispute,
    UnknownAdjustment,
    UnknownInvoice,
)
from adjustment_svc.domain.errors import (
    AdjustmentError,
    ApprovalRefused,
    DuplicateApproval,
    HeadroomExceeded,
    LineNotAdjustable,
    MissingReason,
    NotPending,
)
from mediabill_common.web.problems import Conflict, Forbidden, NotFound, Problem, Unprocessable

_STATUS: list[tuple[type[AdjustmentError], type[Problem]]] = [
    (UnknownAdjustment, NotFound),
    (ApprovalRefused, Forbidden),
    (DuplicateApproval, Conflict), (NotPending, Conflict), (InvoiceNotAdjustable, Conflict),
    (LiveRequestForDispute, Conflict),
    (LineNotAdjustable, Unprocessable), (MissingReason, Unprocessable), (InvalidRequest, Unprocessable),
    (UnknownInvoice, Unprocessable),
]


def to_problem(exc: AdjustmentError) -> Problem:
    """The answer to a refused request: the rule it breaks, as 403, 404, 409 or 422 problem+json."""
    if isinstance(exc, HeadroomExceeded):
        return Conflict(str(exc), slug="headroom-exceeded", lines=exc.violations)
    for error_type, problem_type in _STATUS:
        if isinstance(exc, error_type):
            return problem_type(str(exc))
    return Conflict(str(exc))


ERRORS: dict[type[Exception], Callable[[Any], Problem]] = {AdjustmentError: to_problem}
