"""Posting period and date rules (close.md C6)."""

from datetime import date

from accounting_svc.domain.periods import next_period, posting_date, posting_period, previous_period


def test_a_document_posts_to_its_own_period_while_it_is_open():
    assert posting_period("2026-11", set()) == "2026-11"


def test_a_document_of_a_closed_period_posts_to_the_first_open_period_after_it():
    assert posting_period("2026-11", {"2026-11", "2026-12"}) == "2027-01"


def test_posting_date_is_the_document_date_inside_the_period_else_its_nearest_end():
    assert posting_date(date(2026, 11, 14), "2026-11") == date(2026, 11, 14)
    assert posting_date(date(2026, 12, 1), "2026-11") == date(2026, 11, 30)  # billed during its own close
    assert posting_date(date(2026, 11, 20), "2026-12") == date(2026, 12, 1)  # a closed month's document


def test_periods_roll_over_years():
    assert next_period("2026-12") == "2027-01" and previous_period("2027-01") == "2026-12"
