"""Rule 21: memo lines and totals, against hand-computed examples and properties."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adjustment_svc.domain.errors import LineNotAdjustable
from adjustment_svc.domain.memo_lines import InvoiceLineView, RequestedLine, compute_memo
from mediabill_common.money import Money


def line(line_id, kind, amount, tax_code=None):
    return InvoiceLineView(line_id, kind, D(amount), f"{kind} {line_id}", tax_code)


WORKED_EXAMPLE = [  # billing-rules.md: IO-7, 5% discount, 15% agency commission, no tax
    line("L1", "usage", "2000.00"), line("OD", "over_delivery", "0.00"),
    line("D", "discount", "-100.00"), line("C", "agency_commission", "-285.00"),
]


def amounts(memo):
    return {(x.invoice_line_id, x.kind): x.amount for x in memo.lines}


def test_worked_example_credit_reverses_its_share_of_discount_and_commission():
    memo = compute_memo(WORKED_EXAMPLE, [RequestedLine("L1", D("200.00"), "IVT")], "USD")
    # 200 / 2000 = 10%: gives back 10.00 of the -100.00 discount and 28.50 of the -285.00 commission.
    assert amounts(memo) == {("L1", "usage"): D("200.00"), ("D", "discount"): D("-10.00"),
                             ("C", "agency_commission"): D("-28.50")}
    assert memo.total == Money(D("161.50"), "USD")
    assert [x.derived for x in memo.lines] == [False, True, True]


def test_tax_is_reversed_per_tax_code_on_the_net():
    # usage 1000 + flat 500 (VAT 20%), discount 10% = -150, commission 15% of 1350 = -202.50,
    # net 1147.50, tax 229.50. Credit 300 on L1: net 300 x 0.9 x 0.85 = 229.50, tax 45.90, total 275.40.
    invoice = [line("L1", "usage", "1000.00", "VAT"), line("L2", "flat_fee", "500.00", "VAT"),
               line("D", "discount", "-150.00"), line("C", "agency_commission", "-202.50"),
               line("T", "tax", "229.50", "VAT")]
    memo = compute_memo(invoice, [RequestedLine("L1", D("300.00"), "")], "USD")
    assert amounts(memo) == {("L1", "usage"): D("300.00"), ("D", "discount"): D("-30.00"),
                             ("C", "agency_commission"): D("-40.50"), ("T", "tax"): D("45.90")}
    assert memo.total == Money(D("275.40"), "USD")


def test_only_the_tax_code_of_the_named_line_is_reversed():
    invoice = [line("A", "usage", "1000.00", "STD"), line("B", "usage", "1000.00", "ZERO"),
               line("T", "tax", "100.00", "STD")]
    assert compute_memo(invoice, [RequestedLine("B", D("500.00"), "")], "EUR").total == Money(D("500.00"), "EUR")
    memo = compute_memo(invoice, [RequestedLine("A", D("500.00"), "")], "EUR")
    assert amounts(memo)[("T", "tax")] == D("50.00")
    assert memo.total == Money(D("550.00"), "EUR")


def test_each_derived_line_is_rounded_once_half_away_from_zero():
    invoice = [line("L1", "usage", "33.33"), line("L2", "usage", "66.66"), line("D", "discount", "-10.00")]
    # -10.00 x 33.33 / 99.99 = -3.3333.. -> -3.33; crediting both lines together rounds the sum once.
    assert amounts(compute_memo(invoice, [RequestedLine("L1", D("33.33"), "")], "USD"))[("D", "discount")] \
        == D("-3.33")
    both = compute_memo(invoice, [RequestedLine("L1", D("33.33"), ""), RequestedLine("L2", D("66.66"), "")], "USD")
    assert amounts(both)[("D", "discount")] == D("-10.00")
    half = compute_memo([line("L1", "usage", "200.00"), line("D", "discount", "-0.01")],
                        [RequestedLine("L1", D("100.00"), "")], "USD")
    assert amounts(half)[("D", "discount")] == D("-0.01")  # -0.005 rounds away from zero


def test_prior_period_adjustment_line_reverses_nothing_else():
    invoice = [*WORKED_EXAMPLE, line("P", "prior_period_adjustment", "120.00")]
    memo = compute_memo(invoice, [RequestedLine("P", D("20.00"), "")], "USD")
    assert amounts(memo) == {("P", "prior_period_adjustment"): D("20.00")}
    assert memo.total == Money(D("20.00"), "USD")


@pytest.mark.parametrize("kind", ["discount", "agency_commission", "tax", "over_delivery"])
def test_a_memo_cannot_name_a_derived_or_informational_line(kind):
    invoice = [*WORKED_EXAMPLE, line("X", kind, "-5.00")]
    with pytest.raises(LineNotAdjustable, match="X is a"):
        compute_memo(invoice, [RequestedLine("X", D("1.00"), "")], "USD")


def test_a_memo_cannot_name_a_line_of_another_invoice():
    with pytest.raises(LineNotAdjustable, match="not on this invoice"):
        compute_memo(WORKED_EXAMPLE, [RequestedLine("nope", D("1.00"), "")], "USD")


cents = st.integers(min_value=1, max_value=10_000_000).map(lambda c: D(c) / 100)
pct = st.integers(min_value=0, max_value=30)


@given(usage=st.lists(cents, min_size=1, max_size=6), discount_pct=pct, commission_pct=pct, tax_pct=pct)
def test_crediting_every_line_in_full_gives_back_exactly_the_invoice_total(usage, discount_pct, commission_pct,
                                                                          tax_pct):
    from mediabill_common.money import round_money

    base = sum(usage)
    discount = round_money(-base * discount_pct / 100, "USD")
    commission = round_money(-(base + discount) * commission_pct / 100, "USD")
    tax = round_money((base + discount + commission) * tax_pct / 100, "USD")
    invoice = [line(f"L{i}", "usage", a, "STD") for i, a in enumerate(usage)]
    invoice += [line("D", "discount", discount), line("C", "agency_commission", commission),
                line("T", "tax", tax, "STD")]
    memo = compute_memo(invoice, [RequestedLine(f"L{i}", a, "") for i, a in enumerate(usage)], "USD")
    assert memo.total == Money(base + discount + commission + tax, "USD")


@given(usage=st.lists(cents, min_size=2, max_size=6), data=st.data())
def test_derived_lines_are_within_half_a_cent_of_the_exact_share(usage, data):
    invoice = [line(f"L{i}", "usage", a) for i, a in enumerate(usage)] + [line("D", "discount", "-123.45")]
    picked = data.draw(st.integers(min_value=0, max_value=len(usage) - 1))
    memo = compute_memo(invoice, [RequestedLine(f"L{picked}", usage[picked], "")], "USD")
    exact = D("-123.45") * usage[picked] / sum(usage)
    derived = [x for x in memo.lines if x.derived]
    assert all(abs(x.amount - exact) <= D("0.005") for x in derived)
    assert all(x.amount == x.amount.quantize(D("0.01")) for x in memo.lines)
