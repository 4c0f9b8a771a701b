"""Errors of the domain and app layers, and the one table that answers them as problem+json."""

import pytest

from mediabill_common.web.etag import check_if_match
from mediabill_common.web.problems import Problem
from product_config_svc.app.common import load, names_version
from product_config_svc.app.ports import PriceSimulationFailed, Stored
from product_config_svc.domain.errors import InvalidConfiguration, RuleViolation, StaleVersion, UnknownEntity
from product_config_svc.entrypoints.api.errors import ERRORS

IF_MATCH_HEADERS = [None, "*", " * ", 'W/"3"', '"3"', ' W/"2" , "3" ', 'W/"2"', '"2"', 'W/W/"3"', "3", "", "x"]


def answer(error: Exception) -> Problem:
    """What create_app answers `error` with: the handler of its nearest type in ERRORS."""
    to_problem = next(ERRORS[t] for t in type(error).__mro__ if t in ERRORS)
    return to_problem(error)


@pytest.mark.parametrize("if_match", IF_MATCH_HEADERS)
def test_if_match_allows_a_change_exactly_when_the_http_check_does(if_match):
    try:
        check_if_match(if_match, 3)
        allowed = True
    except Problem:
        allowed = False
    assert names_version(if_match, 3) is allowed


class OneProduct:
    async def get(self, key, *, for_update=False):
        return Stored({"code": key}, 3) if key == "P" else None


async def test_a_stale_if_match_is_412_with_the_words_the_http_check_uses():
    with pytest.raises(StaleVersion) as stale:
        await load(OneProduct(), "product", "P", if_match='W/"2"')
    with pytest.raises(Problem) as http:
        check_if_match('W/"2"', 3)
    problem = answer(stale.value)
    assert (problem.status, problem.detail) == (412, http.value.detail)


async def test_an_unknown_aggregate_is_404():
    with pytest.raises(UnknownEntity) as unknown:
        await load(OneProduct(), "product", "Q")
    assert (answer(unknown.value).status, answer(unknown.value).detail) == (404, "product 'Q' does not exist")


def test_config_errors_and_failed_simulations_have_their_statuses():
    assert answer(InvalidConfiguration([])).status == 422
    violation = answer(RuleViolation("product 'P' is live", failing_items=[]))
    assert (violation.status, violation.extra) == (409, {"failing_items": []})
    assert [answer(PriceSimulationFailed("x", status=s)).status for s in (None, 400, 422, 500, 503)] == \
        [503, 422, 422, 502, 502]
