"""How product-config-svc's domain and application errors are answered, in one table passed to create_app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mediabill_common.web.etag import etag_for
from mediabill_common.web.problems import (
    Conflict,
    NotFound,
    PreconditionFailed,
    Problem,
    ServiceUnavailable,
    Unprocessable,
)
from product_config_svc.app.ports import PriceSimulationFailed
from product_config_svc.domain.errors import (
    ConfigError,
    InvalidConfiguration,
    RuleViolation,
    StaleVersion,
    UnknownEntity,
)


class BadGateway(Problem):
    status, title, slug = 502, "Bad gateway", "bad-gateway"


def config_problem(exc: ConfigError) -> Problem:
    """A refused configuration change: invalid values 422, unknown 404, stale If-Match 412, a broken rule 409."""
    if isinstance(exc, InvalidConfiguration):
        return Unprocessable(f"The configuration is not valid: {exc}",
                             errors=[p.as_dict() for p in exc.problems])
    if isinstance(exc, UnknownEntity):
        return NotFound(str(exc))
    if isinstance(exc, StaleVersion):
        return PreconditionFailed(
            f"The resource changed: its current ETag is {etag_for(exc.current_version)}, the request's If-Match was "
            f"{exc.expected}. Fetch it again and reapply your change.")
    if isinstance(exc, RuleViolation):
        return Conflict(exc.detail, **exc.extra)
    return Conflict(str(exc))


def simulation_problem(exc: PriceSimulationFailed) -> Problem:
    """A failed price simulation: invoice-svc away 503, the input it refused 422, its own fault 502."""
    if exc.status is None:
        return ServiceUnavailable(exc.reason)
    if exc.status < 500:
        return Unprocessable(exc.reason)
    return BadGateway(exc.reason)


ERRORS: dict[type[Exception], Callable[[Any], Problem]] = {
    ConfigError: config_problem,
    PriceSimulationFailed: simulation_problem,
}
