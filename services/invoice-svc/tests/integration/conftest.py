"""invoice-svc integration fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from invoice_svc.testing.billing import make_billing


@pytest.fixture
async def billing(invoice_ctx):
    """invoice-svc's API in process, with its feed and a bill-run executor (invoice_svc.testing.billing.Billing)."""
    b = make_billing(invoice_ctx)
    yield b
    await b.client.aclose()
