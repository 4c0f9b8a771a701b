"""The import-linter contracts in pyproject.toml hold (domain purity, service independence)."""

import subprocess
import sys

from mediabill_common.testing.plugin import REPO_ROOT


def test_import_contracts_are_kept():
    lint_imports = REPO_ROOT / ".venv" / "bin" / "lint-imports"
    command = [str(lint_imports)] if lint_imports.exists() else [sys.executable, "-m", "importlinter.cli"]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
