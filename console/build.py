"""python -m console.build: build the console's web application into console/web/dist.

Each service's OpenAPI document is written from its app object (console.openapi), the typed clients are generated
from them and the TypeScript is type-checked before Vite bundles it (npm run build): an API change the console's
code does not follow fails here. `npm ci` installs exactly what package-lock.json records. A build whose inputs
(the sources, the lock and the OpenAPI documents) are unchanged since the last one is skipped."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from console import openapi

WEB = Path(__file__).resolve().parent / "web"
STAMP = WEB / "dist" / ".inputs"
INPUTS = ("package.json", "package-lock.json", "index.html", "vite.config.ts", "tsconfig.json")


def _npm(*args: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("console: npm is not installed (./mediabill up installs Node.js from Debian's packages)")
    subprocess.run([npm, *args], cwd=WEB, check=True, stdin=subprocess.DEVNULL)


def inputs_digest() -> str:
    digest = hashlib.sha256()
    files = [WEB / name for name in INPUTS]
    files += sorted(p for p in (WEB / "src").rglob("*") if p.is_file() and not p.name.endswith(".d.ts"))
    files += sorted((WEB / "openapi").glob("*.json"))
    for path in files:
        digest.update(str(path.relative_to(WEB)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(*, force: bool = False) -> Path:
    """The built application's folder (console/web/dist), built now unless it is up to date."""
    openapi.main()
    lock = WEB / "package-lock.json"
    installed = WEB / "node_modules" / ".package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        _npm("ci", "--no-audit", "--no-fund")
    digest = inputs_digest()
    if force or not STAMP.exists() or STAMP.read_text() != digest:
        _npm("run", "build")
        STAMP.write_text(digest)
    return WEB / "dist"


if __name__ == "__main__":
    build(force="--force" in sys.argv)
