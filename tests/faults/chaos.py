"""Fault injection against a running System: SIGKILL and restart of its processes, restarts of the test stack's
Kafka broker and PostgreSQL server (through the project's own deploy/stack.sh), and consumer-group rebalances."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mediabill_common.testing.plugin import REPO_ROOT
from tests.e2e.harness import Process, System

NO_STACK = ("fault tests restart the broker and database: run them with ./mediabill test "
            "(MEDIABILL_STACK_DIR, MEDIABILL_PG_PORT, MEDIABILL_KAFKA_PORT and MEDIABILL_KAFKA_CONTROLLER_PORT "
            "must name the throwaway stack)")


@dataclass
class Stack:
    """The throwaway infrastructure `./mediabill test` started (.stack/test)."""

    dir: Path
    pg_port: str
    kafka_port: str
    controller_port: str

    @classmethod
    def from_env(cls) -> Stack | None:
        names = ("MEDIABILL_STACK_DIR", "MEDIABILL_PG_PORT", "MEDIABILL_KAFKA_PORT", "MEDIABILL_KAFKA_CONTROLLER_PORT")
        values = [os.environ.get(n) for n in names]
        if not all(values) or not Path(values[0]).is_dir():
            return None
        return cls(Path(values[0]), values[1], values[2], values[3])

    async def restart_kafka(self, down_s: float) -> None:
        await self._stack(f"kafka_stop \"$0\"; sleep {down_s:.1f}; kafka_start \"$0\" {self.kafka_port} "
                          f"{self.controller_port}")

    async def restart_postgres(self, down_s: float) -> None:
        await self._stack(f"pg_stop \"$0\"; sleep {down_s:.1f}; pg_start \"$0\" {self.pg_port} ephemeral")

    async def _stack(self, script: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            "bash", "-c", f"set -euo pipefail; source deploy/stack.sh; {script}", str(self.dir),
            cwd=REPO_ROOT, env={**os.environ, "MEDIABILL_ROOT": str(REPO_ROOT)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{script} failed ({proc.returncode}):\n{out.decode(errors='replace')[-3000:]}")


@dataclass
class Chaos:
    system: System
    stack: Stack
    rng: random.Random
    started: float = field(default_factory=time.monotonic)
    counts: Counter = field(default_factory=Counter)
    journal: list[str] = field(default_factory=list)
    retired: list[Process] = field(default_factory=list)
    restarting: set[str] = field(default_factory=set)  # killed on purpose, about to be started again

    def note(self, kind: str, target: str, phase: str) -> None:
        self.counts[kind] += 1
        self.journal.append(f"{time.monotonic() - self.started:7.1f}s  {phase:9} {kind:18} {target}")
        print(f"[faults] {self.journal[-1]}", flush=True)

    async def kill(self, name: str, phase: str) -> None:
        """SIGKILL a process and start it again (as a supervisor would), after a short random pause."""
        process = self.system.processes[name]
        self.restarting.add(name)
        try:
            process.kill(signal.SIGKILL)
            self.note("sigkill+restart", name, phase)
            await asyncio.sleep(self.rng.uniform(0.2, 1.5))
            process.start()
        finally:
            self.restarting.discard(name)

    async def restart_kafka(self, phase: str) -> None:
        self.note("kafka-restart", "broker", phase)
        await self.stack.restart_kafka(self.rng.uniform(1, 3))

    async def restart_postgres(self, phase: str) -> None:
        self.note("postgres-restart", "server", phase)
        await self.stack.restart_postgres(self.rng.uniform(1, 3))

    async def scale_out(self, like: str, phase: str) -> str:
        name = f"{like}-2"
        self.system.add_instance(name, like)
        self.note("rebalance:add", name, phase)
        return name

    async def scale_in(self, name: str, phase: str) -> None:
        process = self.system.processes.pop(name)
        process.kill(signal.SIGKILL)
        self.retired.append(process)
        self.note("rebalance:remove", f"{name} (SIGKILL)", phase)

    async def run_schedule(self, actions: list, phase: str, gap_s: tuple[float, float]) -> None:
        """Run fault actions one after the other with seeded random gaps between them."""
        for action in actions:
            await asyncio.sleep(self.rng.uniform(*gap_s))
            await action(phase)

    def check_alive(self) -> None:
        """Every process not being restarted on purpose still runs (they must survive outages by themselves)."""
        for process in self.system.processes.values():
            if process.name not in self.restarting and process.popen and process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited with {process.popen.returncode}")

    def tails(self, lines: int = 25) -> str:
        parts = []
        for process in [*self.system.processes.values(), *self.retired]:
            state = "running" if process.popen and process.popen.poll() is None else (
                f"exited {process.popen.returncode}" if process.popen else "never started")
            parts.append(f"----- {process.name} ({state}), last lines of {process.log_path}\n{process.tail(lines)}")
        return "\n".join(parts)
