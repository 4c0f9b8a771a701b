"""Stateful property-based API testing of all four services: schemathesis follows their OpenAPI links.

Each service's document says which answer feeds which call (an opened dispute's id to its assignment, the ETag
just read to the If-Match of the next change). schemathesis' state machine chains generated calls along those
links, in-process on the real database as in test_schemathesis, with the same checks: no 5xx, documented status
codes, content types, headers and bodies, negative data rejected.

Generated data cannot name an invoice that dispute-svc and adjustment-svc know from events, nor the account and
product a contract needs, so these are made first (stateful_prerequisites.py) and substituted into the positive
cases that must name them; invoice-svc gets an issued invoice and billing exceptions to find. Every run must also
follow links: one counts when the call it feeds used a value from an earlier answer and succeeded (2xx), and each
service must have used a resource created in the run.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.engine.errors import is_inconsistent_replay
from schemathesis.generation import GenerationMode

from mediabill_common.auth.principal import ROLES
from mediabill_common.events.catalog import REASON_CODES, DisputeOutcome
from mediabill_common.testing.plugin import token
from tests.contracts.conftest import BUILDERS
from tests.security import stateful_prerequisites as seed
from tests.security.stateful_prerequisites import Prerequisites
from tests.security.test_schemathesis import EXCLUDED, HEADERS, _auth_for, _tolerated, send

pytestmark = pytest.mark.integration
# Approvals are given by someone other than the maker (maker-checker), as in production.
CHECKER = {"Authorization": f"Bearer {token(list(ROLES), sub='schemathesis-checker')}"}
_CHECKER_OPERATIONS = {"POST /v1/adjustments/{adjustment_id}/approve", "POST /v1/adjustments/{adjustment_id}/reject"}
DISPUTE_OUTCOMES = DisputeOutcome.__args__  # type: ignore[attr-defined]
# Transition ids read "POST /v1/disputes -> [201] get_dispute -> GET /v1/disputes/{dispute_id}".
_CREATED = re.compile(r"^POST \S+ -> \[20[12]\] ")
# accounting-svc creates nothing through its API (the journal comes from events; its writes replace the chart of
# accounts and close or reopen a month, which needs invoice-svc): its links lead from a read to a write instead.
_NOTHING_CREATED = {"accounting-svc"}
_WRITE = re.compile(r" -> (PUT|POST|PATCH|DELETE) ")
# Under 15 s per service: 50 scenarios of up to 15 calls each (the whole suite has to stay within minutes).
SCENARIOS = 50
_SETTINGS = settings(max_examples=SCENARIOS, stateful_step_count=15, deadline=None, derandomize=True,
                     database=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])


@dataclass
class StatefulRun:
    """One service's run: how it calls the app, what it found and which links it followed."""

    runner: Any
    app: Any
    prerequisites: Prerequisites
    failures: dict[str, str] = field(default_factory=dict)
    followed: Counter[str] = field(default_factory=Counter)
    seen_ids: set[str] = field(default_factory=set)
    scenarios: int = 0
    replays_that_differed: int = 0

    def call(self, case) -> httpx.Response:
        headers = _auth_for(case)
        if headers and case.operation.label in _CHECKER_OPERATIONS:
            headers = CHECKER
        return send(self.runner, self.app, case, headers)

    def check(self, case, response: Response, recorder) -> None:
        try:
            case.validate_response(response, excluded_checks=EXCLUDED, headers=HEADERS, recorder=recorder)
        except FailureGroup as group:
            for failure in group.exceptions:
                if not _tolerated(failure):
                    summary = f"{response.status_code} {failure.title}: {str(failure.message)[:300]}"
                    self.failures.setdefault(summary, f"{case.operation.label} {response.text[:300]}")
        if response.status_code >= 500:
            self.failures.setdefault(f"{response.status_code} server error", case.operation.label)
        # An answer whose ETag a link reads declares the header (optional in OpenAPI terms); it must be there.
        documented = case.operation.definition.raw.get("responses", {}).get(str(response.status_code), {})
        if "ETag" in documented.get("headers", {}) and not response.headers.get("etag"):
            self.failures.setdefault(f"{response.status_code} without its documented ETag", case.operation.label)

    def remember_ids(self, response: Response) -> None:
        if 200 <= response.status_code < 300 and "json" in (response.headers.get("content-type") or [""])[0]:
            body = response.json()
            if isinstance(body, dict) and isinstance(body.get("account_id"), str):
                self.seen_ids.add(body["account_id"])


# ---- references generated data cannot guess -------------------------------------------------------------------

def _plausible_amount(value: Any) -> str:
    """The generated amount when it is one a person would enter (0 < amount <= 5,000.00, cents at most), else
    1.00: amounts are kept within every line's headroom, and both sides of the approval limits are reached."""
    try:
        amount = Decimal(str(value))
        plausible = 0 < amount <= 5000 and amount == amount.quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError):
        plausible = False
    return str(value) if plausible else "1.00"


def _invoice_lines(body: dict[str, Any], known: Prerequisites) -> None:
    """The seeded invoice, each of its lines named at most once."""
    body["invoice_id"] = known.invoice_id
    lines = (body.get("lines") or [{}])[:len(known.invoice_line_ids)]
    for line, line_id in zip(lines, known.invoice_line_ids, strict=False):  # a body may name fewer lines
        line.update(invoice_line_id=line_id, amount=_plausible_amount(line.get("amount")))
    body["lines"] = lines


def _dispute_references(body: dict[str, Any], known: Prerequisites, _seen: set[str]) -> None:
    _invoice_lines(body, known)
    if body.get("reason_code") not in REASON_CODES:  # free text in the document too, checked by the domain
        body["reason_code"] = "other"


def _resolution(body: dict[str, Any], _known: Prerequisites, _seen: set[str]) -> None:
    # The outcome is free text in the document and checked by the domain; a made-up one only ever gets a 422.
    if body.get("outcome") not in DISPUTE_OUTCOMES:
        body.update(outcome="rejected", credit_amount="0.00")


def _adjustment_references(body: dict[str, Any], known: Prerequisites, _seen: set[str]) -> None:
    _invoice_lines(body, known)
    body["dispute_id"] = None  # a dispute of this invoice is made by dispute-svc, not guessed


def _contract_references(body: dict[str, Any], known: Prerequisites, seen: set[str]) -> None:
    # An account a link brought from the accounts API is kept; a generated id is replaced by the seeded account.
    if body.get("bill_to_account_id") not in seen:
        body.update(advertiser_account_id=known.account_id, bill_to_account_id=known.account_id,
                    currency=known.currency)
    lines = body.get("lines") or [{"line_item_id": f"LI-{uuid.uuid4().hex[:12]}"}]
    for line in lines:
        line["product_code"] = known.product_code
    body["lines"] = lines


_REFERENCES = {"POST /v1/disputes": _dispute_references, "POST /v1/disputes/{dispute_id}/resolve": _resolution,
               "POST /v1/adjustments": _adjustment_references, "POST /v1/contracts": _contract_references}


def _with_real_references(case, run: StatefulRun) -> None:
    substitute = _REFERENCES.get(case.operation.label)
    positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
    if substitute is not None and positive and isinstance(case.body, dict):
        substitute(case.body, run.prerequisites, run.seen_ids | {run.prerequisites.account_id})


def _state_machine(schema, run: StatefulRun) -> type:
    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            run.scenarios += 1

        def step(self, input):
            output = super().step(input)
            # A followed link: the call used a value an earlier answer gave, and it succeeded.
            if input.transition is not None and input.applied_parameters and 200 <= output.response.status_code < 300:
                run.followed[input.transition.id] += 1
            return output

        def before_call(self, case) -> None:
            _with_real_references(case, run)

        def call(self, case, **kwargs) -> Response:
            return Response.from_httpx(run.call(case), verify=False)

        def after_call(self, response: Response, case) -> None:
            super().after_call(response, case)
            run.remember_ids(response)

        def validate_response(self, response: Response, case, additional_checks=None, **kwargs) -> None:
            run.check(case, response, self.recorder)

    return Workflow


def _run_scenarios(machine: type, run: StatefulRun) -> None:
    """About SCENARIOS scenarios. Hypothesis replays the start of earlier scenarios to find new ones; on a real
    database a replay can go differently (a list is no longer empty, a dispute is already resolved) and Hypothesis
    stops with Flaky. schemathesis' own runner takes that as the end of a suite, not a failure, and runs another;
    so does this one, with the scenarios left."""
    for _ in range(5):
        try:
            machine.run(settings=settings(_SETTINGS, max_examples=SCENARIOS - run.scenarios))
            return
        except Exception as exc:
            if not (isinstance(exc, Flaky) or is_inconsistent_replay(exc)):
                raise
            run.replays_that_differed += 1
            if run.scenarios >= SCENARIOS:
                return


@pytest.fixture(scope="module")
def prerequisites(security_services) -> dict[str, Prerequisites]:
    runner, built = security_services
    uid = uuid.uuid4().hex[:10]
    invoice = seed.invoice_issued(uid)
    runner.run(seed.issue_to_disputes(built["dispute-svc"][0], invoice))
    runner.run(seed.issue_to_adjustments(built["adjustment-svc"][0], invoice))
    runner.run(seed.billing_history(*built["invoice-svc"], uid))
    account_id, product_code = runner.run(seed.live_configuration(built["product-config-svc"][1], uid))
    issued = Prerequisites(invoice_id=invoice["invoice_id"],
                           invoice_line_ids=tuple(line["invoice_line_id"] for line in invoice["lines"]))
    return {"product-config-svc": Prerequisites(account_id=account_id, product_code=product_code),
            "invoice-svc": Prerequisites(), "dispute-svc": issued, "adjustment-svc": issued,
            "accounting-svc": Prerequisites()}


@pytest.mark.parametrize("service", list(BUILDERS))
def test_linked_calls_conform_to_the_document(service, security_services, prerequisites):
    runner, built = security_services
    _, app = built[service]
    schema = schemathesis.openapi.from_dict(app.openapi())
    # Only the documented links: schemathesis would otherwise add links it infers from names.
    schema.config.phases.stateful.inference.algorithms = []
    rejection = schema.config.checks.negative_data_rejection
    rejection.expected_statuses = [*rejection.expected_statuses, "412"]
    run = StatefulRun(runner, app, prerequisites[service])

    _run_scenarios(_state_machine(schema, run), run)

    followed = "\n".join(f"  {n:3d}  {link}" for link, n in run.followed.most_common())
    print(f"{service}: {run.scenarios} scenarios started ({run.replays_that_differed} runs ended by a replay that "
          f"went differently); links followed to a 2xx\n{followed}")
    report = "\n".join(f"  {what}\n    e.g. {example}" for what, example in run.failures.items())
    assert not run.failures, f"{service}:\n{report}"
    # Not vacuous: resources this run created were used by later calls that succeeded.
    if service in _NOTHING_CREATED:
        writes = [link for link in run.followed if _WRITE.search(link)]
        assert writes, f"{service}: no write used a value an earlier answer gave:\n{followed}"
        return
    from_created = [link for link in run.followed if _CREATED.match(link)]
    assert from_created, f"{service}: no resource created in the run was used by a later call:\n{followed}"
