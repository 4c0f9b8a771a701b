"""The InvoiceIssued payload a bill run builds without model validation is exactly what the catalog accepts."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from invoice_svc.app.bill_run_writing import _event_ids, issued_event_data
from invoice_svc.domain.pricing import (
    BillTo,
    ContractLineTerms,
    ContractTerms,
    Delivery,
    InvoiceGroup,
    Product,
    RateCardVersion,
    price_invoice_group,
)
from mediabill_common.events.catalog import InvoiceIssued


def test_issued_event_data_validates_against_the_catalog_and_round_trips():
    terms = ContractTerms("IO-7", "USD", date(2024, 1, 1), date(2024, 12, 31), discount_pct=Decimal(5),
                          agency_commission_pct=Decimal(15), po_number="PO-1",
                          lines=(ContractLineTerms("L1", "DISPLAY", Decimal("6.00"), Decimal("20000.00")),))
    product = Product("DISPLAY", "cpm", rate_cards=(RateCardVersion(date(2024, 1, 1), "USD", Decimal("8.00")),))
    draft = price_invoice_group(InvoiceGroup(
        period="2024-06", bill_to=BillTo("AGY-1", "agency", "USD"), products={"DISPLAY": product},
        deliveries=(Delivery("D1", "L1", "DISPLAY", date(2024, 6, 3), impressions=500_000),), terms=terms,
        billed_before={"L1": Decimal("18000.00")}))
    row = {"invoice_id": "inv-1", "invoice_number": "INV-2024-00000001", "account_id": "ADV-1",
           "bill_to_account_id": "AGY-1", "contract_id": "IO-7", "po_number": "PO-1", "period": "2024-06",
           "currency": "USD", "period_start": date(2024, 6, 1), "period_end": date(2024, 6, 30),
           "issue_date": date(2024, 7, 1), "due_date": date(2024, 7, 31)}
    data = issued_event_data(row, draft)
    model = InvoiceIssued.model_validate(data)
    dumped = model.model_dump(mode="json")
    assert {k: dumped[k] for k in data if k != "lines"} == {k: v for k, v in data.items() if k != "lines"}
    assert [(ln["invoice_line_id"], ln["amount"], ln["value"]) for ln in dumped["lines"]] == \
        [(ln["invoice_line_id"], ln["amount"], ln["value"]) for ln in data["lines"]]
    assert model.total == Decimal("1615.00")
    assert [ln.kind for ln in model.lines] == ["usage", "over_delivery", "discount", "agency_commission"]
    assert {k: data[k] for k in ("total", "issue_date")} == {"total": "1615.00", "issue_date": "2024-07-01"}


def test_a_chunks_event_ids_are_distinct_random_uuids_as_uuid4_makes_them():
    ids = _event_ids(1000)
    assert len(set(ids)) == 1000
    parsed = [uuid.UUID(i) for i in ids]
    assert all((u.version, u.variant) == (4, uuid.RFC_4122) and str(u) == i for u, i in zip(parsed, ids, strict=True))
    assert _event_ids(0) == []
