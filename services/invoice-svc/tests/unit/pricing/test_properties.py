"""Invariants of the engine, checked with hypothesis."""

from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from invoice_svc.domain.pricing import price_invoice_group

MODELS = {"cpm": "DISPLAY", "vcpm": "VIDEO", "cpc": "SEARCH", "cpa": "SALES"}

rates = st.decimals(min_value=D("0.001"), max_value=D("50"), places=3)
pcts = st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("40"), places=2))
counts = st.integers(min_value=0, max_value=2_000_000)


def _group(k, model, rate, counts_by_day, discount, commission, tax, budget=None, billed="0", period="2024-06"):
    code = MODELS[model]
    p = k.product(code, model, str(rate), tax_code="VAT")
    year, month = period.split("-")
    ds = [k.delivery(f"{year}-{month}-{i + 1:02d}", product_code=code, impressions=n, viewable=n // 2,
                     clicks=n // 100, conversions=n // 1000) for i, n in enumerate(counts_by_day)]
    contract = k.terms(k.line(product_code=code, budget=budget), discount=None if discount is None else str(discount),
                       commission=None if commission is None else str(commission))
    return k.group(*ds, products=[p], contract=contract, period=period, billed={"L1": billed},
                   account=k.bill_to("agency", tax_rates={} if tax is None else {"VAT": str(tax)}))


@settings(max_examples=100, deadline=None)
@given(model=st.sampled_from(sorted(MODELS)), rate=rates, days=st.lists(counts, min_size=0, max_size=5),
       discount=pcts, commission=pcts, tax=pcts)
def test_total_is_the_sum_of_the_lines_and_of_the_component_totals(pricing_kit, model, rate, days, discount,
                                                                   commission, tax):
    draft = price_invoice_group(_group(pricing_kit, model, rate, days, discount, commission, tax))
    assert draft.total.amount == sum((ln.amount for ln in draft.lines), D(0))
    assert draft.total == draft.subtotal + draft.discount_total + draft.commission_total + draft.tax_total
    assert all(ln.amount == ln.amount.quantize(D("0.01")) for ln in draft.lines)


@settings(max_examples=100, deadline=None)
@given(model=st.sampled_from(sorted(MODELS)), rate=rates, budget=st.decimals(min_value=D("0"), max_value=D("5000"),
                                                                            places=2),
       months=st.lists(st.lists(counts, min_size=1, max_size=3), min_size=1, max_size=6))
def test_capped_gross_never_exceeds_the_budget_across_periods(pricing_kit, model, rate, budget, months):
    billed = D(0)
    for i, days in enumerate(months):
        draft = price_invoice_group(_group(pricing_kit, model, rate, days, None, None, None, budget=str(budget),
                                           billed=str(billed), period=f"2024-{i + 1:02d}"))
        usage = sum((ln.amount for ln in draft.lines_of("usage")), D(0))
        assert usage >= 0
        billed += usage
        assert billed <= budget
        for over in draft.lines_of("over_delivery"):
            assert over.amount == 0 and over.unit_price == 0 and over.value is not None and over.value > 0


@settings(max_examples=100, deadline=None)
@given(model=st.sampled_from(sorted(MODELS)), rate=rates, days=st.lists(counts, min_size=1, max_size=5),
       discount=pcts, commission=pcts, tax=pcts,
       budget=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("5000"), places=2)))
def test_repricing_the_same_inputs_gives_the_same_invoice_line_ids_included(pricing_kit, model, rate, days,
                                                                            discount, commission, tax, budget):
    make = lambda: _group(pricing_kit, model, rate, days, discount, commission, tax,  # noqa: E731
                          budget=None if budget is None else str(budget))
    one, two = price_invoice_group(make()), price_invoice_group(make())
    assert one == two and one.as_dict() == two.as_dict()
    assert len({ln.invoice_line_id for ln in one.lines}) == len(one.lines)


@settings(max_examples=100, deadline=None)
@given(cents=st.integers(min_value=-10_000_000, max_value=10_000_000))
def test_half_cent_amounts_round_away_from_zero(cents):
    from mediabill_common.money import round_money
    half = D(cents) / 100 + (D("0.005") if cents >= 0 else D("-0.005"))
    expected = (abs(D(cents)) + 1) / 100 * (1 if cents >= 0 else -1)
    assert round_money(half, "USD") == expected
