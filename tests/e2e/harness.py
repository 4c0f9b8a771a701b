"""Runs the whole system as real processes for end-to-end tests: the four services (api, consumer and relay each)
and the simulated collections system, against the real broker and a database of their own."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from mediabill_common.db.engine import asyncpg_dsn
from mediabill_common.testing.plugin import REPO_ROOT, run_migrations

SERVICES = {
    "product-config-svc": "product_config_svc",
    "invoice-svc": "invoice_svc",
    "dispute-svc": "dispute_svc",
    "adjustment-svc": "adjustment_svc",
}
ROLES = ("api", "consumer", "relay")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "a")
        self.popen = subprocess.Popen(self.argv, env=self.env, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)

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
    ports: dict[str, int] = field(default_factory=dict)
    processes: dict[str, Process] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self) -> None:
        for service in SERVICES:
            run_migrations(service, self.database_url)
        for service in [*SERVICES, "collections"]:
            self.ports[service] = free_port()
        base_env = {**os.environ, "DATABASE_URL": self.database_url, "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
                    "INVOICE_SVC_URL": self.url("invoice-svc"), "RELAY_POLL_INTERVAL_S": "0.5",
                    "COLLECTIONS_GROUP": f"collections-{self.name}", **self.env}
        for service, package in SERVICES.items():
            for role in ROLES:
                env = {**base_env, "PORT": str(self.ports[service]), "CONSUMER_GROUP": f"{service}-{self.name}"}
                self._add(f"{service}:{role}", [sys.executable, "-m", package, role], env)
        self._add("collections", [sys.executable, "-m", "tools.collections", "--port",
                                  str(self.ports["collections"])], base_env)
        for process in self.processes.values():
            process.start()
        asyncio.run(self.wait_ready())

    def _add(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.processes[name] = Process(name, argv, env, self.log_dir / f"{name.replace(':', '-')}.log")

    async def wait_ready(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        async with httpx.AsyncClient(timeout=5) as client:
            for service in [*SERVICES, "collections"]:
                while True:
                    self.check_alive()
                    try:
                        if (await client.get(f"{self.url(service)}/health/ready")).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{service} not ready:\n{self.processes.get(f'{service}:api', self.processes.get(service)).tail()}")
                    await asyncio.sleep(0.3)

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
