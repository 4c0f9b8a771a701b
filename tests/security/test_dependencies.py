"""Known vulnerabilities in the locked dependencies.

The lock is exported as pinned requirements (the workspace's own packages are not on PyPI) and audited twice:
- in every run, against PyPI's project JSON, which this project's build machines reach (tests/security/
  pypi_advisories.py): each pin that is its project's latest release is checked against the advisories PyPI lists
  for it; an older pin is named as not covered;
- with pip-audit against PyPI's per-release data or OSV, which covers every pin but needs a vulnerability service
  these machines cannot reach: marked `audit`, run by `./mediabill audit`.
Either fails on any known vulnerability, naming the advisory and its fix versions.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.security.pypi_advisories import Pin, audit_pins, judge, pins_from_requirements

REPO = Path(__file__).resolve().parents[2]
# Below this share of pins at their latest release, the PyPI check says too little to pass: refresh the lock
# (`uv lock --upgrade`) or run `./mediabill audit` where OSV is reachable.
MIN_COVERED = 0.5


def _export_lock(tmp_path: Path) -> Path:
    requirements = tmp_path / "requirements.txt"
    subprocess.run(["uv", "export", "--frozen", "--no-hashes", "--no-emit-workspace", "--format", "requirements-txt",
                    "-o", str(requirements)], cwd=REPO, check=True, capture_output=True, timeout=120)
    return requirements


async def test_no_locked_dependency_has_an_advisory_on_pypi(tmp_path):
    pins = pins_from_requirements(_export_lock(tmp_path).read_text())
    assert len(pins) > 50, pins
    audit = await audit_pins(pins)
    print(f"\nPyPI advisories: {len(audit.covered)} of {len(pins)} pins are their project's latest release and "
          f"were checked; {len(audit.behind)} older pins are not covered here"
          + "".join(f"\n  not covered: {line}" for line in audit.behind))
    assert not audit.vulnerable, "known vulnerabilities in uv.lock:\n" + "\n".join(audit.vulnerable)
    assert len(audit.covered) >= MIN_COVERED * len(pins), (
        f"only {len(audit.covered)} of {len(pins)} pins are their latest release, so PyPI's data covers too few: "
        "refresh the lock (uv lock --upgrade) or run ./mediabill audit where OSV is reachable")


def _project(latest: str, *advisories: dict) -> dict:
    return {"info": {"version": latest}, "vulnerabilities": list(advisories)}


def test_a_pin_at_the_latest_release_fails_on_each_advisory_not_withdrawn():
    advisory = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "fixed_in": [], "withdrawn": None}
    withdrawn = {"id": "PYSEC-2099-2", "aliases": [], "fixed_in": ["2.1"], "withdrawn": "2099-01-02T00:00:00Z"}
    audit = judge(Pin("example", "2.0"), _project("2.0", advisory, withdrawn))
    assert audit.covered == [Pin("example", "2.0")]
    assert audit.vulnerable == ["example 2.0: PYSEC-2099-1 (CVE-2099-0001), fixed in no release"]
    assert judge(Pin("example", "2.0"), _project("2.0", withdrawn)).vulnerable == []


def test_an_older_pin_is_not_covered_whatever_the_latest_release_lists():
    audit = judge(Pin("example", "1.0"), _project("2.0", {"id": "PYSEC-2099-3", "fixed_in": ["2.0"]}))
    assert (audit.covered, audit.vulnerable, audit.behind) == ([], [], ["example 1.0 (latest 2.0)"])


def test_pins_are_read_from_an_exported_lock():
    text = ("# via uv export\nanyio==4.6.0 \\\n    --hash=sha256:abc\n"
            "colorama==0.4.6 ; sys_platform == 'win32'\n-e ./libs/common\nPyJWT==2.10.1\n")
    assert pins_from_requirements(text) == [Pin("anyio", "4.6.0"), Pin("colorama", "0.4.6"), Pin("pyjwt", "2.10.1")]


@pytest.mark.audit  # needs PyPI's per-release JSON API or OSV: `./mediabill audit`
def test_pip_audit_finds_no_known_vulnerability_and_skips_nothing(tmp_path):
    requirements = _export_lock(tmp_path)
    pinned = pins_from_requirements(requirements.read_text())
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
