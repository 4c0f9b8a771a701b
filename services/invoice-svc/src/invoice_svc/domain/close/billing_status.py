"""C10: is billing complete for a period? An `issue` run over every bill-to account has completed since the last
delivery of the period was ingested."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class IssueRunSeen:
    """The latest completed `issue` run of the period over all bill-to accounts."""

    run_id: str
    snapshot_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class BillingFacts:
    """What the ledger and the bill runs say about one period."""

    period: str
    last_delivery_at: datetime | None       # the latest ingestion (or restatement) of a delivery of the period
    last_full_issue_run: IssueRunSeen | None
    runs_in_flight: int                     # queued or running runs of the period
    drafts_left: int                        # groups an issue run kept as drafts (blocked) or only previewed


@dataclass(frozen=True)
class BillingCompleteness:
    complete: bool
    reasons: tuple[str, ...]


def billing_completeness(facts: BillingFacts) -> BillingCompleteness:
    """Complete when the latest full `issue` run's snapshot is no older than the latest delivery of the period
    (rule 1: a run prices what was ingested when it started). Runs in flight and drafts left are reported beside
    it: a blocked draft is an open billing exception, which the close lists without blocking on it."""
    run = facts.last_full_issue_run
    if run is None:
        return BillingCompleteness(False, (f"no issue run over all bill-to accounts has completed for {facts.period}",))
    if facts.last_delivery_at is not None and facts.last_delivery_at > run.snapshot_at:
        return BillingCompleteness(False, (
            f"deliveries for {facts.period} were ingested at {facts.last_delivery_at.isoformat()}, after the "
            f"snapshot of the last issue run {run.run_id} ({run.snapshot_at.isoformat()}): run issue again",))
    return BillingCompleteness(True, ())
