"""The linters are part of the test command (and so of CI): ruff, mypy and import-linter, each configured in
pyproject.toml, must pass on the whole tree. A failure shows the linter's own report."""

import subprocess
import sys
import tomllib
from pathlib import Path

from mediabill_common.testing.plugin import REPO_ROOT

# import-linter contracts (their ids in pyproject.toml) the tree keeps, and so must go on keeping.
ENFORCED = (
    "domain-is-pure",
    "services-are-independent",
    "common-knows-no-service",
    "product-config-svc-layers",
    "dispute-svc-layers",
    "adjustment-svc-layers",
    "product-config-svc-app-knows-no-web-or-sql",
    "dispute-svc-app-knows-no-web-or-sql",
    "adjustment-svc-app-knows-no-web-or-sql",
    "invoice-svc-layers",
    "invoice-svc-app-knows-no-web-or-sql",
    "accounting-svc-layers",
    "accounting-svc-app-knows-no-web-or-sql",
)
# A cold mypy run (CI starts without .mypy_cache) checks every module of the workspace.
TIMEOUT_S = 300


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=TIMEOUT_S)


def _lint_imports(*contract_ids: str) -> subprocess.CompletedProcess[str]:
    # The entry point beside the interpreter running the tests (the workspace's .venv/bin).
    lint_imports = Path(sys.executable).with_name("lint-imports")
    return _run(str(lint_imports), "--no-logo", *(arg for cid in contract_ids for arg in ("--contract", cid)))


def test_ruff_finds_nothing():
    result = _run(sys.executable, "-m", "ruff", "check", "--no-fix", "--output-format=concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_are_kept():
    result = _lint_imports(*ENFORCED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_import_contract_is_enforced():
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    ids = [contract.get("id") for contract in config["tool"]["importlinter"]["contracts"]]
    assert sorted(ids, key=str) == sorted(ENFORCED), "each contract needs an id, in ENFORCED"
