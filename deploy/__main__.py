"""python -m deploy COMMAND: the parts of ./mediabill that read the declaration of the stack's processes.

  conf DIR --nice N --kafka-libs LIBS  write DIR/supervisord.conf (Kafka, the services, collections)
  shell                                the dev stack's default ports and the invoice-svc URL, as shell variables
  migrate DIR                          alembic upgrade head of every service (DATABASE_URL from the environment)
  start DIR TIMEOUT                    start what is not running, wait until every API answers /health/ready
  status DIR                           NAME STATE PID PORT of each supervised process
  urls                                 where each service's API docs are
  down DIR                             stop the services, then Kafka, then supervisord itself
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from deploy.processes import (
    COLLECTIONS,
    CONSOLE,
    INVOICE_SVC_URL,
    KAFKA,
    KAFKA_CONTROLLER_PORT,
    POSTGRES,
    ROOT,
    SERVICES,
)
from deploy.supervised import ALIVE, Program, app_programs, control, kafka_program, write_conf

ROW = "{:<28} {:<5} {:<8} {}"


def log(message: str) -> None:
    print(f"[stack] {message}", file=sys.stderr, flush=True)


def tail(stack_dir: Path, name: str, lines: int = 40) -> None:
    path = stack_dir / "logs" / f"{name}.log"
    if path.exists():
        text = "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
        print(f"----- last lines of {path}\n{text}\n-----", file=sys.stderr)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def conf(stack_dir: Path, nice: int, kafka_libs: Path) -> None:
    programs = [kafka_program(stack_dir, kafka_libs, nice), *app_programs(sys.executable, nice)]
    write_conf(stack_dir, programs, sys.executable)


def migrate(stack_dir: Path) -> None:
    for svc in SERVICES:
        path = stack_dir / "logs" / f"migrate-{svc.name}.log"
        with path.open("w") as out:
            done = subprocess.run([sys.executable, "-m", "alembic", "-c", f"services/{svc.name}/alembic.ini",
                                   "upgrade", "head"], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT)
        if done.returncode != 0:
            print(path.read_text(errors="replace"), file=sys.stderr)
            sys.exit(f"[stack] error: migrations of {svc.name} failed (log: {path})")
        log(f"{svc.name} migrated")


def start(stack_dir: Path, timeout_s: float) -> None:
    rpc = control(stack_dir)
    before = {info["name"]: info for info in rpc.getAllProcessInfo()}
    programs = app_programs(sys.executable, 0)
    for program in programs:
        if program.port and before[program.name]["statename"] not in ALIVE and port_open(program.port):
            sys.exit(f"[stack] error: port {program.port} for {program.name} is taken by a process that is not "
                     f"ours (see: ss -ltnp 'sport = :{program.port}')")
    for result in rpc.startAllProcesses(True):
        if result["status"] != 80:  # supervisor.xmlrpc.Faults.SUCCESS
            tail(stack_dir, result["name"])
            sys.exit(f"[stack] error: {result['name']} did not start: {result['description']}")
    now = {info["name"]: info for info in rpc.getAllProcessInfo()}
    for name, info in now.items():
        if before[name]["statename"] not in ALIVE:
            log(f"{name} started (pid {info['pid']}, log {info['stdout_logfile']})")
    deadline = time.monotonic() + timeout_s
    for name, port, members in _readiness(programs):
        _wait_ready(stack_dir, rpc, port, {_spec(now[m]): now[m]["pid"] for m in members}, deadline)
        log(f"{name} ready on http://127.0.0.1:{port}")


def _spec(info: dict) -> str:
    return f"{info['group']}:{info['name']}"


def _readiness(programs: list[Program]) -> list[tuple[str, int, list[str]]]:
    """(what, port, its processes) in start order: each service's API with its consumer and relay, collections."""
    found = [(svc.name, svc.port, [p.name for p in programs if p.group == svc.name]) for svc in SERVICES]
    return [*found, (COLLECTIONS.name, COLLECTIONS.port, [COLLECTIONS.name]),
            (CONSOLE.name, CONSOLE.port, [CONSOLE.name])]


def _wait_ready(stack_dir: Path, rpc: Any, port: int, members: dict[str, int], deadline: float) -> None:
    """Until the API on `port` is ready; fails once one of `members` (namespec: pid) is no longer the process that
    was started (supervisord would start it again, but a process that dies while it starts needs a look)."""
    url = f"http://127.0.0.1:{port}/health/ready"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        for member, pid in members.items():
            info = rpc.getProcessInfo(member)
            if info["pid"] != pid or info["statename"] not in ALIVE:
                tail(stack_dir, info["name"])
                sys.exit(f"[stack] error: {info['name']} (pid {pid}) ended while waiting for {url}")
        if time.monotonic() > deadline:
            for member in members:
                tail(stack_dir, member.split(":")[1], 20)
            sys.exit(f"[stack] error: {url} not ready in time")
        time.sleep(0.5)


def status(stack_dir: Path) -> None:
    ports: dict[str, int | None] = {KAFKA.name: int(os.environ.get("MEDIABILL_KAFKA_PORT", KAFKA.port))}
    ports.update((p.name, p.port) for p in app_programs(sys.executable, 0))
    try:
        infos = {i["name"]: i for i in control(stack_dir).getAllProcessInfo() if i["group"] != "reaper"}
    except OSError:  # supervisord is not running: neither is anything it would run
        infos = {}
    # The declared processes, then any other that runs (e.g. of a service no longer declared).
    for name in [*ports, *(n for n in infos if n not in ports)]:
        info = infos.get(name, {})
        up = info.get("statename") in ALIVE
        print(ROW.format(name, "up" if up else "down", info["pid"] if up else "-", ports.get(name) or "-"))


def urls() -> None:
    print(f"  {CONSOLE.name:<20} http://127.0.0.1:{CONSOLE.port}  (the operations console: sign in there)")
    for svc in SERVICES:
        print(f"  {svc.name:<20} http://127.0.0.1:{svc.port}/docs")
    print(f"  {COLLECTIONS.name:<20} http://127.0.0.1:{COLLECTIONS.port}")


def down(stack_dir: Path) -> None:
    """Stops the services and collections in parallel (as long as the slowest one), then Kafka, then supervisord."""
    rpc = control(stack_dir)
    running = [i for i in rpc.getAllProcessInfo() if i["statename"] in ALIVE and i["group"] != "reaper"]
    apps = [i for i in running if i["name"] != KAFKA.name]
    for info in apps:
        rpc.stopProcess(_spec(info), False)
    for info in apps:
        # supervisord sends SIGKILL to the process group of one still there after its stopwaitsecs.
        while rpc.getProcessInfo(_spec(info))["statename"] in ALIVE:
            time.sleep(0.2)
        log(f"{info['name']} stopped")
    for info in running:
        if info["name"] == KAFKA.name:
            rpc.stopProcess(_spec(info), True)
            log(f"{info['name']} stopped")
    pid = rpc.getPID()
    rpc.shutdown()
    while _runs(pid):
        time.sleep(0.1)


def _runs(pid: int) -> bool:
    """A zombie has ended: it only waits for its parent (for a daemon, init) to collect it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("conf")
    p.add_argument("dir", type=Path)
    p.add_argument("--nice", type=int, default=0)
    p.add_argument("--kafka-libs", type=Path, required=True)
    sub.add_parser("shell")
    for name in ("migrate", "status", "down"):
        sub.add_parser(name).add_argument("dir", type=Path)
    p = sub.add_parser("start")
    p.add_argument("dir", type=Path)
    p.add_argument("timeout", type=float)
    sub.add_parser("urls")
    args = parser.parse_args()
    if args.command == "conf":
        conf(args.dir.resolve(), args.nice, args.kafka_libs.resolve())
    elif args.command == "shell":
        print(f"DEV_PG_PORT={POSTGRES.port} DEV_KAFKA_PORT={KAFKA.port} "
              f"DEV_KAFKA_CONTROLLER_PORT={KAFKA_CONTROLLER_PORT} INVOICE_SVC_URL={INVOICE_SVC_URL}")
    elif args.command == "start":
        start(args.dir.resolve(), args.timeout)
    elif args.command == "urls":
        urls()
    else:
        {"migrate": migrate, "status": status, "down": down}[args.command](args.dir.resolve())


if __name__ == "__main__":
    main()
