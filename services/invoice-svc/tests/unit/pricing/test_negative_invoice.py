"""Rule 14: a negative total is not issued; a negative_invoice exception sends it to adjustment-svc."""

from decimal import Decimal as D

from invoice_svc.domain.pricing import DraftLine, price_invoice_group


def _ppa(amount):
    return DraftLine("ppa-1", "prior_period_adjustment", "Prior-period adjustment INV-2024-00000001 (2024-05): x",
                     D(amount), quantity=1, unit_price=D(amount), line_item_id="L1",
                     original_invoice_number="INV-2024-00000001")


def test_negative_total_raises_negative_invoice_and_is_not_issuable(pricing_kit):
    k = pricing_kit
    draft = price_invoice_group(k.group(k.delivery(impressions=10_000), contract=k.terms(k.line()),
                                        prior=[_ppa("-500.00")]))
    assert draft.total.amount == D("-420.00")
    [exc] = draft.exceptions
    assert (exc.kind, exc.amount_at_risk, exc.blocks_issue) == ("negative_invoice", D("420.00"), True)
    assert not draft.issuable and draft.as_dict()["issuable"] is False


def test_zero_total_is_issuable(pricing_kit):
    k = pricing_kit
    draft = price_invoice_group(k.group(k.delivery(impressions=10_000), contract=k.terms(k.line()),
                                        prior=[_ppa("-80.00")]))
    assert draft.total.amount == D("0.00") and draft.exceptions == () and draft.issuable


def test_positive_total_is_issuable(pricing_kit):
    k = pricing_kit
    assert price_invoice_group(k.group(k.delivery(impressions=10_000))).issuable
