"""The approval policy: limits per currency, versioned for ETag / If-Match."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adjustment_svc.adapters.tables import approval_policy, approval_policy_version
from adjustment_svc.domain.approval import ApprovalLimits
from adjustment_svc.domain.approval_basis import AccountWindow


class PolicyRepository:
    """app.ports.ApprovalPolicy over one session."""

    def __init__(self, session: AsyncSession, account_window: AccountWindow) -> None:
        self._s = session
        self.account_window = account_window

    async def current(self, *, for_update: bool = False) -> tuple[dict[str, ApprovalLimits], int]:
        """Every currency's limits and the policy version."""
        query = select(approval_policy_version.c.version).where(approval_policy_version.c.id == 1)
        if for_update:
            query = query.with_for_update()
        version = (await self._s.execute(query)).scalar_one()
        rows = (await self._s.execute(select(approval_policy).order_by(approval_policy.c.currency))).all()
        return {r.currency: ApprovalLimits(r.auto_approve_max, r.single_approval_max) for r in rows}, version

    async def limits_for(self, currency: str) -> ApprovalLimits | None:
        row = (await self._s.execute(select(approval_policy).where(approval_policy.c.currency == currency))).first()
        return ApprovalLimits(row.auto_approve_max, row.single_approval_max) if row else None

    async def replace(self, limits: dict[str, ApprovalLimits], *, by: str) -> int:
        """Replace the whole policy; returns the new version. Call with the version row locked."""
        await self._s.execute(delete(approval_policy))
        if limits:
            await self._s.execute(insert(approval_policy), [
                {"currency": c, "auto_approve_max": x.auto_approve_max,
                 "single_approval_max": x.single_approval_max} for c, x in limits.items()])
        result = await self._s.execute(update(approval_policy_version).where(approval_policy_version.c.id == 1)
                                       .values(version=approval_policy_version.c.version + 1, updated_by=by)
                                       .returning(approval_policy_version.c.version))
        return result.scalar_one()
