"""The six pricing models: quantity, unit, unit price and gross (billing-rules.md table and rule 4)."""

from decimal import Decimal as D

from invoice_svc.domain.pricing import price_invoice_group


def _usage(draft):
    return draft.lines_of("usage")


def test_cpm_bills_impressions_per_thousand_at_the_rate_card_price(pricing_kit):
    k = pricing_kit
    draft = price_invoice_group(k.group(k.delivery(impressions=123_457)))
    [line] = _usage(draft)
    assert (line.quantity, line.unit, line.unit_price, line.price_base_quantity) == (123_457, "impressions",
                                                                                      D("8.00"), 1000)
    assert line.amount == D("987.66")  # 123,457 / 1000 x 8.00 = 987.656
    assert draft.total.amount == D("987.66")


def test_vcpm_bills_viewable_impressions_not_served_impressions(pricing_kit):
    k = pricing_kit
    p = k.product("VIDEO", "vcpm", "5.50")
    draft = price_invoice_group(k.group(k.delivery(product_code="VIDEO", impressions=900_000, viewable=200_000),
                                        products=[p]))
    [line] = _usage(draft)
    assert (line.quantity, line.unit, line.price_base_quantity, line.amount) == (
        200_000, "viewable_impressions", 1000, D("1100.00"))


def test_cpc_bills_clicks_times_rate(pricing_kit):
    k = pricing_kit
    p = k.product("SEARCH", "cpc", "0.75")
    draft = price_invoice_group(k.group(k.delivery(product_code="SEARCH", impressions=5, clicks=1_234),
                                        products=[p]))
    [line] = _usage(draft)
    assert (line.quantity, line.unit, line.unit_price, line.price_base_quantity, line.amount) == (
        1_234, "clicks", D("0.75"), 1, D("925.50"))


def test_cpa_bills_conversions_and_rounds_the_line_once(pricing_kit):
    k = pricing_kit
    p = k.product("SALES", "cpa", "12.345")
    draft = price_invoice_group(k.group(k.delivery(product_code="SALES", conversions=17), products=[p]))
    [line] = _usage(draft)
    assert (line.quantity, line.unit, line.amount) == (17, "conversions", D("209.87"))  # 209.865 half up


def test_auction_cpc_gross_is_the_sum_of_media_cost_rounded_once(pricing_kit):
    k = pricing_kit
    p = k.product("SPONSORED", "auction_cpc", None)
    ds = [k.delivery("2024-06-01", product_code="SPONSORED", clicks=3, media_cost="10.005"),
          k.delivery("2024-06-02", product_code="SPONSORED", clicks=4, media_cost="20.10"),
          k.delivery("2024-06-03", product_code="SPONSORED", clicks=0, media_cost="0.001")]
    draft = price_invoice_group(k.group(*ds, products=[p]))
    [line] = _usage(draft)
    assert line.amount == D("30.11")  # 30.106, rounded once, not per day
    assert (line.quantity, line.unit, line.price_base_quantity) == (7, "clicks", 1)
    assert line.unit_price == D("4.30")  # average cost per click, informational


def test_auction_cpc_without_clicks_shows_zero_unit_price(pricing_kit):
    k = pricing_kit
    p = k.product("SPONSORED", "auction_cpc", None)
    draft = price_invoice_group(k.group(k.delivery(product_code="SPONSORED", media_cost="2.50"), products=[p]))
    [line] = _usage(draft)
    assert (line.quantity, line.unit_price, line.amount) == (0, D("0.00"), D("2.50"))


def test_auction_cpc_without_media_cost_raises_missing_media_cost_and_bills_nothing(pricing_kit):
    k = pricing_kit
    p = k.product("SPONSORED", "auction_cpc", None)
    draft = price_invoice_group(k.group(k.delivery(product_code="SPONSORED", clicks=4), products=[p]))
    assert draft.lines == ()
    assert [e.kind for e in draft.exceptions] == ["missing_media_cost"]
    assert not draft.issuable


def test_auction_cpc_media_cost_in_another_currency_is_a_currency_mismatch(pricing_kit):
    k = pricing_kit
    p = k.product("SPONSORED", "auction_cpc", None)
    d = k.delivery(product_code="SPONSORED", clicks=4, media_cost="3.00", currency="EUR")
    draft = price_invoice_group(k.group(d, products=[p]))
    assert draft.lines == ()
    assert [e.kind for e in draft.exceptions] == ["currency_mismatch"]


def test_flat_fee_product_deliveries_do_not_create_usage_lines(pricing_kit):
    k = pricing_kit
    p = k.product("TAKEOVER", "flat_fee", None)
    draft = price_invoice_group(k.group(k.delivery(product_code="TAKEOVER", impressions=10), products=[p]))
    assert draft.lines == () and draft.exceptions == ()


def test_delivery_for_an_unconfigured_product_raises_unknown_product(pricing_kit):
    k = pricing_kit
    draft = price_invoice_group(k.group(k.delivery(product_code="NOPE", impressions=10)))
    assert draft.lines == ()
    assert [(e.kind, e.line_item_id) for e in draft.exceptions] == [("unknown_product", "L1")]


def test_negotiated_contract_rate_beats_the_rate_card(pricing_kit):
    k = pricing_kit
    contract = k.terms(k.line(rate="6.00"))
    draft = price_invoice_group(k.group(k.delivery(impressions=100_000), contract=contract))
    [line] = _usage(draft)
    assert (line.unit_price, line.amount) == (D("6.00"), D("600.00"))


def test_line_items_of_one_group_each_get_their_own_usage_line_in_contract_order(pricing_kit):
    k = pricing_kit
    contract = k.terms(k.line("L2", rate="2.00"), k.line("L1", rate="1.00"))
    draft = price_invoice_group(k.group(k.delivery(impressions=1000), k.delivery(line_item_id="L2", impressions=1000),
                                        contract=contract))
    assert [(ln.line_item_id, ln.amount) for ln in _usage(draft)] == [("L2", D("2.00")), ("L1", D("1.00"))]
    assert draft.subtotal.amount == D("3.00")


def test_usage_line_carries_product_campaign_and_gl_account(pricing_kit):
    k = pricing_kit
    [line] = _usage(price_invoice_group(k.group(k.delivery(impressions=1000))))
    assert (line.product_code, line.gl_revenue_account, line.campaign_id, line.campaign_name, line.line_item_id) == (
        "DISPLAY", "4000-DISPLAY", "C-1", "Summer", "L1")
    wire = line.as_invoice_line()
    assert wire["amount"] == "8.00" and wire["unit_price"] == "8.00" and wire["original_invoice_number"] is None


def test_zero_delivery_produces_no_line(pricing_kit):
    k = pricing_kit
    draft = price_invoice_group(k.group(k.delivery(impressions=0)))
    assert draft.lines == () and draft.total.amount == D("0.00")
