"""C9: unbilled rows per product and GL account -- gross, discount and commission pro rata, never tax."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from invoice_svc.domain.close.unbilled import UnbilledGroup, allocate, totals_by_currency, unbilled_rows
from invoice_svc.domain.pricing import DraftLine


def _line(kind, amount, product=None, gl=None, component="usage", **extra) -> DraftLine:
    return DraftLine(invoice_line_id=f"{kind}-{product}-{amount}", kind=kind, description=kind, amount=D(amount),
                     product_code=product, gl_revenue_account=gl, component=component, **extra)


def _group(*lines, reason="not_yet_run") -> UnbilledGroup:
    return UnbilledGroup("AGY-1", "IO-7", "USD", reason, tuple(lines), service_periods=("2025-03",))


def test_discount_and_commission_follow_gross_pro_rata_and_tax_is_left_out():
    rows = unbilled_rows(_group(
        _line("usage", "1000.00", "DISPLAY", "4000"), _line("flat_fee", "310.00", "SPONSOR", "4100"),
        _line("discount", "-131.00", component="discount"),
        _line("agency_commission", "-176.85", component="agency_commission"),
        _line("tax", "200.43", component="tax", tax_code="VAT"),
        _line("over_delivery", "0.00", "DISPLAY", "4000", value=D("12.00"))))
    assert [(r.product_code, r.gl_revenue_account, r.gross, r.discount, r.commission, r.net) for r in rows] == [
        ("DISPLAY", "4000", D("1000.00"), D("-100.00"), D("-135.00"), D("765.00")),
        ("SPONSOR", "4100", D("310.00"), D("-31.00"), D("-41.85"), D("237.15"))]
    assert [(t.currency, t.net) for t in totals_by_currency(rows)] == [("USD", D("1002.15"))]


def test_prior_period_usage_counts_as_gross_and_its_netting_as_discount_and_commission():
    rows = unbilled_rows(_group(
        _line("prior_period_adjustment", "200.00", "DISPLAY", "4000", line_item_id="L1"),
        _line("prior_period_adjustment", "-20.00", component="discount"),
        _line("prior_period_adjustment", "-27.00", component="agency_commission"),
        _line("prior_period_adjustment", "16.00", component="tax", tax_code="VAT"), reason="pending_restatement"))
    assert [(r.reason, r.gross, r.discount, r.commission, r.net) for r in rows] == [
        ("pending_restatement", D("200.00"), D("-20.00"), D("-27.00"), D("153.00"))]


def test_netting_alone_has_a_row_without_product():
    rows = unbilled_rows(_group(_line("prior_period_adjustment", "-3.00", component="discount")))
    assert [(r.product_code, r.gross, r.discount) for r in rows] == [(None, D("0.00"), D("-3.00"))]


def test_nothing_unbilled_gives_no_rows():
    assert unbilled_rows(_group(_line("tax", "5.00", component="tax", tax_code="VAT"))) == []


@given(st.decimals(min_value=-100000, max_value=100000, places=2),
       st.lists(st.decimals(min_value=0, max_value=100000, places=2), min_size=1, max_size=8))
def test_shares_add_up_to_the_amount_exactly(amount, weights):
    shares = allocate(amount, weights, "USD")
    assert sum(shares, D(0)) == amount and len(shares) == len(weights)
    assert all(s == s.quantize(D("0.01")) for s in shares)
