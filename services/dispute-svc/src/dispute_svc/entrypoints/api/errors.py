"""The dispute domain's refusals as RFC 9457 problems."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

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
    problem_response,
)

_PROBLEMS: dict[type[DisputeError], type[Problem]] = {
    NotKnown: NotFound, InvalidRequest: Unprocessable, RuleBreach: Conflict, ApprovalRequired: Forbidden,
    VersionMismatch: PreconditionFailed,
}


def as_problem(exc: DisputeError) -> Problem:
    problem_type = next((p for kind, p in _PROBLEMS.items() if isinstance(exc, kind)), Conflict)
    errors = [{"field": exc.field, "in": "body", "message": exc.detail}] if exc.field else None
    return problem_type(exc.detail, errors=errors)


def install_dispute_problems(app: FastAPI) -> None:
    @app.exception_handler(DisputeError)
    async def _dispute_error(request: Request, exc: DisputeError) -> JSONResponse:
        return problem_response(as_problem(exc), request)
