"""python -m bench.console [--contracts 200] [--loads 5]

Time to first render of the console's invoice list, from the browser's performance timeline: the services and the
console as real processes (tests/e2e/harness.py) with a demo month loaded (tools.demo, --contracts contracts), a
signed-in billing analyst opens /invoices in a fresh browser context `--loads` times; each load reports when the
list first showed invoices (the page's `invoice-list-rendered` mark), its first contentful paint and the time to
the end of the load event, all in ms since navigation start. Needs DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS (as the
test command sets them) and the system's Chromium."""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
from datetime import date
from pathlib import Path

from playwright.async_api import async_playwright

from console.build import build
from mediabill_common.auth.mint import mint_token
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.settings import ServiceSettings
from tests.console.conftest import CHROMIUM_ARGS
from tests.e2e.harness import System, fresh_database
from tools.demo.client import Api
from tools.demo.scenario import Scenario
from tools.demo.world import build_world

TIMELINE = """() => {
  const mark = performance.getEntriesByName("invoice-list-rendered")[0];
  const paint = performance.getEntriesByName("first-contentful-paint")[0];
  const nav = performance.getEntriesByType("navigation")[0];
  return {rendered: mark ? mark.startTime : null, fcp: paint ? paint.startTime : null,
          loaded: nav ? nav.loadEventEnd : null, rows: document.querySelectorAll("tbody tr").length};
}"""


async def measure(console_url: str, loads: int, chromium: str) -> list[dict]:
    token = mint_token("ana.analyst@retailer.example", ["billing-analyst"],
                       secret=ServiceSettings().jwt_hs256_secret or "")
    results = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for _ in range(loads):
            context = await browser.new_context(base_url=console_url)
            await context.add_cookies([{"name": "mediabill_session", "value": token, "url": console_url}])
            page = await context.new_page()
            await page.goto("/invoices")
            await page.wait_for_function("performance.getEntriesByName('invoice-list-rendered').length > 0")
            results.append(await page.evaluate(TIMELINE))
            await context.close()
        await browser.close()
    return results


async def main(contracts: int, loads: int, chromium: str, today: date) -> None:
    database_url, bootstrap = os.environ["DATABASE_URL"], os.environ["KAFKA_BOOTSTRAP_SERVERS"]
    build()
    await ensure_topics(bootstrap)
    url = await fresh_database(database_url, "mediabill_bench_console")
    system = System(url, bootstrap, Path(tempfile.mkdtemp(prefix="bench-console-")), name="bench-console",
                    env={"DEMO_CLOCK": "true"}, with_console=True)
    await asyncio.to_thread(system.start)
    try:
        api = Api({name: system.url(name) for name in system.ports})
        try:
            await Scenario(api, build_world(today, contracts=contracts, accounts=max(16, contracts // 2)),
                           bootstrap).run()
        finally:
            await api.close()
        runs = await measure(system.url("console"), loads, chromium)
    finally:
        await asyncio.to_thread(system.stop)
    for n, run in enumerate(runs, 1):
        print(f"load {n}: list rendered {run['rendered']:.0f} ms, first contentful paint {run['fcp']:.0f} ms, "
              f"load event {run['loaded']:.0f} ms, {run['rows']} rows")
    print(f"median of {loads}: list rendered {statistics.median(r['rendered'] for r in runs):.0f} ms, "
          f"first contentful paint {statistics.median(r['fcp'] for r in runs):.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.console", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="the demo bills the month before (a broker shared with earlier runs may have seen that "
                             "month closed)")
    args = parser.parse_args()
    asyncio.run(main(args.contracts, args.loads, args.chromium, args.today))
