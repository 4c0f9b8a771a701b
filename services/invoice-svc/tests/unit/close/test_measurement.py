"""First- vs third-party measurement (oversight.md O2): discrepancy %, status against the threshold, value at stake."""

from decimal import Decimal

from invoice_svc.domain.close.measurement import discrepancy_pct, measurement_status, value_at_stake

TEN = Decimal(10)


def test_discrepancy_is_first_minus_third_over_third_in_percent():
    assert discrepancy_pct(110_000, 100_000) == Decimal("10.00")
    assert discrepancy_pct(90_000, 100_000) == Decimal("-10.00")
    assert discrepancy_pct(1, 3) == Decimal("-66.67")


def test_discrepancy_is_null_when_third_party_is_missing_or_zero():
    assert discrepancy_pct(100, None) is None
    assert discrepancy_pct(100, 0) is None


def test_exactly_at_the_threshold_is_within():
    assert measurement_status(110_000, 100_000, TEN) == "within_threshold"
    assert measurement_status(90_000, 100_000, TEN) == "within_threshold"


def test_one_impression_beyond_the_threshold_is_beyond_either_way():
    assert measurement_status(110_001, 100_000, TEN) == "beyond_threshold"
    assert measurement_status(89_999, 100_000, TEN) == "beyond_threshold"


def test_beyond_is_decided_on_exact_counts_not_on_the_rounded_percent():
    # 10.001 % rounds to 10.00 % but is beyond a 10 % threshold
    assert discrepancy_pct(1_100_010, 1_000_000) == Decimal("10.00")
    assert measurement_status(1_100_010, 1_000_000, TEN) == "beyond_threshold"


def test_missing_third_party_counts_have_their_own_status():
    assert measurement_status(100, None, TEN) == "missing_third_party"


def test_zero_third_party_is_beyond_unless_nothing_was_delivered():
    assert measurement_status(1, 0, TEN) == "beyond_threshold"
    assert measurement_status(0, 0, TEN) == "within_threshold"


def test_value_at_stake_is_first_party_value_minus_billed():
    stake = value_at_stake(Decimal("480.00"), Decimal("440.00"))
    assert (stake.first_party_value, stake.billed, stake.at_stake) == (Decimal("480.00"), Decimal("440.00"),
                                                                       Decimal("40.00"))
    assert value_at_stake(None, Decimal("0")).at_stake is None
