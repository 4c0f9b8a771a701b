"""Opening a dispute: void, window, lines, kinds, amounts and headroom (rules 18-19)."""

from datetime import date
from decimal import Decimal

import pytest

from dispute_svc.domain.errors import InvalidRequest, RuleBreach
from dispute_svc.domain.model import InvoiceLineView, InvoiceView
from dispute_svc.domain.opening import RequestedLine, check_opening, dispute_window_closes, line_headroom


def an_invoice(status: str = "issued") -> InvoiceView:
    return InvoiceView(
        invoice_id="i1", invoice_number="INV-2026-00000007", account_id="adv", bill_to_account_id="agency",
        contract_id="IO-7", currency="USD", period="2026-02", period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28), issue_date=date(2026, 3, 2), status=status, lines=(
            InvoiceLineView("u1", "usage", Decimal("2000.00"), Decimal("100.00"), "display", "L1"),
            InvoiceLineView("f1", "flat_fee", Decimal("500.00"), Decimal(0), "sponsorship", "L2"),
            InvoiceLineView("o1", "over_delivery", Decimal("0.00"), Decimal(0), "display", "L1"),
            InvoiceLineView("d1", "discount", Decimal("-100.00")),
            InvoiceLineView("c1", "agency_commission", Decimal("-285.00")),
            InvoiceLineView("t1", "tax", Decimal("50.00")),
        ))


def opening(lines, *, invoice=None, today=date(2026, 3, 10), held=None, reason="rate_mismatch",
            description="billed at the wrong CPM", window=90):
    return check_opening(invoice or an_invoice(), [RequestedLine(i, Decimal(a)) for i, a in lines],
                         reason_code=reason, description=description, today=today, window_days=window,
                         held_by_line=held or {})


def test_valid_dispute_returns_the_disputed_lines_with_their_kind_and_line_item():
    lines = opening([("u1", "300.00"), ("f1", "500.00")])
    assert [(ln.invoice_line_id, ln.amount, ln.kind, ln.line_item_id) for ln in lines] == [
        ("u1", Decimal("300.00"), "usage", "L1"), ("f1", Decimal("500.00"), "flat_fee", "L2")]


def test_void_invoice_cannot_be_disputed():
    with pytest.raises(RuleBreach, match="is void"):
        opening([("u1", "1.00")], invoice=an_invoice("void"))


def test_window_closes_ninety_days_after_issue_and_the_error_names_the_date():
    assert dispute_window_closes(date(2026, 3, 2), 90) == date(2026, 5, 31)
    opening([("u1", "1.00")], today=date(2026, 5, 31))
    with pytest.raises(RuleBreach, match="closed on 2026-05-31"):
        opening([("u1", "1.00")], today=date(2026, 6, 1))


def test_window_length_is_configurable():
    with pytest.raises(RuleBreach, match="closed on 2026-03-09"):
        opening([("u1", "1.00")], window=7)


@pytest.mark.parametrize("reason", ["pricing", "", "RATE_MISMATCH"])
def test_reason_code_must_come_from_the_spec(reason):
    with pytest.raises(InvalidRequest, match="reason_code"):
        opening([("u1", "1.00")], reason=reason)


def test_description_is_required():
    with pytest.raises(InvalidRequest, match="description is required"):
        opening([("u1", "1.00")], description="   ")


def test_at_least_one_line_is_required():
    with pytest.raises(InvalidRequest, match="at least one"):
        opening([])


def test_unknown_line_is_named():
    with pytest.raises(InvalidRequest, match=r"lines\[1\]: invoice INV-2026-00000007 has no line zz"):
        opening([("u1", "1.00"), ("zz", "1.00")])


def test_a_line_named_twice_is_refused():
    with pytest.raises(InvalidRequest, match="named twice"):
        opening([("u1", "1.00"), ("u1", "2.00")])


@pytest.mark.parametrize("line", ["d1", "c1", "t1"])
def test_discount_commission_and_tax_lines_cannot_be_disputed(line):
    with pytest.raises(RuleBreach, match="only flat_fee, over_delivery, prior_period_adjustment, usage"):
        opening([(line, "1.00")])


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.001"])
def test_amount_must_be_positive_in_minor_units(amount):
    with pytest.raises(InvalidRequest, match=r"lines\[0\]: amount must be greater than 0"):
        opening([("u1", amount)])


def test_amount_above_headroom_names_the_line_and_its_headroom():
    # 2000.00 - credited 100.00 - held 400.00 = 1500.00
    opening([("u1", "1500.00")], held={"u1": Decimal("400.00")})
    with pytest.raises(RuleBreach, match=r"line u1 has a headroom of 1500.00 USD .*1500.01 was asked"):
        opening([("u1", "1500.01")], held={"u1": Decimal("400.00")})


def test_over_delivery_line_has_no_headroom():
    with pytest.raises(RuleBreach, match="line o1 has a headroom of 0.00 USD"):
        opening([("o1", "1.00")])


def test_headroom_is_amount_less_credited_less_held():
    line = InvoiceLineView("u1", "usage", Decimal("2000.00"), Decimal("100.00"))
    assert line_headroom(line, Decimal("400.00")) == Decimal("1500.00")
