"""Runs the whole system as real processes for end-to-end tests: the services (api, consumer and relay each) and the
simulated collections system as declared in deploy/processes.py, against the real broker and a database of their
own."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from deploy.processes import COLLECTIONS, CONSOLE, SERVICES
from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.events.catalog import all_topics
from mediabill_common.testing.kafka import start_groups_at_end
from mediabill_common.testing.plugin import REPO_ROOT, run_migrations
from mediabill_common.testing.polling import NotReached, poll_until
from mediabill_common.testing.ports import free_port


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "a") as log:  # the process has its own copy of the file
            self.popen = subprocess.Popen(self.argv, env=self.env, cwd=REPO_ROOT, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(sig)
            self.popen.wait(timeout=30)

    def tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class System:
    database_url: str
    kafka_bootstrap: str
    log_dir: Path
    name: str = "e2e"  # consumer groups are <service>-<name>, so two systems on one broker never share one
    env: dict[str, str] = field(default_factory=dict)  # extra environment for every process (e.g. tuning)
    with_console: bool = False  # the operations console too (its web application built: console.build)
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self) -> None:
        for svc in SERVICES:
            run_migrations(svc.name, self.database_url)
        asyncio.run(self.start_groups_at_end())
        for name in [*(svc.name for svc in SERVICES), COLLECTIONS.name]:
            self.ports[name] = free_port()
        base_env = {**os.environ, "DATABASE_URL": self.database_url, "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
                    "INVOICE_SVC_URL": self.url("invoice-svc"), "RELAY_POLL_INTERVAL_S": "0.5",
                    "COLLECTIONS_GROUP": f"collections-{self.name}",
                    "DISPUTE_SVC_URL": self.url("dispute-svc"), "ADJUSTMENT_SVC_URL": self.url("adjustment-svc"),
                    # The daily jobs stay off unless a test turns them on (System(env=...)).
                    "ASSURANCE_SCHEDULE_ENABLED": "false", **self.env}
        for svc in SERVICES:
            env = {**base_env, "PORT": str(self.ports[svc.name]), "CONSUMER_GROUP": f"{svc.name}-{self.name}"}
            for role in svc.roles:
                self._add(f"{svc.name}:{role}", [sys.executable, *svc.args(role)], env)
        self._add(COLLECTIONS.name, [sys.executable, *COLLECTIONS.args(self.ports[COLLECTIONS.name])], base_env)
        if self.with_console:
            self.ports[CONSOLE.name] = free_port()
            urls = {svc.name: self.url(svc.name) for svc in SERVICES}
            self._add(CONSOLE.name, [sys.executable, *CONSOLE.args(self.ports[CONSOLE.name])],
                      {**base_env, "CONSOLE_SERVICE_URLS": json.dumps(urls)})
        for process in self.processes.values():
            process.start()
        asyncio.run(self.wait_ready())

    def groups(self) -> list[str]:
        return [*(f"{svc.name}-{self.name}" for svc in SERVICES), f"collections-{self.name}"]

    async def start_groups_at_end(self) -> None:
        """Every system a test run starts shares the one broker and its topics, but has a database of its own: a
        fresh system reads only what is published after it starts, as if the topics were its own. Left at the
        topics' beginnings, the e2e system's consumers took the console system's demo events: its adjustment-svc
        turned the console's resolved disputes into credit memos against invoices its invoice-svc never issued,
        and its accounting-svc's receivable stopped tying out to invoice-svc's balances; an earlier run's
        PeriodClosed locked a month in a fresh invoice-svc."""
        await start_groups_at_end(self.kafka_bootstrap, self.groups(), list(all_topics()))

    def _add(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.processes[name] = Process(name, argv, env, self.log_dir / f"{name.replace(':', '-')}.log")

    async def wait_ready(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s  # one budget for every service
        async with httpx.AsyncClient(timeout=5) as client:
            for service in self.ports:
                async def ready(service: str = service) -> int | str:
                    try:
                        return (await client.get(f"{self.url(service)}/health/ready")).status_code
                    except httpx.HTTPError as exc:
                        return type(exc).__name__

                try:
                    await poll_until(ready, what=f"{service} to be ready", until=lambda status: status == 200,
                                     every_s=0.3, alive=self.check_alive,
                                     timeout_s=max(0.0, deadline - time.monotonic()))
                except NotReached as exc:
                    process = self.processes.get(f"{service}:api") or self.processes[service]
                    raise TimeoutError(f"{exc}\n{process.tail()}") from None

    def check_alive(self) -> None:
        for process in self.processes.values():
            if process.popen and process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited with {process.popen.returncode}:\n{process.tail()}")

    def add_instance(self, name: str, like: str) -> Process:
        """Start one more process like an existing one (e.g. a second consumer in the same group)."""
        model = self.processes[like]
        self._add(name, model.argv, model.env)
        self.processes[name].start()
        return self.processes[name]

    def restart(self, name: str, sig: int = signal.SIGKILL) -> None:
        self.processes[name].kill(sig)
        self.processes[name].start()

    def stop(self, grace_s: float = 20) -> None:
        """SIGTERM everything, then SIGKILL what is still running after `grace_s`: nothing outlives the tests,
        even when a process ignores or is slow to act on SIGTERM."""
        running = [p.popen for p in self.processes.values() if p.popen and p.popen.poll() is None]
        for popen in running:
            popen.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for popen in running:
            try:
                popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait(timeout=10)


async def fresh_database(database_url: str, name: str) -> str:
    """Create (or recreate) a database beside the test database; returns its URL."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return database_url.rsplit("/", 1)[0] + f"/{name}"
