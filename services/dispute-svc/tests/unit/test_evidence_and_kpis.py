"""Pure parts of the evidence pack (terms in effect, per-line difference) and of the KPIs."""

from datetime import date
from decimal import Decimal

from dispute_svc.domain.evidence import PricedLine, compare_line, terms_in_effect
from dispute_svc.domain.kpis import hours, median, percentile, share

CONTRACT = {
    "contract_id": "IO-7", "amendment_no": 2, "discount_pct": "8",
    "lines": [{"line_item_id": "L1", "product_code": "display", "rate": "7.00"}],
    "versions": [
        {"amendment_no": 0, "effective_from": "2026-01-01",
         "terms": {"discount_pct": "5", "lines": [{"line_item_id": "L1", "product_code": "display", "rate": "6.00"}]}},
        {"amendment_no": 1, "effective_from": "2026-03-01",
         "terms": {"lines": [{"line_item_id": "L1", "product_code": "display", "rate": "6.50"}]}},
        {"amendment_no": 2, "effective_from": "2026-05-01", "terms": {"discount_pct": "8"}},
    ],
}


def test_terms_in_effect_take_the_latest_version_effective_by_the_period_end():
    feb = terms_in_effect(CONTRACT, date(2026, 2, 28))
    assert (feb.amendment_no, feb.effective_from) == (0, date(2026, 1, 1))
    assert feb.contract["lines"][0]["rate"] == "6.00" and feb.contract["discount_pct"] == "5"
    march = terms_in_effect(CONTRACT, date(2026, 3, 31))
    assert march.amendment_no == 1
    assert march.contract["lines"][0]["rate"] == "6.50" and march.contract["discount_pct"] == "5"
    june = terms_in_effect(CONTRACT, date(2026, 6, 30))
    assert june.amendment_no == 2 and june.contract["discount_pct"] == "8"


def test_before_the_first_version_the_earliest_applies():
    early = terms_in_effect(CONTRACT, date(2025, 12, 31))
    assert early.amendment_no == 0 and early.contract["discount_pct"] == "5"


def test_contract_without_versions_is_taken_as_it_is():
    found = terms_in_effect({"contract_id": "IO-1", "amendment_no": 0, "discount_pct": "3"}, date(2026, 1, 31))
    assert found.contract["discount_pct"] == "3" and found.effective_from is None


def test_line_difference_is_invoiced_minus_repriced_matched_by_line_item_and_kind():
    repriced = [PricedLine("L1", "usage", Decimal("1800.00")), PricedLine("L1", "over_delivery", Decimal("0.00")),
                PricedLine("L2", "usage", Decimal("500.00"))]
    wrong = compare_line("u1", "L1", "usage", Decimal("2000.00"), repriced, "USD")
    assert (wrong.repriced_amount, wrong.difference) == (Decimal("1800.00"), Decimal("200.00"))
    assert wrong.verdict == "invoice is higher than the re-price by 200.00 USD"
    right = compare_line("u2", "L2", "usage", Decimal("500.00"), repriced, "USD")
    assert right.difference == 0 and right.verdict == "invoiced amount matches the re-price"
    under = compare_line("u2", "L2", "usage", Decimal("450.00"), repriced, "USD")
    assert under.verdict == "invoice is lower than the re-price by 50.00 USD"


def test_line_missing_from_the_reprice_counts_as_repriced_at_nothing():
    diff = compare_line("u9", "L9", "usage", Decimal("10.00"), [], "USD")
    assert (diff.repriced_amount, diff.difference) == (Decimal("0.00"), Decimal("10.00"))
    assert "has no usage line for line item L9" in diff.verdict
    zero = compare_line("o1", "L1", "over_delivery", Decimal("0.00"), [], "USD")
    assert zero.difference == 0 and zero.verdict.startswith("invoiced amount matches")


def test_median_and_nearest_rank_p90():
    values = [Decimal(v) for v in ("10", "2", "4", "8")]
    assert median(values) == Decimal(6)
    assert median([Decimal(3)]) == Decimal(3)
    assert percentile([Decimal(i) for i in range(1, 11)], 90) == Decimal(9)
    assert percentile([Decimal(5)], 90) == Decimal(5)
    assert median([]) is None and percentile([], 90) is None


def test_share_and_hours():
    assert share(1, 3) == Decimal("0.3333")
    assert share(0, 0) is None
    assert hours(5400) == Decimal("1.5")
