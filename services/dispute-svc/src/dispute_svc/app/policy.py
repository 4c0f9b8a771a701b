"""The SLA policy in force: the lookups opening a dispute and the policy API share, and its replacement."""

from __future__ import annotations

from typing import Any

from dispute_svc.app.ports import DisputeUnit, SlaPolicyStore
from dispute_svc.domain.errors import InvalidRequest, VersionMismatch
from dispute_svc.domain.model import REASON_CODES
from dispute_svc.domain.sla import SlaPolicy, policy_document, policy_from_document


async def current_sla_policy(policies: SlaPolicyStore) -> SlaPolicy:
    stored = await policies.get()
    return SlaPolicy() if stored is None else policy_from_document(stored[0])


async def sla_policy_with_version(policies: SlaPolicyStore) -> tuple[dict[str, Any], int]:
    """The policy document and its version (0 while the rules' defaults apply)."""
    stored = await policies.get()
    return (policy_document(SlaPolicy()), 0) if stored is None else stored


async def replace_sla_policy(unit: DisputeUnit, policy: SlaPolicy, *, actor: str, expected_version: int | None,
                             reason: str | None) -> tuple[dict[str, Any], int]:
    """Store a new policy (applies to disputes opened from now on); returns it with its new version."""
    unknown = sorted(set(policy.by_reason) - set(REASON_CODES))
    if unknown:
        raise InvalidRequest(f"by_reason_code names unknown reason codes {', '.join(unknown)}; known: "
                             f"{', '.join(REASON_CODES)}", field="by_reason_code")
    stored = await unit.sla_policy.get(for_update=True)
    before, version = (None, 0) if stored is None else stored
    if expected_version is not None and expected_version != version:
        raise VersionMismatch(f"the SLA policy is at version {version}, If-Match named {expected_version}; "
                              "fetch it again and reapply your change")
    document = policy_document(policy)
    await unit.sla_policy.put(document, version + 1, actor)
    await unit.record_audit(actor=actor, action="sla_policy.replaced", entity_type="sla_policy",
                            entity_id="sla-policy", reason=reason, before=before, after=document)
    return document, version + 1
