"""Line items across delivery systems (oversight.md O1): records match on (line_item_id, service date), so a source
whose line item ids differ from ours loads a crosswalk (its id -> ours), applied as its deliveries are ingested.

Only forward: a record ingested before its source's crosswalk was loaded keeps the id it arrived with; the source
re-sends it (a restatement, or a replay of the dead-letter or delivery topic) to have it matched.
"""

from __future__ import annotations

from collections.abc import Mapping

from invoice_svc.domain.ledger.records import DeliveryRecord

MAX_CROSSWALK_ENTRIES = 50_000


def crosswalk_problems(line_items: Mapping[str, str]) -> list[tuple[str, str]]:
    """(field, message) for each entry a crosswalk may not hold: blank ids, an id mapped to itself is allowed."""
    problems = []
    if len(line_items) > MAX_CROSSWALK_ENTRIES:
        problems.append(("line_items", f"at most {MAX_CROSSWALK_ENTRIES} entries per source"))
    for theirs, ours in line_items.items():
        if not theirs.strip():
            problems.append(("line_items", "a source line item id must not be blank"))
        if not ours.strip():
            problems.append((f"line_items.{theirs}", "our line item id must not be blank"))
    return problems


def crosswalked(record: DeliveryRecord, ours: Mapping[tuple[str, str], str]) -> DeliveryRecord:
    """The record under our line item id when its source's crosswalk maps its id (`ours`: (source_system, their
    line item id) -> our id), else the record as it arrived."""
    mapped = ours.get((record.source_system, record.line_item_id))
    return record if mapped is None else record._replace(line_item_id=mapped)
