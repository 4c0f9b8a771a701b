"""Drift of an issued invoice (oversight.md O3), computed without I/O: the invoice is priced by the real engine at
issue, then re-priced as an assurance run does (the revisions it consumed, the terms and the already-billed amounts
of its issue) against changed inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from invoice_svc.domain.assurance.drift import (
    invoice_drift,
    line_ids_by_component,
    pending_adjustment,
)
from invoice_svc.domain.assurance.inputs import PricingInputs, product_digests
from invoice_svc.domain.pricing import (
    BillTo,
    ContractLineTerms,
    ContractTerms,
    Delivery,
    DraftInvoice,
    InvoiceGroup,
    PeriodBilled,
    Product,
    RateCardVersion,
    price_invoice_group,
    summarise_billed,
)

PERIOD = "2024-06"
NUMBER = "INV-2024-00000042"
INVOICE_ID = "inv-42"


def _product(code: str, price: str) -> Product:
    return Product(code, "cpm", name=code, tax_code="VAT", gl_revenue_account="4000",
                   rate_cards=(RateCardVersion(date(2024, 1, 1), "USD", D(price)),))


PRODUCTS = {"DISPLAY": _product("DISPLAY", "8.00"), "VIDEO": _product("VIDEO", "20.00")}
# Both lines priced on the rate card (no negotiated rate): a rate card change moves them.
TERMS = ContractTerms("IO-7", "USD", date(2024, 1, 1), date(2024, 12, 31), amendment_no=1,
                      discount_pct=D(5), agency_commission_pct=D(15),
                      lines=(ContractLineTerms("L1", "DISPLAY"), ContractLineTerms("L2", "VIDEO")))
ACCOUNT = BillTo("AGY-1", "agency", "USD", {"VAT": D(10)})


def _delivery(line: str, product: str, day: str, impressions: int, revision: int = 0) -> Delivery:
    return Delivery(f"{line}-{day}", line, product, date.fromisoformat(day), campaign_id="C", revision=revision,
                    impressions=impressions)


CONSUMED = (_delivery("L1", "DISPLAY", "2024-06-03", 100_000), _delivery("L1", "DISPLAY", "2024-06-04", 25_000),
            _delivery("L2", "VIDEO", "2024-06-03", 10_000))


def _price(deliveries=CONSUMED, products=PRODUCTS, terms=TERMS, account=ACCOUNT) -> DraftInvoice:
    return price_invoice_group(InvoiceGroup(PERIOD, account, products, tuple(deliveries), terms, {}, (),
                                            line_id_seed=INVOICE_ID))


ISSUED = _price()
def _inputs(products=PRODUCTS, terms=TERMS, account=ACCOUNT, codes=("DISPLAY", "VIDEO"), billed=None):
    return PricingInputs.of(terms=terms, products=product_digests(products), product_codes=codes, bill_to=account,
                            billed_before=billed or {})


RECORDED = _inputs()


def _billed(draft: DraftInvoice) -> PeriodBilled:
    return summarise_billed(NUMBER, PERIOD, draft.lines)


def _drift(repriced: DraftInvoice, *, products=PRODUCTS, terms=TERMS, account=ACCOUNT, pending=D(0)):
    now = _inputs(products, terms, account)
    return invoice_drift(_billed(ISSUED), _billed(repriced), line_ids=line_ids_by_component(ISSUED.lines),
                         changed=RECORDED.changed(now), product_of_line={"L1": "DISPLAY", "L2": "VIDEO"},
                         pending_adjustment=pending)


def test_unchanged_inputs_reprice_to_no_drift() -> None:
    drift = _drift(_price())
    assert not drift.drifted
    assert drift.value == 0 and drift.lines == ()


def test_a_rate_card_changed_without_an_amendment_drifts_exactly_the_lines_priced_on_it() -> None:
    cheaper = {**PRODUCTS, "DISPLAY": _product("DISPLAY", "6.00")}
    drift = _drift(_price(products=cheaper), products=cheaper)

    by_component = {ln.component: ln for ln in drift.lines}
    # L1 (DISPLAY) and what is computed from the gross: discount, commission, tax. L2 (VIDEO) is untouched.
    assert set(by_component) == {"usage:L1", "discount", "agency_commission", "tax:VAT"}
    usage = by_component["usage:L1"]
    assert (usage.issued, usage.repriced) == (D("1000.00"), D("750.00"))   # 125,000 impressions at 8 then 6 CPM
    assert usage.credit == D("250.00") and usage.debit == 0
    assert usage.causes == ("rate_card",)
    assert usage.invoice_line_id == next(ln.invoice_line_id for ln in ISSUED.lines
                                         if ln.kind == "usage" and ln.line_item_id == "L1")
    assert usage.issued_quantity == usage.repriced_quantity == 125_000
    assert drift.causes == ("rate_card",)


def test_the_correction_splits_into_a_credit_part_and_a_debit_part() -> None:
    dearer_video = {**PRODUCTS, "DISPLAY": _product("DISPLAY", "6.00"), "VIDEO": _product("VIDEO", "30.00")}
    drift = _drift(_price(products=dearer_video), products=dearer_video)

    by_component = {ln.component: ln for ln in drift.lines}
    assert by_component["usage:L1"].credit == D("250.00") and by_component["usage:L1"].debit == 0
    assert by_component["usage:L2"].debit == D("100.00") and by_component["usage:L2"].credit == 0
    assert drift.credit_total == sum((ln.credit for ln in drift.lines), D(0)) > 0
    assert drift.debit_total == sum((ln.debit for ln in drift.lines), D(0)) > 0
    # the parts never cancel out: what is wrong either way is their sum
    assert drift.value == drift.credit_total + drift.debit_total
    assert all(ln.credit == 0 or ln.debit == 0 for ln in drift.lines)


def test_a_consumed_revision_whose_figures_changed_is_ledger_revision_drift() -> None:
    tampered = (replace(CONSUMED[0], impressions=150_000), *CONSUMED[1:])
    drift = _drift(_price(tampered))

    usage = next(ln for ln in drift.lines if ln.component == "usage:L1")
    assert (usage.issued_quantity, usage.repriced_quantity) == (125_000, 175_000)
    assert usage.debit == D("400.00") and usage.causes == ("ledger_revision",)


def test_changed_contract_terms_and_engine_version_are_named() -> None:
    more_discount = replace(TERMS, discount_pct=D(10))
    drift = _drift(_price(terms=more_discount), terms=more_discount)
    assert "contract_terms" in drift.causes
    assert {ln.component for ln in drift.lines} >= {"discount"}

    recorded_by_older_engine = replace(RECORDED, engine_version="2020.1")
    assert recorded_by_older_engine.changed(_inputs()) == {"engine_version": ()}


def test_a_revision_that_arrived_after_issue_is_pending_not_drift() -> None:
    late = (*CONSUMED, _delivery("L2", "VIDEO", "2024-06-20", 5_000))
    at_issue, today = _price(), _price(late)
    pending = pending_adjustment(_billed(at_issue), _billed(today))
    drift = _drift(at_issue, pending=pending)

    assert not drift.drifted
    assert pending == today.total.amount - at_issue.total.amount > 0
    assert drift.pending_adjustment == pending


def test_adjustments_billed_later_against_the_invoice_count_as_issued_for_it() -> None:
    restated = (replace(CONSUMED[0], impressions=150_000, revision=1), *CONSUMED[1:])
    repriced = _price(restated)
    # rule 13 billed the restatement on a later invoice: the difference per component, against this invoice
    later = tuple(replace(ln, kind="prior_period_adjustment", original_invoice_number=NUMBER, amount=ln.amount - was)
                  for ln, was in _component_pairs(repriced, ISSUED))
    issued_for_it = summarise_billed(NUMBER, PERIOD, (*ISSUED.lines, *later))
    drift = invoice_drift(issued_for_it, _billed(repriced), line_ids=line_ids_by_component(ISSUED.lines),
                          changed={}, product_of_line={})
    assert not drift.drifted


def _component_pairs(now: DraftInvoice, then: DraftInvoice):
    before = {ln.invoice_line_id: ln.amount for ln in then.lines}
    return [(ln, before[ln.invoice_line_id]) for ln in now.lines if ln.amount != before[ln.invoice_line_id]]


def test_recorded_inputs_survive_their_wire_form() -> None:
    recorded = _inputs(codes=("VIDEO",), billed={"L1": D("12.50")})
    assert PricingInputs.from_wire(recorded.as_wire()) == recorded
    assert set(recorded.products) == {"VIDEO"}
