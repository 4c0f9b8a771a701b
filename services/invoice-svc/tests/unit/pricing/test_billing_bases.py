"""Rule 5: billing basis of CPM lines -- first-party, third-party, discrepancy tolerance on period totals."""

from decimal import Decimal as D

from invoice_svc.domain.pricing import price_invoice_group


def _price(k, *ds, basis="first_party", threshold=None, products=None):
    contract = k.terms(k.line(rate="1.00"), basis=basis, threshold=threshold)
    return price_invoice_group(k.group(*ds, contract=contract, products=products))


def _quantity(draft):
    return [ln.quantity for ln in draft.lines_of("usage")]


def test_first_party_is_the_default_and_ignores_third_party_counts(pricing_kit):
    k = pricing_kit
    assert _quantity(_price(k, k.delivery(impressions=1_200_000, third_party=900_000))) == [1_200_000]


def test_third_party_basis_bills_the_third_party_counts(pricing_kit):
    k = pricing_kit
    draft = _price(k, k.delivery("2024-06-01", impressions=500, third_party=400),
                   k.delivery("2024-06-02", impressions=500, third_party=450), basis="third_party")
    assert _quantity(draft) == [850] and draft.total.amount == D("0.85")


def test_third_party_basis_without_counts_raises_missing_third_party_counts_instead_of_guessing(pricing_kit):
    k = pricing_kit
    draft = _price(k, k.delivery("2024-06-01", impressions=500, third_party=400),
                   k.delivery("2024-06-02", impressions=500, delivery_id="D-NO-3P"), basis="third_party")
    assert draft.lines == ()
    [exc] = draft.exceptions
    assert exc.kind == "missing_third_party_counts" and "D-NO-3P" in exc.message and exc.blocks_issue


def test_discrepancy_tolerance_without_counts_also_raises(pricing_kit):
    k = pricing_kit
    draft = _price(k, k.delivery(impressions=500), basis="discrepancy_tolerance")
    assert [e.kind for e in draft.exceptions] == ["missing_third_party_counts"]


def test_discrepancy_above_tolerance_bills_third_party_plus_ten_percent(pricing_kit):
    k = pricing_kit
    draft = _price(k, k.delivery(impressions=1_200_000, third_party=1_000_000), basis="discrepancy_tolerance")
    assert _quantity(draft) == [1_100_000] and draft.total.amount == D("1100.00")


def test_discrepancy_exactly_at_tolerance_bills_first_party(pricing_kit):
    k = pricing_kit
    draft = _price(k, k.delivery(impressions=1_100_000, third_party=1_000_000), basis="discrepancy_tolerance")
    assert _quantity(draft) == [1_100_000]


def test_discrepancy_within_tolerance_bills_first_party(pricing_kit):
    k = pricing_kit
    draft = _price(k, k.delivery(impressions=1_050_000, third_party=1_000_000), basis="discrepancy_tolerance")
    assert _quantity(draft) == [1_050_000]


def test_first_party_below_third_party_bills_first_party(pricing_kit):
    k = pricing_kit
    draft = _price(k, k.delivery(impressions=900, third_party=1_000), basis="discrepancy_tolerance")
    assert _quantity(draft) == [900]


def test_tolerance_limit_rounds_half_up_to_whole_impressions(pricing_kit):
    k = pricing_kit
    assert _quantity(_price(k, k.delivery(impressions=10, third_party=5), basis="discrepancy_tolerance")) == [6]
    # 333,333 x 1.1 = 366,666.3 -> 366,666
    assert _quantity(_price(k, k.delivery(impressions=400_000, third_party=333_333),
                            basis="discrepancy_tolerance")) == [366_666]


def test_custom_threshold_replaces_the_default_ten_percent(pricing_kit):
    k = pricing_kit
    draft = _price(k, k.delivery(impressions=1_200_000, third_party=1_000_000), basis="discrepancy_tolerance",
                   threshold="5")
    assert _quantity(draft) == [1_050_000]


def test_tolerance_compares_period_totals_not_days(pricing_kit):
    k = pricing_kit
    # Day one alone is far above tolerance, but the period totals are equal: bill first-party.
    draft = _price(k, k.delivery("2024-06-01", impressions=100, third_party=50),
                   k.delivery("2024-06-02", impressions=100, third_party=150), basis="discrepancy_tolerance")
    assert _quantity(draft) == [200]


def test_tolerance_cap_is_spread_over_rate_card_segments_and_adds_up(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01", "1.00"), k.card("2024-06-15", "2.00")])
    contract = k.terms(k.line(), basis="discrepancy_tolerance")
    draft = price_invoice_group(k.group(k.delivery("2024-06-01", impressions=1_000, third_party=500),
                                        k.delivery("2024-06-20", impressions=2_000, third_party=1_000),
                                        contract=contract, products=[p]))
    # limit = 1,500 x 1.1 = 1,650 split 1:2 -> 550 and 1,100
    assert [(ln.quantity, ln.amount) for ln in draft.lines_of("usage")] == [(550, D("0.55")), (1_100, D("2.20"))]


def test_billing_basis_applies_to_cpm_lines_only(pricing_kit):
    k = pricing_kit
    p = k.product("VIDEO", "vcpm", "1.00")
    contract = k.terms(k.line(product_code="VIDEO"), basis="third_party")
    draft = price_invoice_group(k.group(k.delivery(product_code="VIDEO", impressions=9, viewable=5_000),
                                        contract=contract, products=[p]))
    assert _quantity(draft) == [5_000] and draft.exceptions == ()


def test_self_serve_without_contract_bills_first_party(pricing_kit):
    k = pricing_kit
    draft = price_invoice_group(k.group(k.delivery(impressions=1_000, third_party=10)))
    assert _quantity(draft) == [1_000]
