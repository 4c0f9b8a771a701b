"""Auditing the lock against PyPI's own vulnerability data, for machines that reach PyPI and nothing else.

pip-audit asks PyPI's per-release JSON API (`/pypi/<name>/<version>/json`) or OSV for each pin. Where neither is
reachable (this project's build machines reach the package registries only), PyPI's project JSON
(`/pypi/<name>/json`) still is: it lists the known, not withdrawn, vulnerabilities of the project's latest release
(PyPI takes them from OSV). That covers every pin that is its project's latest release, and says nothing of an
older pin, which is reported as not covered rather than passed.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

PYPI = "https://pypi.org/pypi"


@dataclass(frozen=True)
class Pin:
    name: str
    version: str


@dataclass
class Audit:
    covered: list[Pin] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)  # one line per (pin, advisory)
    behind: list[str] = field(default_factory=list)  # pins older than their project's latest release


def pins_from_requirements(text: str) -> list[Pin]:
    """`name==version` lines of a `uv export --format requirements-txt`, markers and hashes dropped."""
    pins = []
    for line in text.splitlines():
        requirement = line.split(";", 1)[0].split()  # drops a marker and a trailing line continuation
        if requirement and not requirement[0].startswith(("#", "-")) and "==" in requirement[0]:
            name, version = requirement[0].split("==", 1)
            pins.append(Pin(name.lower(), version))
    return pins


def judge(pin: Pin, project: dict[str, Any]) -> Audit:
    """What PyPI's project document says of one pin."""
    audit = Audit()
    latest = project["info"]["version"]
    if pin.version != latest:
        audit.behind.append(f"{pin.name} {pin.version} (latest {latest})")
        return audit
    audit.covered.append(pin)
    for advisory in project.get("vulnerabilities") or []:
        if advisory.get("withdrawn"):
            continue
        aliases = ", ".join(advisory.get("aliases") or [])
        fixed = ", ".join(advisory.get("fixed_in") or []) or "no release"
        audit.vulnerable.append(f"{pin.name} {pin.version}: {advisory['id']}"
                                f"{f' ({aliases})' if aliases else ''}, fixed in {fixed}")
    return audit


async def audit_pins(pins: list[Pin], *, concurrency: int = 16, timeout_s: float = 30) -> Audit:
    """Fetch each pin's project document (raising if PyPI cannot be reached) and combine the verdicts."""
    limit = asyncio.Semaphore(concurrency)
    total = Audit()

    async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=True) as client:
        async def one(pin: Pin) -> Audit:
            async with limit:
                response = await client.get(f"{PYPI}/{pin.name}/json")
            response.raise_for_status()
            return judge(pin, response.json())

        for part in await asyncio.gather(*(one(pin) for pin in pins)):
            total.covered += part.covered
            total.vulnerable += part.vulnerable
            total.behind += part.behind
    return total
