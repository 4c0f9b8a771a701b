"""Stairway: every revision of accounting-svc upgrades and downgrades cleanly."""

from __future__ import annotations

from mediabill_common.testing.plugin import run_migrations


def test_migrations_downgrade_to_baseline_and_upgrade_again(accounting_migrated):
    run_migrations("accounting-svc", accounting_migrated, target="0001", command="downgrade")
    run_migrations("accounting-svc", accounting_migrated, target="base", command="downgrade")
    run_migrations("accounting-svc", accounting_migrated)
    run_migrations("accounting-svc", accounting_migrated, target="0001", command="downgrade")
    run_migrations("accounting-svc", accounting_migrated)
