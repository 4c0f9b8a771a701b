"""The digests an issued invoice records of its pricing inputs never change for the same inputs: an assurance run
compares them with digests computed later, possibly by newer code, and a changed digest would read as changed
terms, rate cards or account. The expected values were computed by the implementation before its fast path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import IntEnum, StrEnum
from types import MappingProxyType

from invoice_svc.domain.assurance.inputs import _canonical, _canonical_other, digest
from invoice_svc.domain.pricing import BillTo, ContractLineTerms, ContractTerms, Product, RateCardVersion

TERMS = ContractTerms("IO-7", "USD", date(2024, 1, 1), date(2024, 12, 31), amendment_no=2,
                      discount_pct=Decimal("5.0"), agency_commission_pct=Decimal(15), po_number="PO-1",
                      payment_terms_days=45,
                      lines=(ContractLineTerms("L1", "DISPLAY", Decimal("6.00"), Decimal("20000.00")),
                             ContractLineTerms("L2", "VIDEO", fee=Decimal("1E+3"))))
BILL_TO = BillTo("AGY-1", "agency", "USD", MappingProxyType({"VAT": Decimal("8.250"), "GST": Decimal(5)}))
PRODUCT = Product("DISPLAY", "cpm", rate_cards=(RateCardVersion(date(2024, 1, 1), "USD", Decimal("8.00")),))
MIXED = [True, 3, 1.5, None, "x", {"b": [Decimal("0.10")], 2: date(2024, 2, 29)}]


class Basis(StrEnum):
    FIRST = "first_party"


class Rank(IntEnum):
    ONE = 1


def test_the_digests_of_terms_account_and_product_are_those_recorded_before():
    assert digest(TERMS) == "2327f91622bdb64d"
    assert digest((BILL_TO.type, BILL_TO.currency, BILL_TO.tax_rates)) == "68d155dfc0246905"
    assert digest((PRODUCT.pricing_model, PRODUCT.contract_priced, PRODUCT.rate_cards)) == "4294dd84adc0ba9f"
    assert digest(MIXED) == "81023ab2574a2fcf"


def test_the_fast_path_canonicalises_as_the_general_rules_do():
    for value in (TERMS, BILL_TO, PRODUCT, MIXED, (Basis.FIRST, Rank.ONE, False), Decimal("-0.0100"),
                  date(2024, 6, 1), MappingProxyType({"z": 1, "a": (2, 3)}), [[], (), {}]):
        assert _canonical(value) == _canonical_other(value)
    assert _canonical(Decimal("1E+3")) == "1000"
    assert _canonical((Basis.FIRST, Rank.ONE)) == ["first_party", 1]
