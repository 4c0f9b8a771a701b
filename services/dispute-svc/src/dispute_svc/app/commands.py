"""Use cases that change a dispute: open, assign, comment, withdraw, resolve. Routes own the transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispute_svc.adapters.dispute_repository import DisputeRepository
from dispute_svc.adapters.invoice_repository import InvoiceRepository
from dispute_svc.app.policy import clock_of, current_sla_policy
from dispute_svc.app.views import snapshot
from dispute_svc.domain.errors import InvalidRequest, NotKnown, VersionMismatch
from dispute_svc.domain.model import Attachment, Dispute, check_credit_authority, open_dispute
from dispute_svc.domain.opening import RequestedLine, check_opening, holds_of
from dispute_svc.domain.sla import sla_clock
from mediabill_common.events.catalog import DisputeOpened, DisputeResolved, DisputeWithdrawn
from mediabill_common.service import ServiceContext


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


async def open_new_dispute(session: AsyncSession, ctx: ServiceContext, cmd: OpenDisputeCommand,
                           actor: Actor) -> Dispute:
    """Check the dispute against the invoice as known from events, store it, and announce DisputeOpened."""
    invoice = await InvoiceRepository(session).get(cmd.invoice_id, for_update=True)
    if invoice is None:
        raise InvalidRequest(f"invoice_id: invoice {cmd.invoice_id} is not known to dispute-svc (no InvoiceIssued "
                             "has been received for it); check the id, or retry once the invoice is issued",
                             field="invoice_id")
    repo = DisputeRepository(session)
    now = clock_of(ctx).now()
    lines = check_opening(invoice, cmd.lines, reason_code=cmd.reason_code, description=cmd.description,
                          today=now.date(), window_days=ctx.settings.dispute_window_days,
                          holds=holds_of(await repo.holding_on_invoice(invoice.invoice_id)))
    due = sla_clock(now, (await current_sla_policy(session)).target_for(cmd.reason_code))
    dispute = open_dispute(dispute_id=str(uuid.uuid4()), invoice=invoice, lines=lines, reason_code=cmd.reason_code,
                           description=cmd.description, opened_by=actor.sub, opened_at=now,
                           assignment_due_at=due.assignment_due_at, resolution_due_at=due.resolution_due_at,
                           attachments=cmd.attachments)
    await repo.add(dispute, [a.as_dict() for a in cmd.attachments])
    await ctx.outbox.publish(session, "DisputeOpened", key=dispute.bill_to_account_id, subject=dispute.dispute_id,
                             data=DisputeOpened(
                                 dispute_id=dispute.dispute_id, invoice_id=dispute.invoice_id,
                                 invoice_number=dispute.invoice_number,
                                 bill_to_account_id=dispute.bill_to_account_id,
                                 lines=[{"invoice_line_id": ln.invoice_line_id, "amount": ln.amount}
                                        for ln in dispute.lines],
                                 amount=dispute.amount, currency=dispute.currency, reason_code=dispute.reason_code,
                                 opened_by=actor.sub, opened_at=now, sla_due_at=dispute.resolution_due_at))
    await ctx.audit.record(session, actor=actor.sub, action="dispute.opened", entity_type="dispute",
                           entity_id=dispute.dispute_id, reason=cmd.description, after=snapshot(dispute))
    return dispute


async def _load(session: AsyncSession, dispute_id: str, expected_version: int | None) -> Dispute:
    dispute = await DisputeRepository(session).get(dispute_id, for_update=True)
    if dispute is None:
        raise NotKnown(f"dispute {dispute_id} does not exist")
    if expected_version is not None and expected_version != dispute.version:
        raise VersionMismatch(f"dispute {dispute_id} is at version {dispute.version}, If-Match named "
                              f"{expected_version}; fetch it again and reapply your change")
    return dispute


async def _store(session: AsyncSession, ctx: ServiceContext, dispute: Dispute, before: dict[str, Any],
                 actor: str, action: str, reason: str | None) -> None:
    await DisputeRepository(session).save(dispute)
    await ctx.audit.record(session, actor=actor, action=action, entity_type="dispute",
                           entity_id=dispute.dispute_id, reason=reason, before=before, after=snapshot(dispute))


async def assign_dispute(session: AsyncSession, ctx: ServiceContext, dispute_id: str, assignee: str,
                         actor: Actor, expected_version: int | None = None) -> Dispute:
    dispute = await _load(session, dispute_id, expected_version)
    before = snapshot(dispute)
    dispute.assign(assignee, by=actor.sub, at=clock_of(ctx).now())
    await _store(session, ctx, dispute, before, actor.sub, "dispute.assigned", f"assigned to {assignee}")
    return dispute


async def comment_on_dispute(session: AsyncSession, ctx: ServiceContext, dispute_id: str, note: str,
                             attachments: tuple[Attachment, ...], actor: Actor) -> Dispute:
    dispute = await _load(session, dispute_id, None)
    before = snapshot(dispute)
    dispute.comment(note, by=actor.sub, at=clock_of(ctx).now(), attachments=attachments)
    await _store(session, ctx, dispute, before, actor.sub, "dispute.commented", note or None)
    return dispute


async def withdraw_dispute(session: AsyncSession, ctx: ServiceContext, dispute_id: str, note: str | None,
                           actor: Actor, expected_version: int | None = None) -> Dispute:
    dispute = await _load(session, dispute_id, expected_version)
    before = snapshot(dispute)
    now = clock_of(ctx).now()
    dispute.withdraw(by=actor.sub, at=now, note=note)
    await _store(session, ctx, dispute, before, actor.sub, "dispute.withdrawn", note)
    await ctx.outbox.publish(session, "DisputeWithdrawn", key=dispute.bill_to_account_id,
                             subject=dispute.dispute_id, data=DisputeWithdrawn(
                                 dispute_id=dispute.dispute_id, invoice_id=dispute.invoice_id,
                                 bill_to_account_id=dispute.bill_to_account_id, withdrawn_by=actor.sub,
                                 withdrawn_at=now))
    return dispute


async def resolve_dispute(session: AsyncSession, ctx: ServiceContext, dispute_id: str, outcome: str,
                          credit_amount: Decimal, note: str, actor: Actor,
                          expected_version: int | None = None) -> Dispute:
    """Decide the dispute (rule 20); a credit above the auto-approval limit needs a billing-manager."""
    dispute = await _load(session, dispute_id, expected_version)
    before = snapshot(dispute)
    now = clock_of(ctx).now()
    dispute.resolve(outcome, credit_amount, note, by=actor.sub, at=now)
    check_credit_authority(credit_amount, ctx.settings.credit_limit(dispute.currency), dispute.currency,
                           is_manager=actor.is_manager)
    await _store(session, ctx, dispute, before, actor.sub, "dispute.resolved", note)
    await ctx.outbox.publish(session, "DisputeResolved", key=dispute.bill_to_account_id,
                             subject=dispute.dispute_id, data=DisputeResolved(
                                 dispute_id=dispute.dispute_id, invoice_id=dispute.invoice_id,
                                 bill_to_account_id=dispute.bill_to_account_id, outcome=outcome,
                                 credit_amount=credit_amount, currency=dispute.currency, resolution_note=note,
                                 resolved_by=actor.sub, resolved_at=now))
    return dispute
