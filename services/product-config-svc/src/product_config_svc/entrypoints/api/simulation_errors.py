"""How a failed price simulation is answered: invoice-svc away -> 503, refused input -> 422, its fault -> 502."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mediabill_common.web.problems import Problem, ServiceUnavailable, Unprocessable
from product_config_svc.app.ports import PriceSimulationFailed


class BadGateway(Problem):
    status, title, slug = 502, "Bad gateway", "bad-gateway"


@contextmanager
def simulation_problem() -> Iterator[None]:
    try:
        yield
    except PriceSimulationFailed as exc:
        if exc.status is None:
            raise ServiceUnavailable(exc.reason) from exc
        if exc.status < 500:
            raise Unprocessable(exc.reason) from exc
        raise BadGateway(exc.reason) from exc
