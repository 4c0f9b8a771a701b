"""The dispute domain's refusals as RFC 9457 problems: the one mapping bootstrap gives create_app(errors=...)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from dispute_svc.domain.errors import (
    ApprovalRequired,
    DisputeError,
    InvalidRequest,
    NotKnown,
    RuleBreach,
    VersionMismatch,
)
from mediabill_common.web.problems import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Problem,
    Unprocessable,
)

_PROBLEMS: dict[type[DisputeError], type[Problem]] = {
    NotKnown: NotFound, InvalidRequest: Unprocessable, RuleBreach: Conflict, ApprovalRequired: Forbidden,
    VersionMismatch: PreconditionFailed,
}


def as_problem(exc: DisputeError) -> Problem:
    problem_type = next((p for kind, p in _PROBLEMS.items() if isinstance(exc, kind)), Conflict)
    errors = [{"field": exc.field, "in": "body", "message": exc.detail}] if exc.field else None
    return problem_type(exc.detail, errors=errors)


ERRORS: Mapping[type[Exception], Callable[[Any], Problem]] = {DisputeError: as_problem}
