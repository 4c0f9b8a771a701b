"""Rule 4: the rate card in effect on the delivery date, rate-card segments, all-units volume tiers."""

from decimal import Decimal as D

from invoice_svc.domain.pricing import price_invoice_group

TIERS = [(100_000, "10.00"), (500_000, "8.00"), (None, "6.00")]


def test_rate_card_change_mid_month_prices_each_segment_at_its_own_rate(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01", "8.00"), k.card("2024-06-15", "10.00")])
    draft = price_invoice_group(k.group(k.delivery("2024-06-10", impressions=100_000),
                                        k.delivery("2024-06-20", impressions=50_000), products=[p]))
    usage = draft.lines_of("usage")
    assert [(ln.quantity, ln.unit_price, ln.amount) for ln in usage] == [
        (100_000, D("8.00"), D("800.00")), (50_000, D("10.00"), D("500.00"))]
    assert "rate card from 2024-06-15" in usage[1].description
    assert len({ln.invoice_line_id for ln in usage}) == 2


def test_new_rate_card_applies_from_its_effective_date_inclusive(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01", "8.00"), k.card("2024-06-15", "10.00")])
    draft = price_invoice_group(k.group(k.delivery("2024-06-15", impressions=1000), products=[p]))
    assert [ln.unit_price for ln in draft.lines_of("usage")] == [D("10.00")]


def test_delivery_before_any_rate_card_raises_missing_rate(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-06-15", "10.00")])
    draft = price_invoice_group(k.group(k.delivery("2024-06-10", impressions=1000), products=[p]))
    assert draft.lines == ()
    [exc] = draft.exceptions
    assert exc.kind == "missing_rate" and exc.blocks_issue and "2024-06-10" in exc.message


def test_contract_priced_product_without_line_rate_raises_missing_rate(pricing_kit):
    k = pricing_kit
    p = k.product(price=None, contract_priced=True)
    draft = price_invoice_group(k.group(k.delivery(impressions=1000), products=[p], contract=k.terms(k.line())))
    assert draft.lines == () and [e.kind for e in draft.exceptions] == ["missing_rate"]


def test_contract_priced_product_with_line_rate_is_billed(pricing_kit):
    k = pricing_kit
    p = k.product(price=None, contract_priced=True)
    draft = price_invoice_group(k.group(k.delivery(impressions=1000), products=[p],
                                        contract=k.terms(k.line(rate="4.00"))))
    assert draft.total.amount == D("4.00") and draft.exceptions == ()


def test_rate_card_without_price_or_tiers_raises_missing_rate(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01")])
    draft = price_invoice_group(k.group(k.delivery(impressions=1000), products=[p]))
    assert [e.kind for e in draft.exceptions] == ["missing_rate"]


def test_rate_card_in_another_currency_is_a_currency_mismatch(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01", "8.00", currency="EUR")])
    draft = price_invoice_group(k.group(k.delivery(impressions=1000), products=[p]))
    assert draft.lines == () and [e.kind for e in draft.exceptions] == ["currency_mismatch"]


def _tiered(k, *impressions):
    p = k.product(cards=[k.card("2024-01-01", tiers=TIERS)])
    ds = [k.delivery(f"2024-06-{i + 1:02d}", impressions=n) for i, n in enumerate(impressions)]
    return price_invoice_group(k.group(*ds, products=[p])).lines_of("usage")


def test_tier_upper_bound_is_inclusive(pricing_kit):
    [line] = _tiered(pricing_kit, 100_000)
    assert (line.unit_price, line.amount) == (D("10.00"), D("1000.00"))


def test_tiers_are_all_units_not_graduated(pricing_kit):
    [line] = _tiered(pricing_kit, 100_001)
    assert (line.unit_price, line.amount) == (D("8.00"), D("800.01"))  # every unit at 8.00: 800.008


def test_last_open_tier_takes_any_larger_quantity(pricing_kit):
    [line] = _tiered(pricing_kit, 600_000)
    assert (line.unit_price, line.amount) == (D("6.00"), D("3600.00"))


def test_tier_is_chosen_on_the_period_total_of_the_contract_line_not_per_day(pricing_kit):
    [line] = _tiered(pricing_kit, 60_000, 60_000)  # each day alone would be tier 1
    assert (line.quantity, line.unit_price, line.amount) == (120_000, D("8.00"), D("960.00"))


def test_tier_uses_the_whole_period_quantity_across_rate_card_segments(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01", tiers=TIERS), k.card("2024-06-15", tiers=[(100_000, "9.00"),
                                                                                         (None, "7.00")])])
    draft = price_invoice_group(k.group(k.delivery("2024-06-01", impressions=80_000),
                                        k.delivery("2024-06-20", impressions=40_000), products=[p]))
    assert [(ln.unit_price, ln.amount) for ln in draft.lines_of("usage")] == [
        (D("8.00"), D("640.00")), (D("7.00"), D("280.00"))]


def test_tiers_past_every_bound_take_the_last_tier_price(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01", tiers=[(10, "2.00"), (20, "1.00")])])
    draft = price_invoice_group(k.group(k.delivery(impressions=50_000), products=[p]))
    assert draft.lines_of("usage")[0].unit_price == D("1.00")


def test_contract_rate_ignores_rate_card_segments(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01", "8.00"), k.card("2024-06-15", "10.00")])
    draft = price_invoice_group(k.group(k.delivery("2024-06-10", impressions=1000),
                                        k.delivery("2024-06-20", impressions=1000), products=[p],
                                        contract=k.terms(k.line(rate="5.00"))))
    assert [(ln.quantity, ln.amount) for ln in draft.lines_of("usage")] == [(2000, D("10.00"))]
