"""Who is calling, and what their roles let them do."""

from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = (
    "billing-analyst", "billing-manager", "billing-director", "config-admin", "auditor", "service",
)
# Each role includes the ones it lists (api.md: director ⊇ manager ⊇ analyst).
_INCLUDES: dict[str, tuple[str, ...]] = {
    "billing-director": ("billing-manager", "billing-analyst"),
    "billing-manager": ("billing-analyst",),
}


def expand_roles(roles: list[str] | tuple[str, ...] | set[str]) -> frozenset[str]:
    """The caller's roles with the ones they include; unknown role names are dropped."""
    expanded = set()
    for role in roles:
        if role in ROLES:
            expanded.add(role)
            expanded.update(_INCLUDES.get(role, ()))
    return frozenset(expanded)


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def can_write(self) -> bool:
        return bool(self.roles - {"auditor"})
