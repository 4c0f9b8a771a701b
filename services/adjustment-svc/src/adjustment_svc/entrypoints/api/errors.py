"""Business-rule errors as problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
    if isinstance(exc, HeadroomExceeded):
        return Conflict(str(exc), slug="headroom-exceeded", lines=exc.violations)
    for error_type, problem_type in _STATUS:
        if isinstance(exc, error_type):
            return problem_type(str(exc))
    return Conflict(str(exc))


@contextmanager
def business_rules() -> Iterator[None]:
    """Turn a business-rule breach inside the block into its problem+json answer."""
    try:
        yield
    except AdjustmentError as exc:
        raise to_problem(exc) from exc
