"""Known vulnerabilities in the locked dependencies: the lock is exported as pinned requirements and audited with
pip-audit against PyPI's vulnerability data. The test fails on any known vulnerability (naming the fix versions),
and also when pip-audit could not audit a dependency: a dependency that was skipped is not known to be safe."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Not in `./mediabill test`: it needs a vulnerability service (PyPI's per-release JSON API or OSV), which this
# project's build machines cannot reach. Run it with `./mediabill audit` where one is reachable.
pytestmark = pytest.mark.audit
REPO = Path(__file__).resolve().parents[2]


def test_the_locked_dependencies_have_no_known_vulnerability(tmp_path):
    requirements = tmp_path / "requirements.txt"
    # the workspace's own packages are not on PyPI: only the third-party pins are audited
    subprocess.run(["uv", "export", "--frozen", "--no-hashes", "--no-emit-workspace", "--format", "requirements-txt",
                    "-o", str(requirements)], cwd=REPO, check=True, capture_output=True, timeout=120)
    pinned = [line for line in requirements.read_text().splitlines() if "==" in line and not line.startswith("#")]
    assert len(pinned) > 50, requirements.read_text()[:2000]

    audit = subprocess.run([sys.executable, "-m", "pip_audit", "-r", str(requirements), "--disable-pip", "--no-deps",
                            "--progress-spinner", "off", "--format", "json"],
                           cwd=REPO, capture_output=True, text=True, timeout=600)
    assert audit.stdout.strip(), f"pip-audit gave no report (exit {audit.returncode}): {audit.stderr[-3000:]}"
    report = json.loads(audit.stdout)
    vulnerable = [f"{d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'no release'})"
                  for d in report["dependencies"] for v in d.get("vulns", [])]
    skipped = [f"{d['name']} {d.get('version', '?')}: {d['skip_reason']}"
               for d in report["dependencies"] if d.get("skip_reason")]
    assert not vulnerable, "known vulnerabilities in uv.lock:\n" + "\n".join(vulnerable)
    assert not skipped, (f"pip-audit could not audit {len(skipped)} of {len(pinned)} locked dependencies, so they "
                         "are not known to be safe:\n" + "\n".join(skipped[:20]))
