"""Use-case errors about references and state, mapped to problem+json by the API and to dead-letters by
the consumer."""

from __future__ import annotations

from adjustment_svc.domain.errors import AdjustmentError


class UnknownInvoice(AdjustmentError):
    """The invoice is not (yet) in the read model."""


class InvoiceNotAdjustable(AdjustmentError):
    """The invoice is void."""


class InvalidRequest(AdjustmentError):
    """The request is malformed in a way the schema cannot see (duplicate lines, a foreign dispute, total <= 0)."""


class UnknownAdjustment(AdjustmentError):
    """No adjustment request with this id."""


class LiveRequestForDispute(AdjustmentError):
    """The dispute already has a credit request that was not rejected."""
