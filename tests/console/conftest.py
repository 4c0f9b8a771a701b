"""The console in a real browser (the system's Chromium, driven by Playwright) against the whole system: the services
and the console as real processes (tests/e2e/harness.py) with a small demo month loaded through their APIs."""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from console.build import WEB, build
from mediabill_common.kafka.admin import ensure_topics
from mediabill_common.testing.plugin import REPO_ROOT
from tests.e2e.harness import System, fresh_database
from tools.demo.client import PEOPLE, Api
from tools.demo.scenario import Scenario
from tools.demo.world import build_world

# Committed, so a reviewer can look at the pages without running anything (README, "The console").
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
# Flags for a headless Chromium on a closed network: no first-run work, no background calls to Google's hosts.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def system_chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "no Chromium (Debian's chromium package; ./mediabill test installs it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="package")
def console_system(database_url, kafka_bootstrap, tmp_path_factory):
    """The services, collections and the console as real processes, with a small demo month loaded."""
    chromium = system_chromium()
    build()
    asyncio.run(ensure_topics(kafka_bootstrap))
    url = asyncio.run(fresh_database(database_url, "mediabill_console"))
    # DEMO_CLOCK: the demo's disputes take hours to weeks on dispute-svc's demo clock, as on the dev stack.
    running = System(url, kafka_bootstrap, tmp_path_factory.mktemp("console-logs"), name="console",
                     env={"DEMO_CLOCK": "true"}, with_console=True)
    try:
        running.start()
        asyncio.run(_load_demo(running, kafka_bootstrap))
        running.chromium = chromium  # type: ignore[attr-defined]
        yield running
    finally:
        running.stop()
        print(f"\nconsole test process logs: {running.log_dir}")


async def _load_demo(system: System, kafka_bootstrap: str) -> None:
    api = Api({name: system.url(name) for name in system.ports})
    try:
        world = build_world(date.today(), contracts=30, accounts=16)
        await Scenario(api, world, kafka_bootstrap).run()
    finally:
        await api.close()


@pytest.fixture
async def api(console_system):
    client = Api({name: console_system.url(name) for name in console_system.ports})
    yield client
    await client.close()


@pytest.fixture(scope="package")
async def browser(console_system) -> Browser:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=console_system.chromium, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def console_url(console_system) -> str:
    return console_system.url("console")


# What the console threw and did not catch during the current test (a page that crashed renders nothing).
_PAGE_ERRORS: list[str] = []


@pytest.fixture(autouse=True)
def no_uncaught_page_errors():
    """An uncaught error in the console's scripts is a defect, whatever the test was looking at: React unmounts the
    whole application on a render error and leaves a blank page behind."""
    _PAGE_ERRORS.clear()
    yield
    assert _PAGE_ERRORS == [], "the console threw uncaught errors"


async def new_person_page(browser: Browser, console_url: str) -> Page:
    context = await browser.new_context(base_url=console_url, viewport={"width": 1400, "height": 1000},
                                        accept_downloads=True, timezone_id="America/New_York", locale="en-US")
    page = await context.new_page()
    page.on("pageerror", lambda error: _PAGE_ERRORS.append(f"{page.url}: {error}"))
    return page


async def sign_in(browser: Browser, console_url: str, who: str, role: str) -> Page:
    """A person opens the console and signs in on the development sign-in page with their name and role."""
    page = await new_person_page(browser, console_url)
    await page.goto("/")
    await page.get_by_label("Your name or e-mail").fill(PEOPLE.get(who, who))
    await page.get_by_label(role, exact=True).check()
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("navigation", name="Main").wait_for()
    await page.get_by_role("main").get_by_role("heading", level=1).wait_for()  # the first page rendered
    assert _PAGE_ERRORS == [], "the console threw uncaught errors"
    return page


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result if v["impact"] in ("serious", "critical")]
