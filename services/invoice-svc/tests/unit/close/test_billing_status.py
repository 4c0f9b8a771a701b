"""C10: billing is complete for a period once a full issue run's snapshot is no older than its last delivery."""

from datetime import UTC, datetime, timedelta

from invoice_svc.domain.close.billing_status import BillingFacts, IssueRunSeen, billing_completeness

T0 = datetime(2025, 4, 2, 9, tzinfo=UTC)


def _facts(last_delivery, run_snapshot) -> BillingFacts:
    run = None if run_snapshot is None else IssueRunSeen("run-1", run_snapshot, run_snapshot + timedelta(minutes=3))
    return BillingFacts("2025-03", last_delivery, run, 0, 0)


def test_no_full_issue_run_is_not_complete():
    verdict = billing_completeness(_facts(T0, None))
    assert not verdict.complete and verdict.reasons == ("no issue run over all bill-to accounts has completed for "
                                                        "2025-03",)


def test_a_delivery_ingested_after_the_runs_snapshot_makes_it_incomplete():
    verdict = billing_completeness(_facts(T0 + timedelta(seconds=1), T0))
    assert not verdict.complete and "after the snapshot of the last issue run run-1" in verdict.reasons[0]


def test_a_run_whose_snapshot_is_no_older_than_the_last_delivery_completes_it():
    assert billing_completeness(_facts(T0, T0)).complete
    assert billing_completeness(_facts(T0 - timedelta(days=3), T0)).reasons == ()


def test_a_period_without_deliveries_is_complete_after_a_full_issue_run_flat_fees_need():
    assert billing_completeness(_facts(None, T0)).complete
    assert not billing_completeness(_facts(None, None)).complete
