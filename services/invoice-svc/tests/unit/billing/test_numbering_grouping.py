"""Rule 15 numbering, rule 2 grouping and chunking, billing accuracy."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoice_svc.domain.billing.grouping import GroupKey, chunks, group_for_delivery, in_scope
from invoice_svc.domain.billing.kpis import billing_accuracy
from invoice_svc.domain.billing.numbering import invoice_number, number_block, parse_invoice_number


def test_invoice_numbers_are_inv_year_and_eight_digits():
    assert invoice_number(2025, 1) == "INV-2025-00000001"
    assert parse_invoice_number("INV-2025-00012345") == (2025, 12345)
    with pytest.raises(ValueError, match=r"invoice sequence 0 is outside 1\.\.99999999"):
        invoice_number(2025, 0)
    with pytest.raises(ValueError, match="'CM-2025-00000001' is not an invoice number"):
        parse_invoice_number("CM-2025-00000001")


def test_a_block_continues_the_counter_without_gaps():
    assert number_block(2026, 41, 3) == ["INV-2026-00000042", "INV-2026-00000043", "INV-2026-00000044"]
    assert number_block(2026, 41, 0) == []


def test_contract_deliveries_group_under_the_contracts_bill_to_and_self_serve_under_the_advertiser():
    assert group_for_delivery("IO-7", "ADV-1", "AGY-1", "2025-03") == GroupKey("AGY-1", "IO-7", "2025-03")
    self_serve = group_for_delivery(None, "ADV-1", None, "2025-03")
    assert self_serve == GroupKey("ADV-1", "", "2025-03") and self_serve.is_self_serve
    assert self_serve.contract_id is None
    assert group_for_delivery("IO-unknown", "ADV-1", None, "2025-03") is None


def test_a_run_limited_to_bill_to_accounts_takes_only_their_groups_in_a_stable_order():
    keys = [GroupKey("B", "2", "p"), GroupKey("A", "1", "p"), GroupKey("C", "", "p"), GroupKey("A", "1", "p")]
    assert in_scope(keys, None) == [GroupKey("A", "1", "p"), GroupKey("B", "2", "p"), GroupKey("C", "", "p")]
    assert in_scope(keys, ["C", "A"]) == [GroupKey("A", "1", "p"), GroupKey("C", "", "p")]


def test_chunks_cover_every_group_once():
    assert [list(c) for c in chunks(list(range(5)), 2)] == [[0, 1], [2, 3], [4]]


def test_billing_accuracy_is_one_minus_credited_over_billed():
    assert billing_accuracy(Decimal("1000"), Decimal("25")) == Decimal("0.9750")
    assert billing_accuracy(Decimal("0"), Decimal("0")) is None
