"""No request runs part of itself in FastAPI's thread pool: every endpoint and dependency is a coroutine.

FastAPI runs a plain `def` endpoint or dependency in a worker thread, on every request: a hand-off between threads
and a GIL contest with the event loop, for work that never blocks here (py-spy: the context lookup's trip through
the pool was 3.7% of a dispute read's CPU).
"""

import inspect

import pytest
from fastapi.routing import iter_route_contexts

pytestmark = pytest.mark.integration


def _plain_functions(dependant, seen: set) -> list[str]:
    found = []
    call = dependant.call
    if call is not None and id(call) not in seen:
        seen.add(id(call))
        target = call if inspect.isfunction(call) or inspect.ismethod(call) else call.__call__
        if not (inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)):
            found.append(getattr(call, "__qualname__", repr(call)))
    for sub in dependant.dependencies:
        found.extend(_plain_functions(sub, seen))
    return found


def test_every_endpoint_and_dependency_is_a_coroutine(contract_apps):
    checked, plain = 0, []
    for service, app in contract_apps.items():
        for route in iter_route_contexts(app.routes):
            if hasattr(route, "dependant"):
                checked += 1
                plain.extend(f"{service} {sorted(route.methods)} {route.path}: {name}"
                             for name in _plain_functions(route.dependant, set()))
    assert checked > 60, f"only {checked} routes found"
    assert plain == [], "runs in the thread pool:\n" + "\n".join(plain)
