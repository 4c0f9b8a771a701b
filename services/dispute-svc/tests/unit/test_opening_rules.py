"""Opening a dispute: void, window, lines, kinds, amounts and headroom (rules 18-19)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from dispute_svc.domain.errors import InvalidRequest, RuleBreach
from dispute_svc.domain.model import Dispute, DisputedLine, InvoiceLineView, InvoiceView
from dispute_svc.domain.opening import (
    LineHolds,
    RequestedLine,
    check_opening,
    dispute_window_closes,
    holds_of,
    line_exposure,
)
from mediabill_common.money import Money


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
                         holds=held or LineHolds())


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
    # 2000.00 - credited 100.00 - awaiting credit 150.00 - under open disputes 250.00 = 1500.00
    held = LineHolds(under_dispute={"u1": Decimal("250.00")}, awaiting_credit={"u1": Decimal("150.00")})
    opening([("u1", "1500.00")], held=held)
    with pytest.raises(RuleBreach, match=r"line u1 has a headroom of 1500.00 USD \(amount 2000.00 - credited 100.00 "
                                         r"- awaiting credit 150.00 - under open disputes 250.00\); 1500.01 was asked"):
        opening([("u1", "1500.01")], held=held)


def test_over_delivery_line_has_no_headroom():
    with pytest.raises(RuleBreach, match=r"line o1 has a headroom of 0\.00 USD"):
        opening([("o1", "1.00")])


def test_headroom_is_amount_less_credited_less_awaiting_credit_less_under_dispute():
    line = InvoiceLineView("u1", "usage", Decimal("2000.00"), Decimal("100.00"))
    held = LineHolds(under_dispute={"u1": Decimal("300.00")}, awaiting_credit={"u1": Decimal("100.00")})
    assert line_exposure(line, held, "USD").headroom == Money(Decimal("1500.00"), "USD")


def test_open_disputes_count_as_disputed_and_resolved_ones_as_credit_awaited():
    t0 = datetime(2026, 3, 2, tzinfo=UTC)

    def a_dispute(status: str, amount: str) -> Dispute:
        d = Dispute(dispute_id=f"d-{status}", invoice_id="i1", invoice_number="INV-1", bill_to_account_id="agency",
                    currency="USD", reason_code="rate_mismatch", description="rate", opened_by="ana", opened_at=t0,
                    assignment_due_at=t0, resolution_due_at=t0, lines=[DisputedLine("u1", Decimal(amount), "usage")])
        d.status = "in_review" if status == "resolved" else status
        if status == "resolved":
            d.resolve("upheld", Money(Decimal(amount), "USD"), "confirmed", by="max", at=t0)
        return d

    holds = holds_of([a_dispute("open", "300.00"), a_dispute("in_review", "200.00"), a_dispute("resolved", "150.00"),
                      a_dispute("withdrawn", "999.00")])
    assert holds == LineHolds(under_dispute={"u1": Decimal("500.00")}, awaiting_credit={"u1": Decimal("150.00")})
    exposure = line_exposure(an_invoice().line("u1"), holds, "USD")
    assert (exposure.credited, exposure.pending_credit, exposure.disputed) == (
        Money(Decimal("100.00"), "USD"), Money(Decimal("150.00"), "USD"), Money(Decimal("500.00"), "USD"))
    assert exposure.headroom == Money(Decimal("1250.00"), "USD")
