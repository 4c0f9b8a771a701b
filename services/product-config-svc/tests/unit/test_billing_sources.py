"""A product's billing sources (oversight.md O1): validation, the first day a change alters, the invoiced-period
rule."""

from __future__ import annotations

from datetime import date

import pytest

from mediabill_common.events.config_state import BillingSourceEntry
from product_config_svc.domain.billing_sources import (
    check_not_invoiced,
    first_changed_day,
    validate_billing_sources,
)
from product_config_svc.domain.contracts import InvoicedPeriod
from product_config_svc.domain.errors import InvalidConfiguration, RuleViolation

PIO = BillingSourceEntry(source_system="PIO", effective_from=date(2026, 1, 1))
OMS = BillingSourceEntry(source_system="OMS", effective_from=date(2026, 12, 15))


def test_entries_are_ordered_by_effective_date() -> None:
    assert validate_billing_sources([OMS, PIO], {"PIO", "OMS"}) == [PIO, OMS]


def test_an_unregistered_source_and_a_repeated_date_are_named_by_field() -> None:
    twice = BillingSourceEntry(source_system="GAM", effective_from=PIO.effective_from)
    with pytest.raises(InvalidConfiguration) as refused:
        validate_billing_sources([PIO, twice], {"PIO"})
    assert [p.field for p in refused.value.problems] == [
        "billing_sources[1].source_system", "billing_sources[1].effective_from"]


def test_the_first_changed_day_is_the_earliest_entry_added_removed_or_repointed() -> None:
    assert first_changed_day([PIO], [PIO, OMS]) == OMS.effective_from
    assert first_changed_day([PIO, OMS], [PIO]) == OMS.effective_from
    assert first_changed_day([PIO, OMS], [PIO.model_copy(update={"source_system": "GAM"}), OMS]) \
        == PIO.effective_from
    assert first_changed_day([PIO, OMS], [OMS, PIO]) is None


def test_a_change_in_or_before_an_invoiced_period_is_refused() -> None:
    invoiced = [InvoicedPeriod("2026-11", "INV-2026-00000009")]
    with pytest.raises(RuleViolation, match="2026-11"):
        check_not_invoiced("ONSITE-DISPLAY", date(2026, 11, 30), invoiced)
    with pytest.raises(RuleViolation):
        check_not_invoiced("ONSITE-DISPLAY", date(2026, 10, 1), invoiced)
    check_not_invoiced("ONSITE-DISPLAY", date(2026, 12, 1), invoiced)
    check_not_invoiced("ONSITE-DISPLAY", None, invoiced)
