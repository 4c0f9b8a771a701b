"""How invoice-svc's refusals are answered, in one table passed to create_app: app/ raises BillingError and its
kinds without knowing HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from invoice_svc.domain.errors import BillingError, InvalidRequest, StaleVersion, UnknownEntity
from mediabill_common.web.etag import etag_for
from mediabill_common.web.problems import Conflict, NotFound, PreconditionFailed, Problem, Unprocessable


def to_problem(exc: BillingError) -> Problem:
    """Unknown 404, a request that cannot be carried out 422, a stale If-Match 412, a broken rule 409."""
    if isinstance(exc, UnknownEntity):
        return NotFound(str(exc))
    if isinstance(exc, InvalidRequest):
        return Unprocessable(str(exc), errors=[{"field": exc.field, "in": "body", "message": str(exc)}])
    if isinstance(exc, StaleVersion):
        return PreconditionFailed(
            f"The resource changed: its current ETag is {etag_for(exc.current_version)}, the request's If-Match was "
            f"{exc.expected}. Fetch it again and reapply your change.")
    return Conflict(str(exc))


ERRORS: dict[type[Exception], Callable[[Any], Problem]] = {BillingError: to_problem}
