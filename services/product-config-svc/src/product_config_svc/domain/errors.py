"""Domain errors of billing configuration; the API turns them into problem+json (422, 409, 404, 412)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: where it is (`lines[1].fee`) and why it is refused."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class ConfigError(Exception):
    """Base of the errors a configuration change can be refused with."""


class InvalidConfiguration(ConfigError):
    """The request is well-formed but its values break a configuration rule (422)."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


class RuleViolation(ConfigError):
    """The change is not allowed in the aggregate's current state (409)."""

    def __init__(self, detail: str, **extra: Any) -> None:
        self.detail = detail
        self.extra = extra
        super().__init__(detail)


class UnknownEntity(ConfigError):
    """The product, account or contract does not exist (404)."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} '{key}' does not exist")


class StaleVersion(ConfigError):
    """The change was made against another version than the stored one (If-Match, 412): read it again."""

    def __init__(self, current_version: int, expected: str) -> None:
        self.current_version = current_version
        self.expected = expected
        super().__init__(f"the stored version is {current_version}, the change expected {expected}")


def raise_if_any(problems: list[FieldProblem]) -> None:
    """Raise one InvalidConfiguration listing every problem, so callers fix all of them in one go."""
    if problems:
        raise InvalidConfiguration(problems)


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: dict[str, Any]) -> M:
    """Build a state model from merged fields; a field made invalid by a change is a 422, never a 500."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidConfiguration([
            FieldProblem(".".join(str(p) for p in err["loc"]) or "(body)", err["msg"]) for err in exc.errors()
        ]) from exc
