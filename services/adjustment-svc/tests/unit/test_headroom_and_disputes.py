"""Rule 18 headroom and rule 20 dispute credit allocation; memo numbering; KPI arithmetic."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adjustment_svc.domain.dispute_credit import DisputedAmount, allocate_dispute_credit
from adjustment_svc.domain.errors import HeadroomExceeded
from adjustment_svc.domain.headroom import LineExposure, check_credit_headroom
from adjustment_svc.domain.kpis import age_bucket, percentile
from adjustment_svc.domain.memo_lines import RequestedLine
from adjustment_svc.domain.numbering import format_memo_number
from mediabill_common.money import Money


def usd(amount: str | D) -> Money:
    return Money(D(amount), "USD")


def test_headroom_subtracts_credited_pending_and_open_disputes():
    exposure = LineExposure("L1", usd("2000.00"), usd("200.00"), usd("300.00"), usd("500.00"))
    assert exposure.headroom == usd("1000.00")
    check_credit_headroom([RequestedLine("L1", D("1000.00"), "")], {"L1": exposure}, "USD")


def test_a_credit_above_headroom_names_the_line_and_its_headroom():
    exposures = {"L1": LineExposure("L1", usd("2000.00"), usd("0"), usd("1500.00"), usd("0")),
                 "L2": LineExposure("L2", usd("100.00"), usd("0"), usd("0"), usd("0"))}
    with pytest.raises(HeadroomExceeded) as err:
        check_credit_headroom([RequestedLine("L1", D("500.01"), ""), RequestedLine("L2", D("100.00"), "")],
                              exposures, "USD")
    assert "line L1: requested 500.01 USD but its headroom is 500.00 USD" in str(err.value)
    assert [v["invoice_line_id"] for v in err.value.violations] == ["L1"]


def test_upheld_dispute_credits_each_disputed_line_in_full():
    lines = [DisputedAmount("L1", D("100.00")), DisputedAmount("L2", D("50.00"))]
    assert allocate_dispute_credit("upheld", usd("150.00"), lines) == lines


def test_partial_credit_is_pro_rata_with_the_remainder_on_the_last_line():
    lines = [DisputedAmount("L1", D("100.00")), DisputedAmount("L2", D("100.00")), DisputedAmount("L3", D("100.00"))]
    # 100 / 3 = 33.333.. -> 33.33, 33.33, and the last takes 100.00 - 66.66 = 33.34
    assert [a.amount for a in allocate_dispute_credit("partially_upheld", usd("100.00"), lines)] == \
        [D("33.33"), D("33.33"), D("33.34")]


@given(amounts=st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=8),
       ratio=st.integers(min_value=1, max_value=99))
def test_partial_credit_lines_add_up_to_the_credit(amounts, ratio):
    lines = [DisputedAmount(f"L{i}", D(a) / 100) for i, a in enumerate(amounts)]
    credit = (sum(a.amount for a in lines) * ratio / 100).quantize(D("0.01"))
    allocated = allocate_dispute_credit("partially_upheld", usd(credit), lines)
    assert sum(a.amount for a in allocated) == credit
    assert all(a.amount > 0 for a in allocated)


def test_memo_numbers_follow_the_series_and_year():
    assert format_memo_number("credit", 2025, 7) == "CM-2025-00000007"
    assert format_memo_number("debit", 2026, 12345678) == "DM-2026-12345678"
    with pytest.raises(ValueError, match=r"memo sequence 0 is outside 1\.\.99999999"):
        format_memo_number("credit", 2025, 0)


def test_percentiles_are_nearest_rank():
    values = [D(x) for x in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")]
    assert percentile(values, 50) == D("5")
    assert percentile(values, 90) == D("9")
    assert percentile([], 50) is None


def test_pending_age_buckets():
    assert age_bucket(timedelta(hours=23)) == "<1d"
    assert age_bucket(timedelta(days=2)) == "1-3d"
    assert age_bucket(timedelta(days=3)) == "3-7d"
    assert age_bucket(timedelta(days=30)) == ">7d"
