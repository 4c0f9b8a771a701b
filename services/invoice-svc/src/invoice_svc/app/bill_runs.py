"""Bill runs are requested through the API and executed by the bill-run executor in a worker process
(`python -m invoice_svc worker`, entrypoints/worker.py)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from invoice_svc.app.period_lock import refuse_issue_if_closed
from invoice_svc.app.ports import BillingUnit
from invoice_svc.app.stored import BillRun
from invoice_svc.domain.billing.run_request import check_bill_run_request


async def request_bill_run(unit: BillingUnit, *, period: str, mode: str, bill_to_account_ids: Sequence[str] | None,
                           actor: str, today: date, source_system: str | None = None) -> BillRun:
    """Queue a run (the route owns the transaction); a worker picks it up. Refused (InvalidRequest) for a
    period that has not begun on `today` or a bill-to account this service does not know, and (RuleViolation,
    409) for an issue run of a period accounting-svc closed (close.md C12). With `source_system` the run is a shadow
    preview (oversight.md O1), priced as if that delivery source billed; it may never issue."""
    known = (await unit.config.load((), bill_to_account_ids, ())).accounts if bill_to_account_ids else {}
    check_bill_run_request(period, today=today, bill_to_account_ids=bill_to_account_ids, known_accounts=known,
                           mode=mode, source_system=source_system)
    await refuse_issue_if_closed(unit.periods, period, mode)
    run = await unit.bill_runs.add(str(uuid.uuid4()), period, mode, bill_to_account_ids, actor, source_system)
    await unit.record_audit(actor=actor, action=f"request_{mode}", entity_type="bill_run", entity_id=run.run_id,
                            after={"period": period, "mode": mode, "bill_to_account_ids": bill_to_account_ids,
                                   "source_system": source_system})
    return run
