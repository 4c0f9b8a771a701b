"""Why a dispute command was refused, in billing language; the API maps each kind to its HTTP status."""

from __future__ import annotations


class DisputeError(Exception):
    """Base of every refusal; `detail` says precisely what was wrong and, where it helps, what to do."""

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class NotKnown(DisputeError):
    """The dispute or invoice named is not known to this service (404)."""


class InvalidRequest(DisputeError):
    """The request itself is malformed or names things that do not exist on the invoice (422)."""


class RuleBreach(DisputeError):
    """A billing rule or the dispute state machine forbids it (409)."""


class ApprovalRequired(DisputeError):
    """The caller's role is not enough for this decision, e.g. a credit above the auto-approval limit (403)."""


class VersionMismatch(DisputeError):
    """The caller's If-Match names another version of the dispute than the current one (412)."""
