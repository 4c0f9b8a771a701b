"""Use case of crosswalks (oversight.md O1): load a delivery source's line item ids mapped to ours, audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from invoice_svc.app.ports import InvoiceUnit
from invoice_svc.domain.errors import InvalidRequest
from invoice_svc.domain.ledger.crosswalks import crosswalk_problems


async def load_crosswalk(unit: InvoiceUnit, source_system: str, line_items: Mapping[str, str], *, actor: str,
                         reason: str | None) -> dict[str, str]:
    """Replace the source's crosswalk with `line_items` (their id -> ours) and audit what changed; it applies to
    the deliveries ingested from now on."""
    problems = crosswalk_problems(line_items)
    if problems:
        raise InvalidRequest("; ".join(m for _, m in problems), field=problems[0][0])
    before = await unit.crosswalks.of_source(source_system)
    await unit.crosswalks.replace(source_system, line_items)
    await unit.record_audit(actor=actor, action="load_crosswalk", entity_type="source_crosswalk",
                            entity_id=source_system, reason=reason, before={"entries": len(before)},
                            after=_changes(before, line_items))
    return dict(line_items)


def _changes(before: Mapping[str, str], after: Mapping[str, str]) -> dict[str, Any]:
    """What the audit keeps: how many entries, and (up to 100 of each) those added, re-pointed and removed."""
    added = sorted(k for k in after if k not in before)
    changed = sorted(k for k in after if k in before and before[k] != after[k])
    removed = sorted(k for k in before if k not in after)
    return {"entries": len(after), "added": {k: after[k] for k in added[:100]},
            "changed": {k: [before[k], after[k]] for k in changed[:100]}, "removed": removed[:100],
            "counts": {"added": len(added), "changed": len(changed), "removed": len(removed)}}
