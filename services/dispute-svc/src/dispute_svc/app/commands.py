"""Use cases that change a dispute: open, assign, comment, withdraw, resolve. Routes own the transaction and
give the clock and the settings that apply."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dispute_svc.app.policy import current_sla_policy
from dispute_svc.app.ports import Clock, DisputeUnit
from dispute_svc.app.views import snapshot
from dispute_svc.domain.errors import InvalidRequest, NotKnown, VersionMismatch
from dispute_svc.domain.model import Attachment, Dispute, check_credit_authority, open_dispute
from dispute_svc.domain.opening import RequestedLine, check_opening, holds_of
from dispute_svc.domain.sla import sla_clock
from mediabill_common.events.catalog import DisputeOpened, DisputeResolved, DisputeWithdrawn
from mediabill_common.money import Money


@dataclass(frozen=True)
class OpenDisputeCommand:
    invoice_id: str
    lines: list[RequestedLine]
    reason_code: str
    description: str
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Actor:
    """Who acts, and whether their role lets them decide credits above the auto-approval limit."""

    sub: str
    is_manager: bool = False


async def open_new_dispute(unit: DisputeUnit, cmd: OpenDisputeCommand, actor: Actor, *, clock: Clock,
                           window_days: int) -> Dispute:
    """Check the dispute against the invoice as known from events (rule 19's window of `window_days`), store it,
    and announce DisputeOpened."""
    invoice = await unit.invoices.get(cmd.invoice_id, for_update=True)
    if invoice is None:
        raise InvalidRequest(f"invoice_id: invoice {cmd.invoice_id} is not known to dispute-svc (no InvoiceIssued "
                             "has been received for it); check the id, or retry once the invoice is issued",
                             field="invoice_id")
    now = clock.now()
    lines = check_opening(invoice, cmd.lines, reason_code=cmd.reason_code, description=cmd.description,
                          today=now.date(), window_days=window_days,
                          holds=holds_of(await unit.disputes.holding_on_invoice(invoice.invoice_id)))
    due = sla_clock(now, (await current_sla_policy(unit.sla_policy)).target_for(cmd.reason_code))
    dispute = open_dispute(dispute_id=str(uuid.uuid4()), invoice=invoice, lines=lines, reason_code=cmd.reason_code,
                           description=cmd.description, opened_by=actor.sub, opened_at=now,
                           assignment_due_at=due.assignment_due_at, resolution_due_at=due.resolution_due_at,
                           attachments=cmd.attachments)
    await unit.disputes.add(dispute, [a.as_dict() for a in cmd.attachments])
    await unit.publish("DisputeOpened", key=dispute.bill_to_account_id, subject=dispute.dispute_id,
                       data=DisputeOpened(
                           dispute_id=dispute.dispute_id, invoice_id=dispute.invoice_id,
                           invoice_number=dispute.invoice_number, bill_to_account_id=dispute.bill_to_account_id,
                           lines=[{"invoice_line_id": ln.invoice_line_id, "amount": ln.amount}
                                  for ln in dispute.lines],
                           amount=dispute.disputed.amount, currency=dispute.currency, reason_code=dispute.reason_code,
                           opened_by=actor.sub, opened_at=now, sla_due_at=dispute.resolution_due_at))
    await unit.record_audit(actor=actor.sub, action="dispute.opened", entity_type="dispute",
                            entity_id=dispute.dispute_id, reason=cmd.description, after=snapshot(dispute))
    return dispute


async def _load(unit: DisputeUnit, dispute_id: str, expected_version: int | None) -> Dispute:
    dispute = await unit.disputes.get(dispute_id, for_update=True)
    if dispute is None:
        raise NotKnown(f"dispute {dispute_id} does not exist")
    if expected_version is not None and expected_version != dispute.version:
        raise VersionMismatch(f"dispute {dispute_id} is at version {dispute.version}, If-Match named "
                              f"{expected_version}; fetch it again and reapply your change")
    return dispute


async def _store(unit: DisputeUnit, dispute: Dispute, before: dict[str, Any], actor: str, action: str,
                 reason: str | None) -> None:
    await unit.disputes.save(dispute)
    await unit.record_audit(actor=actor, action=action, entity_type="dispute", entity_id=dispute.dispute_id,
                            reason=reason, before=before, after=snapshot(dispute))


async def assign_dispute(unit: DisputeUnit, dispute_id: str, assignee: str, actor: Actor, *, clock: Clock,
                         expected_version: int | None = None) -> Dispute:
    dispute = await _load(unit, dispute_id, expected_version)
    before = snapshot(dispute)
    dispute.assign(assignee, by=actor.sub, at=clock.now())
    await _store(unit, dispute, before, actor.sub, "dispute.assigned", f"assigned to {assignee}")
    return dispute


async def comment_on_dispute(unit: DisputeUnit, dispute_id: str, note: str, attachments: tuple[Attachment, ...],
                             actor: Actor, *, clock: Clock) -> Dispute:
    dispute = await _load(unit, dispute_id, None)
    before = snapshot(dispute)
    dispute.comment(note, by=actor.sub, at=clock.now(), attachments=attachments)
    await _store(unit, dispute, before, actor.sub, "dispute.commented", note or None)
    return dispute


async def withdraw_dispute(unit: DisputeUnit, dispute_id: str, note: str | None, actor: Actor, *, clock: Clock,
                           expected_version: int | None = None) -> Dispute:
    dispute = await _load(unit, dispute_id, expected_version)
    before = snapshot(dispute)
    now = clock.now()
    dispute.withdraw(by=actor.sub, at=now, note=note)
    await _store(unit, dispute, before, actor.sub, "dispute.withdrawn", note)
    await unit.publish("DisputeWithdrawn", key=dispute.bill_to_account_id, subject=dispute.dispute_id,
                       data=DisputeWithdrawn(
                           dispute_id=dispute.dispute_id, invoice_id=dispute.invoice_id,
                           bill_to_account_id=dispute.bill_to_account_id, withdrawn_by=actor.sub,
                           withdrawn_at=now))
    return dispute


async def resolve_dispute(unit: DisputeUnit, dispute_id: str, outcome: str, credit_amount: Decimal, note: str,
                          actor: Actor, *, clock: Clock, credit_limit: Callable[[str], Decimal],
                          expected_version: int | None = None, root_cause: str | None = None) -> Dispute:
    """Decide the dispute (rule 20); a credit above the auto-approval limit of its currency (`credit_limit`, rule
    22) needs a billing-manager."""
    dispute = await _load(unit, dispute_id, expected_version)
    before = snapshot(dispute)
    now = clock.now()
    credit = Money(credit_amount, dispute.currency)
    dispute.resolve(outcome, credit, note, by=actor.sub, at=now, root_cause=root_cause)
    check_credit_authority(credit, Money(credit_limit(dispute.currency), dispute.currency),
                           is_manager=actor.is_manager)
    await _store(unit, dispute, before, actor.sub, "dispute.resolved", note)
    await unit.publish("DisputeResolved", key=dispute.bill_to_account_id, subject=dispute.dispute_id,
                       data=DisputeResolved(
                           dispute_id=dispute.dispute_id, invoice_id=dispute.invoice_id,
                           bill_to_account_id=dispute.bill_to_account_id, outcome=outcome,
                           credit_amount=credit_amount, currency=dispute.currency, resolution_note=note,
                           resolved_by=actor.sub, resolved_at=now, root_cause=root_cause))
    return dispute
