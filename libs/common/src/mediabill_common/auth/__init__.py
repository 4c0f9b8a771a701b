"""JWT bearer authentication and role checks (roles from ../shared/spec/api.md)."""

from mediabill_common.auth.principal import ROLES, Principal, expand_roles
from mediabill_common.auth.verify import JwtVerifier

__all__ = ["ROLES", "JwtVerifier", "Principal", "expand_roles"]
