"""Domain errors: each names the rule it enforces so the API can answer with a precise detail."""

from __future__ import annotations


class AdjustmentError(Exception):
    """Base of every business-rule breach in adjustment-svc."""


class LineNotAdjustable(AdjustmentError):
    """A named invoice line is unknown, or of a kind a memo may not name (rule 21)."""


class HeadroomExceeded(AdjustmentError):
    """A credit asks for more than a line's headroom (rule 18)."""

    def __init__(self, message: str, violations: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.violations = violations


class ApprovalRefused(AdjustmentError):
    """The caller may not give this approval (maker = checker, or a role the request does not need)."""


class DuplicateApproval(AdjustmentError):
    """The same person tried to approve the same request twice."""


class NotPending(AdjustmentError):
    """The request was already decided."""


class MissingReason(AdjustmentError):
    """A rejection was given without a reason."""
