"""The demo picks what it acts on in an order of its own, not in the order the API lists it: the API lists invoices
and exceptions by when they were created, which one bill run gives them alike, then by their random ids, so a fresh
stack disputed, credited and resolved other ones each time and its summary changed from one `./mediabill up` to
the next."""

import random
from decimal import Decimal

from tools.demo.oversight import first_by_what_it_is_about
from tools.demo.scenario import payment_of, to_dispute


def _invoice(n: int, total: str) -> dict:
    return {"invoice_id": f"{random.getrandbits(128):032x}", "invoice_number": f"INV-2026-{n:08d}", "total": total}


def test_the_disputed_invoices_are_the_first_by_number_with_something_to_dispute_whatever_the_listed_order():
    invoices = [_invoice(n, "0.00" if n in (2, 5) else "100.00") for n in range(1, 21)]
    expected = ["INV-2026-00000001", "INV-2026-00000003", "INV-2026-00000004", "INV-2026-00000006",
                "INV-2026-00000007", "INV-2026-00000008"]
    for listed in (invoices, invoices[::-1], sorted(invoices, key=lambda i: i["invoice_id"])):
        assert [i["invoice_number"] for i in to_dispute(listed)] == expected


def _exception(account_id: str | None, line_item_id: str) -> dict:
    return {"exception_id": f"{random.getrandbits(128):032x}", "account_id": account_id,
            "refs": {"contract_id": None, "line_item_id": line_item_id}}


def test_the_exception_resolved_is_the_first_by_account_and_references_whatever_the_listed_order():
    # A bill run raises its budget_exhausted exceptions alike; the API then lists them in exception-id order.
    exceptions = [_exception("ACC-2", "LI-1"), _exception("ACC-1", "LI-9"), _exception("ACC-1", "LI-3"),
                  _exception(None, "LI-5")]
    for listed in (exceptions, exceptions[::-1], sorted(exceptions, key=lambda e: e["exception_id"])):
        assert first_by_what_it_is_about(listed) == [exceptions[3]]
    assert first_by_what_it_is_about([]) == []


def test_one_invoice_in_five_by_number_is_paid_in_half():
    paid = {n: payment_of(_invoice(n, "100.00"), Decimal("100.01")) for n in range(1, 11)}
    assert paid == {n: Decimal("50.00") if n in (5, 10) else Decimal("100.01") for n in range(1, 11)}
