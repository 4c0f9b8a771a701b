"""Who is calling, and what their roles let them do."""

from __future__ import annotations

import unicodedata
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


def person_of(sub: str) -> str:
    """The person a token's `sub` names, for telling whether two callers are the same person (maker-checker).

    Identity providers and directories treat `RT-ALICE`, `rt-alice`, its full-width forms and the name with a
    stray space or an invisible character as one account: compatibility forms are folded (NFKC), case is folded
    (casefold, then NFKC again, as Unicode's NFKC_Casefold does), format characters (zero-width space and joiners,
    soft hyphen, BOM: category Cf) are dropped and surrounding whitespace is stripped. Erring towards "the same
    person" is the safe side: it can only refuse an approval, never let one person be both maker and checker.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", sub).casefold())
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf").strip()


def same_person(sub: str, other: str) -> bool:
    """Whether two `sub`s name the same person (see `person_of`)."""
    return person_of(sub) == person_of(other)


@dataclass(frozen=True)
class Principal:
    sub: str
    roles: frozenset[str]

    def has_any(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))

    @property
    def can_write(self) -> bool:
        return bool(self.roles - {"auditor"})
