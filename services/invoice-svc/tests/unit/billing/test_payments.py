"""A payment is applied once, exactly as sent: which facts make two payments the same, and when an amount would
have to be rounded to be applied."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from invoice_svc.domain.billing.payments import Payment, differences, fingerprint, shown_amount
from invoice_svc.settings import Settings
from mediabill_common.money import in_minor_units

D = Decimal
PAID = Payment("PAY-1", "INV-1", "ADV-1", D("500.00"), "USD")


def test_an_exact_resend_differs_in_nothing_and_amounts_compare_by_value():
    assert differences(PAID, PAID) == []
    assert differences(PAID, Payment("PAY-1", "INV-1", "ADV-1", D("500.000000"), "USD")) == []
    assert fingerprint(Payment("PAY-1", "INV-1", "ADV-1", D("500.000"), "USD")) == fingerprint(PAID)


def test_every_fact_of_a_payment_but_its_time_counts_as_a_difference():
    other = Payment("PAY-1", "INV-2", "ADV-2", D("400.00"), "EUR")
    assert differences(PAID, other) == ["invoice_id", "bill_to_account_id", "amount", "currency"]
    assert fingerprint(other) != fingerprint(PAID)


@pytest.mark.parametrize(("amount", "currency", "fits"), [
    ("100.10", "USD", True), ("100.100", "USD", True), ("100", "USD", True), ("1E+3", "USD", True),
    ("0E-12", "USD", True), ("100.105", "USD", False), ("0.0000000001", "USD", False),
    ("12", "JPY", True), ("12.0", "JPY", True), ("12.5", "JPY", False), ("1.005", "KWD", True),
    ("1.0005", "KWD", False), ("1." + "0" * 40 + "1", "USD", False),
])
def test_an_amount_is_in_minor_units_only_when_rounding_it_would_change_nothing(amount, currency, fits):
    assert in_minor_units(D(amount), currency) is fits


def test_an_amount_quoted_in_an_exception_is_the_amount_as_sent_cut_beyond_sixty_characters():
    assert shown_amount(D("100.1234567891")) == "100.1234567891"
    assert shown_amount(D("0." + "0" * 100 + "1")) == "0." + "0" * 58 + "..."


def test_the_unknown_invoice_wait_is_read_from_the_environment_and_never_negative(monkeypatch):
    monkeypatch.delenv("UNKNOWN_INVOICE_AFTER_S", raising=False)
    assert Settings().unknown_invoice_after_s == 3600
    monkeypatch.setenv("UNKNOWN_INVOICE_AFTER_S", "900")
    assert Settings().unknown_invoice_after_s == 900
    monkeypatch.setenv("UNKNOWN_INVOICE_AFTER_S", "-1")
    with pytest.raises(ValidationError, match="unknown_invoice_after_s"):
        Settings()
