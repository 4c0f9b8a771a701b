"""Why invoice-svc refuses a request, in billing terms; entrypoints/api/errors.py says how each is answered."""

from __future__ import annotations


class BillingError(Exception):
    """Base of every refused request of invoice-svc (its message is the answer's detail)."""


class UnknownEntity(BillingError):
    """What the request names does not exist (an invoice, a billing exception)."""


class InvalidRequest(BillingError):
    """The request cannot be carried out as asked (a bill run for a month that has not begun, or for a bill-to
    account nobody configured); `field` names the part of the request at fault."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class RuleViolation(BillingError):
    """The change breaks a billing rule in the entity's current state (e.g. rule 12: only an invoice on which
    nothing is paid, credited, debited or disputed may be voided; a resolved exception stays resolved)."""


class StaleVersion(BillingError):
    """The change was made against another version than the stored one (If-Match): read it again."""

    def __init__(self, current_version: int, expected: str) -> None:
        self.current_version = current_version
        self.expected = expected
        super().__init__(f"the stored version is {current_version}, the change expected {expected}")


def check_version(if_match: str | None, version: int) -> None:
    """Raise StaleVersion unless If-Match allows a change of `version`: absent, "*", or one of its ETags (weak or
    strong) names it."""
    if if_match is None or if_match.strip() == "*":
        return
    if f'"{version}"' not in {tag.strip().removeprefix("W/") for tag in if_match.split(",")}:
        raise StaleVersion(version, if_match)
