"""The shared root-cause list (oversight.md O4): what analysts may record, and what only the system records."""

import re
from pathlib import Path

import pytest
from pydantic import TypeAdapter, ValidationError

from mediabill_common.events.catalog import ANALYST_ROOT_CAUSES, ROOT_CAUSES, AnalystRootCause, parse_payload

SPEC = Path(__file__).resolve().parents[4].parent / "shared" / "spec" / "oversight.md"
ANALYST_CHOICE = TypeAdapter(AnalystRootCause | None)


def test_the_list_is_the_one_oversight_md_names():
    o4 = SPEC.read_text().split("## O4.", 1)[1]
    listed = o4.split("shared list:", 1)[1].split("; an exception", 1)[0]
    assert tuple(re.findall(r"`([a-z_0-9]+)`", listed)) == ANALYST_ROOT_CAUSES
    assert (*ANALYST_ROOT_CAUSES, "system_resolved") == ROOT_CAUSES


@pytest.mark.parametrize("cause", ["late_booking", "third_party_discrepancy", "no_error", "other", None])
def test_an_analyst_records_a_cause_from_the_list_or_none(cause):
    assert ANALYST_CHOICE.validate_python(cause) == cause


@pytest.mark.parametrize("cause", ["system_resolved", "bad_luck", "Late_Booking", "", "late booking"])
def test_a_cause_outside_the_list_or_the_systems_own_is_refused_to_an_analyst(cause):
    with pytest.raises(ValidationError):
        ANALYST_CHOICE.validate_python(cause)


def test_resolution_events_carry_the_cause_and_stay_readable_without_it():
    base = {"exception_id": "x-1", "resolution": "healed", "resolved_by": "system",
            "resolved_at": "2026-12-01T00:00:00Z"}
    assert parse_payload("BillingExceptionResolved", base).root_cause is None  # published before issue 22
    healed = parse_payload("BillingExceptionResolved", base | {"root_cause": "system_resolved"})
    assert healed.root_cause == "system_resolved"
    with pytest.raises(ValidationError):
        parse_payload("BillingExceptionResolved", base | {"root_cause": "bad_luck"})
