"""Two bill runs compared per invoice group and line (oversight.md O1)."""

from decimal import Decimal

from invoice_svc.domain.billing.run_diff import RunLine, RunLineKey, diff_runs, totals_by_currency


def _key(line_item: str, kind: str = "usage", bill_to: str = "A", currency: str = "USD") -> RunLineKey:
    return RunLineKey(bill_to, "C", currency, kind, line_item, "CPM" if line_item else "", "")


def test_lines_match_on_what_they_bill_and_rate_segments_sum():
    left = [RunLine(_key("L1"), Decimal("100.00")), RunLine(_key("L1"), Decimal("50.00")),
            RunLine(_key("", "tax"), Decimal("15.00"))]
    right = [RunLine(_key("L1"), Decimal("160.00")), RunLine(_key("", "tax"), Decimal("16.00"))]
    rows = diff_runs(left, right)
    assert [(r.key.kind, r.left, r.right, r.difference) for r in rows] == [
        ("tax", Decimal("15.00"), Decimal("16.00"), Decimal("1.00")),
        ("usage", Decimal("150.00"), Decimal("160.00"), Decimal("10.00"))]


def test_a_line_or_group_only_one_run_bills_shows_zero_on_the_other_side():
    rows = diff_runs([RunLine(_key("L1"), Decimal("10"))], [RunLine(_key("L2", bill_to="B"), Decimal("4"))])
    assert [(r.key.line_item_id, r.left, r.right, r.in_left, r.in_right) for r in rows] == [
        ("L1", Decimal("10"), Decimal(0), True, False), ("L2", Decimal(0), Decimal("4"), False, True)]


def test_identical_runs_differ_by_nothing_and_totals_keep_currencies_apart():
    lines = [RunLine(_key("L1"), Decimal("10")), RunLine(_key("L9", currency="EUR"), Decimal("3"))]
    rows = diff_runs(lines, lines)
    assert all(r.difference == 0 for r in rows)
    assert totals_by_currency(rows) == {"USD": (Decimal("10"), Decimal("10")), "EUR": (Decimal("3"), Decimal("3"))}
