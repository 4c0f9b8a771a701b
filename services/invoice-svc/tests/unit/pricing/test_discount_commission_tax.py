"""Rules 9-11: discount, agency commission (agency bill-to only) and tax per tax code, in that order."""

from decimal import Decimal as D

from invoice_svc.domain.pricing import price_invoice_group
from invoice_svc.domain.pricing.draft import TOTALS


def _two_products(k, account, discount="5", commission="15"):
    a, b = k.product("DISPLAY", "cpm", "10.00", tax_code="A"), k.product("SEARCH", "cpc", "0.50", tax_code="B")
    contract = k.terms(k.line("L1", "DISPLAY"), k.line("L2", "SEARCH"), discount=discount, commission=commission)
    return price_invoice_group(k.group(k.delivery(impressions=100_000),
                                       k.delivery(line_item_id="L2", product_code="SEARCH", clicks=1_000),
                                       products=[a, b], contract=contract, account=account))


def test_discount_is_one_negative_line_on_usage_and_flat_fees(pricing_kit):
    k = pricing_kit
    draft = _two_products(k, k.bill_to(), commission=None)
    assert [(ln.kind, ln.amount) for ln in draft.lines] == [
        ("usage", D("1000.00")), ("usage", D("500.00")), ("discount", D("-75.00"))]
    assert draft.lines_of("discount")[0].description == "Discount 5%"


def test_commission_is_only_for_an_agency_bill_to(pricing_kit):
    k = pricing_kit
    assert _two_products(k, k.bill_to("advertiser")).lines_of("agency_commission") == []
    draft = _two_products(k, k.bill_to("agency"))
    assert draft.lines_of("agency_commission")[0].amount == D("-213.75")  # (1500 - 75) x 15%


def test_commission_without_discount_is_on_gross(pricing_kit):
    k = pricing_kit
    draft = _two_products(k, k.bill_to("agency"), discount=None)
    assert draft.lines_of("agency_commission")[0].amount == D("-225.00")


def test_tax_applies_to_each_code_net_of_its_share_of_discount_and_commission(pricing_kit):
    k = pricing_kit
    draft = _two_products(k, k.bill_to("agency", tax_rates={"A": "10", "B": "0"}))
    # code A: 1000 + (-75 - 213.75) x 1000/1500 = 807.50 -> 10% = 80.75; code B has rate 0: no line
    [tax] = draft.lines_of("tax")
    assert (tax.tax_code, tax.amount, tax.description) == ("A", D("80.75"), "Tax A 10%")
    assert tuple(getattr(draft, t).amount for t in TOTALS) == (
        D("1500.00"), D("-75.00"), D("-213.75"), D("80.75"), D("1292.00"))


def test_one_tax_line_per_tax_code_with_a_non_zero_rate(pricing_kit):
    k = pricing_kit
    draft = _two_products(k, k.bill_to("advertiser", tax_rates={"A": "20", "B": "7.5"}), discount=None)
    assert [(ln.tax_code, ln.amount) for ln in draft.lines_of("tax")] == [("A", D("200.00")), ("B", D("37.50"))]


def test_products_without_tax_code_or_without_account_rate_are_untaxed(pricing_kit):
    k = pricing_kit
    draft = _two_products(k, k.bill_to("advertiser", tax_rates={"OTHER": "20"}))
    assert draft.lines_of("tax") == [] and draft.tax_total.amount == D("0.00")


def test_lines_come_in_rule_order_usage_discount_commission_tax(pricing_kit):
    k = pricing_kit
    draft = _two_products(k, k.bill_to("agency", tax_rates={"A": "10", "B": "5"}))
    assert [ln.kind for ln in draft.lines] == ["usage", "usage", "discount", "agency_commission", "tax", "tax"]


def test_no_gross_means_no_discount_or_commission_line(pricing_kit):
    k = pricing_kit
    contract = k.terms(k.line(), discount="5", commission="15")
    draft = price_invoice_group(k.group(contract=contract, account=k.bill_to("agency")))
    assert draft.lines == () and draft.total.amount == D("0.00")


def test_netting_lines_have_one_unit_at_their_amount(pricing_kit):
    k = pricing_kit
    draft = _two_products(k, k.bill_to("agency", tax_rates={"A": "10"}))
    for ln in draft.lines_of("discount", "agency_commission", "tax"):
        assert ln.quantity * ln.unit_price == ln.amount and ln.price_base_quantity == 1
