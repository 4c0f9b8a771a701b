"""The demo picks the invoices it disputes by invoice number, not in the order the API lists them: that order is by
creation time, which one bill run gives every invoice alike, then by the random invoice id, so a fresh stack disputed
and credited other invoices each time and its summary changed from one `./mediabill up` to the next."""

import random

from tools.demo.scenario import to_dispute


def _invoice(n: int, total: str) -> dict:
    return {"invoice_id": f"{random.getrandbits(128):032x}", "invoice_number": f"INV-2026-{n:08d}", "total": total}


def test_the_disputed_invoices_are_the_first_by_number_with_something_to_dispute_whatever_the_listed_order():
    invoices = [_invoice(n, "0.00" if n in (2, 5) else "100.00") for n in range(1, 21)]
    expected = ["INV-2026-00000001", "INV-2026-00000003", "INV-2026-00000004", "INV-2026-00000006",
                "INV-2026-00000007", "INV-2026-00000008"]
    for listed in (invoices, invoices[::-1], sorted(invoices, key=lambda i: i["invoice_id"])):
        assert [i["invoice_number"] for i in to_dispute(listed)] == expected
