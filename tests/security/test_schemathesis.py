"""Property-based API testing of all four services from their own OpenAPI documents (schemathesis).

Each service's real FastAPI app runs in-process on the real database, called with a token holding every role.
Phases: the documents' examples, the coverage phase (boundary and negative values for every parameter and body
field, unexpected methods) and fuzzing in positive and negative mode. Checks: no 5xx, documented status codes,
content types and headers, response bodies valid against the documented schemas, negative data rejected.
Each operation is exercised on its own here; test_stateful.py chains them along the documents' OpenAPI links.
"""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.meta import negated_parameters
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.specs.openapi import checks as openapi_checks

from mediabill_common.auth.principal import ROLES
from mediabill_common.testing.plugin import token
from tests.contracts.conftest import BUILDERS

pytestmark = pytest.mark.integration
MAX_EXAMPLES = 8
# Every role, so writes are authorised and the generated data is what is tested; the authorization matrix in
# tests/contracts covers missing and insufficient roles.
HEADERS = {"Authorization": f"Bearer {token(list(ROLES), sub='schemathesis')}"}
# Checks that call the API again on their own (without auth, or after a DELETE) need schemathesis' transport;
# authentication is covered by the authorization matrix and there are no DELETE routes.
# positive_data_acceptance expects 2xx for any schema-valid body, but the services deliberately answer 422 (or 409,
# 412) for business rules a JSON Schema cannot express (a contract-priced auction product, an opaque cursor that was
# not issued, an If-Match that is not the current version): those answers are documented, so the check is off.
EXCLUDED = [openapi_checks.ignored_auth, openapi_checks.use_after_free, openapi_checks.ensure_resource_availability,
            openapi_checks.positive_data_acceptance]
# Known and accepted: request parsing is pydantic's lax mode, which coerces some wrongly-typed scalars instead of
# refusing them ("5" for 5, 30 for "30", a number of seconds for a date). Booleans are strict. Only that failure
# ("Incorrect type" accepted) is tolerated; anything else from negative_data_rejection fails the test.


_HTTPX_ARGS = {"method", "url", "headers", "params", "json", "content", "data", "files"}
# Only fuzzing uses max_examples; the examples and coverage phases run every case they derive.
_SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                     suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])


def _auth_for(case) -> dict[str, str]:
    """The all-roles token, unless this is a negative case that removed the Authorization header on purpose (then
    the request goes without it and must be refused with 401)."""
    mutated = {(name.lower(), location) for name, location in negated_parameters(case.meta)}
    if ("authorization", ParameterLocation.HEADER) in mutated:
        return {}
    return HEADERS


def send(runner, app, case, headers: dict[str, str]) -> httpx.Response:
    """The case as one request to the in-process app, on the runner's loop."""
    kwargs = {k: v for k, v in case.as_transport_kwargs(base_url="http://schemathesis", headers=headers).items()
              if k in _HTTPX_ARGS | {"cookies"}}
    if isinstance(kwargs.get("data"), bytes | str):  # a raw body: httpx takes it as `content`
        kwargs["content"] = kwargs.pop("data")
    cookies = kwargs.pop("cookies", None)

    async def request() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                     base_url="http://schemathesis", cookies=cookies) as c:
            response = await c.request(**kwargs)
            await response.aread()
            return response

    return runner.run(request())


def _call(runner, app, case) -> httpx.Response:
    return send(runner, app, case, _auth_for(case))


def _tolerated(failure) -> bool:
    return failure.title == "Schema-violating request accepted" and "Incorrect type" in str(failure.message)


def _run_operation(runner, app, schema, operation) -> dict[str, str]:
    """Every case the phases derive for one operation; returns each distinct failure with one example request."""
    failures: dict[str, str] = {}

    def check(case) -> None:
        response = _call(runner, app, case)
        try:
            case.validate_response(response, excluded_checks=EXCLUDED, headers=HEADERS)
        except FailureGroup as group:  # every check that failed for this case
            for failure in group.exceptions:
                if _tolerated(failure):
                    continue
                summary = f"{response.status_code} {failure.title}: {str(failure.message)[:300]}"
                failures.setdefault(summary, f"{case.method} {case.formatted_path} {response.text[:300]}")
        if response.status_code >= 500:
            failures.setdefault(f"{response.status_code} server error", f"{case.method} {case.formatted_path}")

    test = build_operation_test(config=schema.config, operation=operation, test_func=check, given_kwargs={},
                                feedback=NO_FEEDBACK, explicit_settings=_SETTINGS)
    test()
    return failures


@pytest.mark.parametrize("service", list(BUILDERS))
def test_api_conforms_to_its_document_under_generated_and_negative_input(service, security_services):
    runner, built = security_services
    _, app = built[service]
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.config.generation.update(max_examples=MAX_EXAMPLES)
    # A write checks If-Match before the body, so an invalid body on a stale version is refused with 412.
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "412"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    failures: dict[str, dict[str, str]] = {}
    for operation in operations:
        if found := _run_operation(runner, app, schema, operation):
            failures[operation.label] = found
    report = "\n".join(f"== {label}\n" + "\n".join(f"  {what}\n    e.g. {example}" for what, example in found.items())
                       for label, found in failures.items())
    assert not failures, report
