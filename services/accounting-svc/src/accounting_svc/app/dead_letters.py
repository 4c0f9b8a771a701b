"""Dismissing a dead letter (close.md C10): a billing director's decision, with a reason, that a dead-lettered record
posts nothing -- a record that was never an event, or one replaced by a corrected event -- so it no longer holds the
close. Audited; the record stays listed, and on its dead-letter topic."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from accounting_svc.app.errors import DeadLetterDismissed, UnknownDeadLetter
from accounting_svc.app.ports import AccountingUnit, DeadLetterRecord, DeadLetters


async def dismiss_dead_letter(unit: AccountingUnit, letters: DeadLetters, letter_id: int, *, actor: str,
                              reason: str) -> DeadLetterRecord:
    letter = await letters.get(letter_id, for_update=True)
    if letter is None:
        raise UnknownDeadLetter(f"no dead letter {letter_id}")
    if letter.dismissed_at is not None:
        raise DeadLetterDismissed(f"dead letter {letter_id} was dismissed by {letter.dismissed_by} already")
    dismissed = await letters.dismiss(letter_id, by=actor, reason=reason, at=datetime.now(UTC))
    await unit.record_audit(actor=actor, action="dead_letter.dismissed", entity_type="dead_letter",
                            entity_id=str(letter_id), reason=reason,
                            before={"dismissed": False},
                            after={"dismissed": True, **{k: v for k, v in dataclasses.asdict(letter).items()
                                                         if k in ("event_id", "event_type", "topic", "offset")}})
    return dismissed
