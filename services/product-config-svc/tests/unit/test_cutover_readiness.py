"""The billing-source cutover readiness item (oversight.md O1): pass/fail over the last N service days."""

from datetime import date, timedelta
from decimal import Decimal

from product_config_svc.domain.readiness import (
    CutoverOutcome,
    SourceEntry,
    UpcomingCutover,
    cutover_item,
    cutover_window,
    upcoming_cutover,
)

TODAY = date(2026, 11, 10)
PIO, OMS = SourceEntry("pio", date(2026, 1, 1)), SourceEntry("oms", date(2026, 11, 16))
ONE = Decimal(1)


def _outcome(statuses: dict, days: int = 7) -> CutoverOutcome:
    return CutoverOutcome(tuple(cutover_window(TODAY, days)), ONE, statuses)


def test_only_a_future_entry_makes_a_cutover_upcoming():
    assert upcoming_cutover([PIO, OMS], TODAY) == UpcomingCutover(PIO, OMS)
    assert upcoming_cutover([PIO, OMS], OMS.effective_from) is None
    assert upcoming_cutover([OMS], TODAY) == UpcomingCutover(None, OMS)
    assert upcoming_cutover([], TODAY) is None


def test_the_window_is_the_last_n_days_before_today():
    assert cutover_window(TODAY, 3) == [date(2026, 11, 7), date(2026, 11, 8), date(2026, 11, 9)]


def test_passes_when_every_one_of_the_n_days_is_matched_or_within_tolerance():
    window = cutover_window(TODAY, 7)
    item = cutover_item(UpcomingCutover(PIO, OMS), _outcome({d: ["matched", "within_tolerance"] for d in window}))
    assert item.passed, item.reason
    assert item.reason == ("oms from 2026-11-16: reconciled against pio within 1% on each of the 7 days "
                           "2026-11-03..2026-11-09")


def test_fails_on_one_day_beyond_tolerance_one_sided_or_without_delivery():
    window = cutover_window(TODAY, 7)
    statuses = {d: ["matched"] for d in window}
    statuses[window[2]] = ["beyond_tolerance", "matched"]
    statuses[window[4]] = ["only_left"]
    del statuses[window[6]]
    item = cutover_item(UpcomingCutover(PIO, OMS), _outcome(statuses))
    assert not item.passed
    assert item.reason == ("oms from 2026-11-16: not reconciled against pio within 1% on 3 of the 7 days "
                           "2026-11-03..2026-11-09: 2026-11-05: 1 beyond_tolerance; 2026-11-07: 1 only_left; "
                           "2026-11-09: no delivery from either source")


def test_fails_with_the_reason_when_invoice_svc_does_not_answer_or_no_source_bills_today():
    failed = CutoverOutcome((TODAY - timedelta(days=1),), ONE, error="invoice-svc unreachable: ConnectError")
    assert cutover_item(UpcomingCutover(PIO, OMS), failed).reason == "oms from 2026-11-16: invoice-svc unreachable: " \
                                                                      "ConnectError"
    nobody = cutover_item(UpcomingCutover(None, OMS), _outcome({}))
    assert not nobody.passed and "no billing source is named before it" in nobody.reason
