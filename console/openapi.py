"""python -m console.openapi: write each service's OpenAPI document to console/web/openapi/<service>.json, from the
app objects in this process (no service needs to run). The console's typed clients are generated from these files
(`npm run api`), so a change to an API that the console's code no longer matches fails the console's build."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from deploy.processes import SERVICES

OUT = Path(__file__).resolve().parent / "web" / "openapi"


def document(package: str) -> dict:
    bootstrap = importlib.import_module(f"{package}.bootstrap")
    settings = importlib.import_module(f"{package}.settings").Settings()
    return bootstrap.build_app(bootstrap.build(settings)).openapi()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for svc in SERVICES:
        path = OUT / f"{svc.name}.json"
        path.write_text(json.dumps(document(svc.package), indent=1, sort_keys=True) + "\n")
        print(f"wrote {path.relative_to(OUT.parents[2])}", file=sys.stderr)


if __name__ == "__main__":
    main()
