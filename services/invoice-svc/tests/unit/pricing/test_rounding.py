"""Rule 7: each line rounded once to the currency's minor unit, half away from zero; totals sum rounded lines."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_svc.domain.pricing import price_invoice_group


def _cpc(k, rate, clicks=1, **kw):
    p = k.product("SEARCH", "cpc", rate)
    return price_invoice_group(k.group(k.delivery(product_code="SEARCH", clicks=clicks), products=[p], **kw))


def test_half_cent_rounds_up(pricing_kit):
    assert _cpc(pricing_kit, "0.005").total.amount == D("0.01")
    assert _cpc(pricing_kit, "0.0049").total.amount == D("0.00")


def test_negative_half_cent_rounds_away_from_zero(pricing_kit):
    k = pricing_kit
    # 0.10 gross x 5% = 0.005 discount -> -0.01, not -0.00
    draft = _cpc(k, "0.10", contract=k.terms(k.line("L1", "SEARCH"), discount="5"))
    assert draft.lines_of("discount")[0].amount == D("-0.01")
    assert draft.total.amount == D("0.09")


def test_totals_are_sums_of_rounded_lines_never_a_rounded_running_sum(pricing_kit):
    k = pricing_kit
    contract = k.terms(*(k.line(f"L{i}", "SEARCH", rate="0.3333") for i in (1, 2, 3)))
    ds = [k.delivery(line_item_id=f"L{i}", product_code="SEARCH", clicks=1) for i in (1, 2, 3)]
    draft = price_invoice_group(k.group(*ds, products=[k.product("SEARCH", "cpc", "1")], contract=contract))
    assert [ln.amount for ln in draft.lines] == [D("0.33")] * 3
    assert draft.subtotal.amount == draft.total.amount == D("0.99")  # not round(0.9999) = 1.00


def test_zero_decimal_currency_rounds_to_whole_units(pricing_kit):
    k = pricing_kit
    p = k.product(price="333", currency="JPY")
    draft = price_invoice_group(k.group(k.delivery(impressions=1_500), products=[p],
                                        account=k.bill_to(currency="JPY")))
    assert draft.total.amount == D("500") and draft.currency == "JPY"  # 499.5 -> 500


def test_three_decimal_currency_rounds_to_the_fils(pricing_kit):
    k = pricing_kit
    p = k.product(price="1.2345", currency="KWD")
    draft = price_invoice_group(k.group(k.delivery(impressions=1_000), products=[p],
                                        account=k.bill_to(currency="KWD")))
    assert draft.total.amount == D("1.235")


def test_quantities_stay_whole_units(pricing_kit):
    k = pricing_kit
    draft = price_invoice_group(k.group(k.delivery(impressions=1_001)))
    assert all(isinstance(ln.quantity, int) for ln in draft.lines)


@settings(max_examples=100, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10_000_000))
def test_every_half_cent_rounds_away_from_zero(pricing_kit, cents):
    k = pricing_kit
    rate = D(cents) / 100 + D("0.005")
    draft = _cpc(k, str(rate))
    assert draft.total.amount == D(cents + 1) / 100
    # and the matching negative: a 100% discount of the same half-cent gross
    contract = k.terms(k.line("L1", "SEARCH", rate=str(rate)), discount="100")
    discounted = _cpc(k, str(rate), contract=contract)
    assert discounted.lines_of("discount")[0].amount == -D(cents + 1) / 100
