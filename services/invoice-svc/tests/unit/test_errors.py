"""invoice-svc's refusals without HTTP in app/, and the one table that answers them: the same statuses and words as
the problems app/ used to raise itself."""

from __future__ import annotations

import pytest

from invoice_svc.domain.errors import RuleViolation, StaleVersion, UnknownEntity, check_version
from invoice_svc.entrypoints.api.errors import to_problem
from mediabill_common.web.etag import check_if_match
from mediabill_common.web.problems import PreconditionFailed

IF_MATCH = [None, "*", " * ", 'W/"3"', '"3"', ' W/"3" ', 'W/"2", W/"3"', '"2","3"', 'W/"2"', '"4"', "3", "W/3",
            'W/"33"', ""]


@pytest.mark.parametrize("if_match", IF_MATCH)
def test_a_stale_if_match_is_refused_exactly_when_the_web_check_refuses_it_and_answered_in_its_words(if_match):
    try:
        check_if_match(if_match, 3)
        expected = None
    except PreconditionFailed as problem:
        expected = problem
    try:
        check_version(if_match, 3)
        refused = None
    except StaleVersion as exc:
        refused = exc
    assert (refused is None) == (expected is None)
    if refused is not None and expected is not None:
        answer = to_problem(refused)
        assert (answer.status, answer.detail) == (412, expected.detail)


def test_unknown_things_are_404_and_broken_rules_409_with_the_error_as_detail():
    unknown, broken = to_problem(UnknownEntity("no invoice with id I-1")), to_problem(RuleViolation("it is void"))
    assert (unknown.status, unknown.detail) == (404, "no invoice with id I-1")
    assert (broken.status, broken.detail) == (409, "it is void")
