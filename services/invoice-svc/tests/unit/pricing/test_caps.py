"""Rule 8: a contract line's budget caps everything billed for it; the rest shows as over-delivery."""

from decimal import Decimal as D

from invoice_svc.domain.pricing import DraftLine, price_invoice_group
from invoice_svc.domain.pricing.draft import TOTALS


def _worked_example(k, billed="18000.00", impressions=500_000):
    contract = k.terms(k.line(rate="6.00", budget="20000.00"), discount="5", commission="15")
    return price_invoice_group(k.group(k.delivery(impressions=impressions), contract=contract,
                                       account=k.bill_to("agency"), billed={"L1": billed}))


def test_worked_example_of_billing_rules_comes_out_at_1615(pricing_kit):
    draft = _worked_example(pricing_kit)
    [usage] = draft.lines_of("usage")
    [over] = draft.lines_of("over_delivery")
    assert (usage.quantity, usage.amount, usage.unit_price) == (333_333, D("2000.00"), D("6.00"))
    assert (over.quantity, over.amount, over.unit_price, over.value) == (166_667, D("0.00"), D("0.00"),
                                                                          D("1000.00"))
    assert draft.lines_of("discount")[0].amount == D("-100.00")
    assert draft.lines_of("agency_commission")[0].amount == D("-285.00")
    assert tuple(getattr(draft, t).amount for t in TOTALS) == (
        D("2000.00"), D("-100.00"), D("-285.00"), D("0.00"), D("1615.00"))
    [exc] = draft.exceptions
    assert exc.kind == "budget_exhausted" and not exc.blocks_issue and exc.amount_at_risk == D("1000.00")
    assert draft.issuable


def test_line_under_budget_is_billed_in_full_without_over_delivery(pricing_kit):
    draft = _worked_example(pricing_kit, billed="0.00")
    assert [ln.kind for ln in draft.lines] == ["usage", "discount", "agency_commission"]
    assert draft.lines_of("usage")[0].amount == D("3000.00") and draft.exceptions == ()


def test_reaching_the_budget_exactly_raises_budget_exhausted_without_over_delivery(pricing_kit):
    draft = _worked_example(pricing_kit, billed="17000.00")
    assert draft.lines_of("usage")[0].amount == D("3000.00") and draft.lines_of("over_delivery") == []
    assert [e.kind for e in draft.exceptions] == ["budget_exhausted"]


def test_exhausted_budget_bills_nothing_and_shows_all_delivery_as_over_delivery(pricing_kit):
    draft = _worked_example(pricing_kit, billed="20000.00")
    assert draft.lines_of("usage") == []
    [over] = draft.lines_of("over_delivery")
    assert (over.quantity, over.value, over.amount) == (500_000, D("3000.00"), D("0.00"))
    assert draft.total.amount == D("0.00") and draft.lines_of("discount") == []


def test_over_billed_history_never_makes_the_remaining_budget_negative(pricing_kit):
    draft = _worked_example(pricing_kit, billed="20500.00")
    assert draft.lines_of("usage") == [] and draft.total.amount == D("0.00")


def test_cpc_cap_quantity_is_remaining_budget_over_price_rounded_half_up(pricing_kit):
    k = pricing_kit
    contract = k.terms(k.line("L1", "SEARCH", rate="0.30", budget="50.00"))
    draft = price_invoice_group(k.group(k.delivery(product_code="SEARCH", clicks=100), contract=contract,
                                        products=[k.product("SEARCH", "cpc", "1")], billed={"L1": "40.00"}))
    [usage], [over] = draft.lines_of("usage"), draft.lines_of("over_delivery")
    assert (usage.quantity, usage.amount) == (33, D("10.00"))  # 10.00 / 0.30 = 33.3
    assert (over.quantity, over.value) == (67, D("20.00"))


def test_auction_cpc_cap_uses_the_average_cost_per_click(pricing_kit):
    k = pricing_kit
    contract = k.terms(k.line("L1", "SPONSORED", budget="30.00"))
    draft = price_invoice_group(k.group(k.delivery(product_code="SPONSORED", clicks=40, media_cost="40.00"),
                                        contract=contract, products=[k.product("SPONSORED", "auction_cpc", None)]))
    assert [(ln.kind, ln.quantity, ln.amount, ln.value) for ln in draft.lines] == [
        ("usage", 30, D("30.00"), None), ("over_delivery", 10, D("0.00"), D("10.00"))]


def test_cap_across_rate_card_segments_bills_in_date_order(pricing_kit):
    k = pricing_kit
    p = k.product(cards=[k.card("2024-01-01", "8.00"), k.card("2024-06-15", "10.00")])
    contract = k.terms(k.line(budget="1000.00"))
    draft = price_invoice_group(k.group(k.delivery("2024-06-10", impressions=100_000),
                                        k.delivery("2024-06-20", impressions=50_000), products=[p],
                                        contract=contract))
    assert [(ln.kind, ln.quantity, ln.amount, ln.value) for ln in draft.lines] == [
        ("usage", 100_000, D("800.00"), None), ("usage", 20_000, D("200.00"), None),
        ("over_delivery", 30_000, D("0.00"), D("300.00"))]
    assert draft.total.amount == D("1000.00")


def test_no_budget_means_uncapped(pricing_kit):
    k = pricing_kit
    draft = price_invoice_group(k.group(k.delivery(impressions=10_000_000), contract=k.terms(k.line()),
                                        billed={"L1": "999999.00"}))
    assert draft.total.amount == D("80000.00") and draft.exceptions == ()


def test_adjustments_carried_on_the_invoice_count_against_the_budget_first(pricing_kit):
    k = pricing_kit
    ppa = DraftLine("ppa-1", "prior_period_adjustment", "Prior-period adjustment INV-2024-00000001 (2024-05): x",
                    D("500.00"), quantity=1, unit_price=D("500.00"), line_item_id="L1",
                    original_invoice_number="INV-2024-00000001")
    contract = k.terms(k.line(rate="6.00", budget="20000.00"))
    draft = price_invoice_group(k.group(k.delivery(impressions=500_000), contract=contract,
                                        billed={"L1": "18000.00"}, prior=[ppa]))
    assert draft.lines_of("usage")[0].amount == D("1500.00")
    assert draft.subtotal.amount == D("2000.00") and draft.total.amount == D("2000.00")
