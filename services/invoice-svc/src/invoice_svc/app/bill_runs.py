"""Bill runs are requested through the API and executed by the bill-run executor in any API process
(entrypoints/bill_run_executor.py)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from invoice_svc.adapters import bill_run_repository as runs
from mediabill_common.service import ServiceContext

log = logging.getLogger(__name__)
MAX_LISTED_EXCEPTIONS = 1000


async def request_bill_run(session: AsyncSession, ctx: ServiceContext, *, period: str, mode: str,
                           bill_to_account_ids: Sequence[str] | None, actor: str) -> Any:
    """Queue a run (the route owns the transaction); an executor picks it up."""
    row = await runs.add_run(session, str(uuid.uuid4()), period, mode, bill_to_account_ids, actor)
    await ctx.audit.record(session, actor=actor, action=f"request_{mode}", entity_type="bill_run",
                           entity_id=row["run_id"], after={"period": period, "mode": mode,
                                                           "bill_to_account_ids": bill_to_account_ids})
    return row


