"""Rule 13: a restatement or late delivery for an invoiced period becomes prior-period adjustment lines."""

from decimal import Decimal as D

from invoice_svc.domain.pricing import (
    PeriodBilled,
    PriorPeriodCorrection,
    draft_line_from_wire,
    price_invoice_group,
    price_prior_period_adjustment,
    summarise_billed,
)
from invoice_svc.domain.pricing.draft import TOTALS

INV = "INV-2024-00000001"


def _setup(k, budget=None):
    contract = k.terms(k.line(rate="8.00", budget=budget), discount="5", commission="15")
    p = k.product(tax_code="VAT")
    account = k.bill_to("agency", tax_rates={"VAT": "10"})
    return contract, p, account


def _march(k, contract, p, account, impressions):
    return price_invoice_group(k.group(k.delivery("2024-03-05", impressions=impressions), contract=contract,
                                       products=[p], account=account, period="2024-03"))


def _correction(k, contract, p, account, billed, impressions, billed_to_date="1000.00"):
    return PriorPeriodCorrection(billed, account, {p.code: p}, (k.delivery("2024-03-05", impressions=impressions),),
                                 contract, {"L1": D(billed_to_date)}, "INV-NEXT")


def test_march_original_is_as_expected(pricing_kit):
    k = pricing_kit
    draft = _march(k, *_setup(k), 125_000)
    assert [ln.amount for ln in draft.lines] == [D("1000.00"), D("-50.00"), D("-142.50"), D("80.75")]


def test_upward_restatement_adjusts_usage_discount_commission_and_tax_each(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    # re-priced: usage 1200.00, discount -60.00, commission -171.00, tax (1200-60-171) x 10% = 96.90
    assert [(ln.component, ln.amount) for ln in adj.lines] == [
        ("usage", D("200.00")), ("discount", D("-10.00")), ("agency_commission", D("-28.50")), ("tax", D("16.15"))]
    assert all(ln.kind == "prior_period_adjustment" and ln.original_invoice_number == INV for ln in adj.lines)
    assert adj.net == D("177.65")
    assert adj.lines[0].line_item_id == "L1" and adj.lines[3].tax_code == "VAT"
    assert [e.kind for e in adj.exceptions] == ["restatement_after_issue"]
    assert adj.exceptions[-1].amount_at_risk == D("177.65")


def test_downward_restatement_gives_negative_usage_and_reverses_netting(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 100_000))
    assert [ln.amount for ln in adj.lines] == [D("-200.00"), D("10.00"), D("28.50"), D("-16.15")]


def test_unchanged_period_gives_no_lines(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    assert price_prior_period_adjustment(_correction(k, contract, p, account, billed, 125_000)).lines == ()


def test_positive_adjustment_respects_the_budget_as_it_stands_now(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k, budget="1100.00")
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    assert adj.lines[0].amount == D("100.00")
    assert [e.kind for e in adj.exceptions] == ["budget_exhausted", "restatement_after_issue"]
    assert adj.exceptions[0].amount_at_risk == D("100.00")


def test_positive_adjustment_with_no_budget_left_bills_nothing(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k, budget="1000.00")
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    assert adj.lines == ()


def test_negative_adjustment_is_never_capped(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k, budget="1000.00")
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 100_000, "5000.00"))
    assert adj.lines[0].amount == D("-200.00")


def test_period_is_repriced_with_that_periods_terms(pricing_kit):
    k = pricing_kit
    march_terms = k.terms(k.line(rate="8.00"), discount="5")
    billed = PeriodBilled(INV, "2024-03", {"L1": D("1000.00")}, D("-50.00"))
    correction = PriorPeriodCorrection(billed, k.bill_to(), {"DISPLAY": k.product()},
                                       (k.delivery("2024-03-05", impressions=150_000),), march_terms)
    adj = price_prior_period_adjustment(correction)
    assert [ln.amount for ln in adj.lines] == [D("200.00"), D("-10.00")]


def test_second_restatement_compares_with_original_plus_earlier_adjustment(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    original = _march(k, contract, p, account, 125_000).lines
    first = price_prior_period_adjustment(_correction(k, contract, p, account,
                                                      summarise_billed(INV, "2024-03", original), 150_000))
    # What was stored on the wire comes back with its component inferred.
    stored = [draft_line_from_wire(ln.as_invoice_line()) for ln in (*original, *first.lines)]
    assert [ln.component for ln in stored] == [ln.component for ln in (*original, *first.lines)]
    second = price_prior_period_adjustment(_correction(k, contract, p, account,
                                                       summarise_billed(INV, "2024-03", stored), 175_000))
    assert [ln.amount for ln in second.lines] == [D("200.00"), D("-10.00"), D("-28.50"), D("16.15")]


def test_summarise_ignores_adjustments_for_other_invoices_and_over_delivery(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    other = price_prior_period_adjustment(_correction(
        k, contract, p, account, PeriodBilled("INV-OTHER", "2024-02", {"L1": D("0")}), 1_000)).lines
    billed = summarise_billed(INV, "2024-03", (*_march(k, contract, p, account, 125_000).lines, *other))
    assert billed.usage_by_line == {"L1": D("1000.00")} and billed.discount == D("-50.00")


def test_line_that_can_no_longer_be_priced_keeps_what_was_billed(pricing_kit):
    k = pricing_kit
    p = k.product(price=None, contract_priced=True)
    billed = PeriodBilled(INV, "2024-03", {"L1": D("1000.00")})
    correction = PriorPeriodCorrection(billed, k.bill_to(), {p.code: p},
                                       (k.delivery("2024-03-05", impressions=150_000),), k.terms(k.line()))
    adj = price_prior_period_adjustment(correction)
    assert adj.lines == () and [e.kind for e in adj.exceptions] == ["missing_rate", "restatement_after_issue"]


def test_flat_fee_lines_keep_what_was_billed(pricing_kit):
    k = pricing_kit
    contract = k.terms(k.line(rate="8.00"), k.line("F1", "TAKEOVER", fee="1000.00"), discount="10")
    products = {"DISPLAY": k.product(), "TAKEOVER": k.product("TAKEOVER", "flat_fee", None)}
    billed = PeriodBilled(INV, "2024-03", {"L1": D("1000.00"), "F1": D("84.70")}, D("-108.47"))
    correction = PriorPeriodCorrection(billed, k.bill_to(), products,
                                       (k.delivery("2024-03-05", impressions=150_000),), contract)
    adj = price_prior_period_adjustment(correction)
    assert [(ln.line_item_id, ln.amount) for ln in adj.lines] == [("L1", D("200.00")), (None, D("-20.00"))]


def test_adjustment_lines_on_the_next_invoice_count_in_their_components_totals(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    april = price_invoice_group(k.group(k.delivery("2024-04-02", impressions=125_000), contract=contract,
                                        products=[p], account=account, period="2024-04", prior=adj.lines))
    assert tuple(getattr(april, t).amount for t in TOTALS[:4]) == (
        D("1200.00"), D("-60.00"), D("-171.00"), D("96.90"))
    assert april.total.amount == D("888.25") + D("177.65")  # April as March originally, plus the adjustment


def test_contract_without_later_deliveries_gets_an_adjustment_only_invoice(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    draft = price_invoice_group(k.group(contract=contract, products=[p], account=account, period="2024-05",
                                        prior=adj.lines))
    assert {ln.kind for ln in draft.lines} == {"prior_period_adjustment"} and draft.total.amount == D("177.65")


def test_adjustment_line_ids_are_deterministic(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    one = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    two = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    assert one == two and len({ln.invoice_line_id for ln in one.lines}) == 4


def test_late_delivery_adjustment_line_carries_the_quantity_delta_in_its_unit(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    assert billed.quantity_by_line == {"L1": 125_000}
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    usage = adj.lines[0]
    assert (usage.quantity, usage.unit, usage.unit_price, usage.price_base_quantity, usage.amount) == (
        25_000, "impressions", D("8.00"), 1000, D("200.00"))
    # discount, commission and tax adjust an amount: one unit at that amount, as on the original invoice
    assert [(ln.quantity, ln.unit) for ln in adj.lines[1:]] == [(1, None)] * 3


def test_downward_restatement_carries_a_negative_quantity(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    usage = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 100_000)).lines[0]
    assert (usage.quantity, usage.unit, usage.amount) == (-25_000, "impressions", D("-200.00"))


def test_capped_adjustment_bills_the_share_of_the_quantity_the_budget_buys(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k, budget="1100.00")
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    usage = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000)).lines[0]
    assert (usage.quantity, usage.amount) == (12_500, D("100.00"))  # 100.00 at 8.00 CPM


def test_second_restatement_quantity_is_measured_from_original_plus_earlier_adjustment(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    original = _march(k, contract, p, account, 125_000).lines
    first = price_prior_period_adjustment(_correction(k, contract, p, account,
                                                      summarise_billed(INV, "2024-03", original), 150_000))
    stored = [draft_line_from_wire(ln.as_invoice_line()) for ln in (*original, *first.lines)]
    billed = summarise_billed(INV, "2024-03", stored)
    assert billed.quantity_by_line == {"L1": 150_000}
    second = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 175_000))
    assert (second.lines[0].quantity, second.lines[0].unit) == (25_000, "impressions")


def test_adjustment_of_a_clicks_line_is_in_clicks(pricing_kit):
    k = pricing_kit
    p = k.product("SEARCH", "cpc", "0.50")
    contract = k.terms(k.line(product_code="SEARCH"))
    march = price_invoice_group(k.group(k.delivery("2024-03-05", product_code="SEARCH", clicks=1_000),
                                        contract=contract, products=[p], period="2024-03"))
    billed = summarise_billed(INV, "2024-03", march.lines)
    correction = PriorPeriodCorrection(billed, k.bill_to(), {p.code: p},
                                       (k.delivery("2024-03-05", product_code="SEARCH", clicks=1_300),), contract)
    [usage] = price_prior_period_adjustment(correction).lines
    assert (usage.quantity, usage.unit, usage.unit_price, usage.price_base_quantity, usage.amount) == (
        300, "clicks", D("0.50"), 1, D("150.00"))


def test_prior_period_lines_say_what_they_adjust_and_for_which_period_on_the_wire(pricing_kit):
    k = pricing_kit
    contract, p, account = _setup(k)
    billed = summarise_billed(INV, "2024-03", _march(k, contract, p, account, 125_000).lines)
    adj = price_prior_period_adjustment(_correction(k, contract, p, account, billed, 150_000))
    wire = [ln.as_invoice_line() for ln in adj.lines]
    assert [(w["adjusts_kind"], w["tax_code"], w["original_period"]) for w in wire] == [
        ("usage", "VAT", "2024-03"), ("discount", None, "2024-03"), ("agency_commission", None, "2024-03"),
        ("tax", "VAT", "2024-03")]
    assert [draft_line_from_wire(w).adjusts_kind for w in wire] == ["usage", "discount", "agency_commission", "tax"]


def test_lines_other_than_prior_period_adjustments_adjust_nothing(pricing_kit):
    k = pricing_kit
    wire = [ln.as_invoice_line() for ln in _march(k, *_setup(k), 125_000).lines]
    assert [(w["kind"], w["adjusts_kind"], w["tax_code"]) for w in wire] == [
        ("usage", None, "VAT"), ("discount", None, None), ("agency_commission", None, None), ("tax", None, "VAT")]
