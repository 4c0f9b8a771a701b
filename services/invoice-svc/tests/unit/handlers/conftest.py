"""The `unit` fixture: a fresh in-memory unit (invoice_svc.testing.fakes) for each handler test."""

from __future__ import annotations

import pytest

from invoice_svc.testing.fakes import FakeUnit


@pytest.fixture
def unit() -> FakeUnit:
    return FakeUnit()
