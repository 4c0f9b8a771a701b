"""supervisord for one stack dir: its config, written from the declaration (deploy/processes.py), and a client of
its control socket.

Layout: DIR/supervisord.conf, DIR/run/supervisor.sock (and supervisord.pid), DIR/logs/<program>.log. Every program
is started by hand (`start`), never by the daemon on its own, so that the order of `./mediabill up` holds: Kafka,
then the migrations, then the services.
"""

from __future__ import annotations

import shlex
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from supervisor.xmlrpc import SupervisorTransport

from deploy.processes import (
    BACKGROUND_ROLES,
    COLLECTIONS,
    CONSOLE,
    INVOICE_SVC_URL,
    KAFKA,
    ROOT,
    SERVICE_URLS,
    SERVICES,
    Tool,
    kafka_args,
)

# States in which a program has a process (supervisor.states.ProcessStates).
ALIVE = frozenset({"STARTING", "RUNNING", "STOPPING"})


@dataclass(frozen=True)
class Program:
    name: str  # also its log: DIR/logs/<name>.log
    command: list[str]
    group: str | None = None  # supervisorctl names it group:name, and `restart group:*` restarts the group
    env: dict[str, str] = field(default_factory=dict)
    nice: int = 0
    port: int | None = None  # the port it listens on, for `./mediabill status`
    stop_wait_s: int = 15  # SIGTERM to its process group, SIGKILL after this
    priority: int = 500  # supervisord starts lower numbers first and, when it shuts down, stops them last


def app_programs(python: str, nice: int) -> list[Program]:
    """The services' processes and collections; consumers, relays and collections at `nice`."""
    programs = [
        Program(f"{svc.name}-{role}", [python, *svc.args(role)], group=svc.name,
                env={"PORT": str(svc.port), "INVOICE_SVC_URL": INVOICE_SVC_URL, **SERVICE_URLS, **dict(svc.dev_env)},
                nice=nice if role in BACKGROUND_ROLES else 0, port=svc.port if role == "api" else None)
        for svc in SERVICES for role in svc.roles
    ]
    console = Program(CONSOLE.name, [python, *CONSOLE.args(CONSOLE.port)], port=CONSOLE.port)
    return [*programs, tool_program(COLLECTIONS, python, nice), console]


def tool_program(tool: Tool, python: str, nice: int) -> Program:
    return Program(tool.name, [python, *tool.args(tool.port)], env={"INVOICE_SVC_URL": INVOICE_SVC_URL}, nice=nice,
                   port=tool.port)


def kafka_program(stack_dir: Path, libs: Path, nice: int) -> Program:
    # Controlled shutdown of a single node takes a few seconds; past 30 s something is stuck.
    return Program(KAFKA.name, kafka_args(libs, stack_dir / "kafka" / "server.properties"), nice=nice,
                   stop_wait_s=30, priority=100)


def socket_path(stack_dir: Path) -> Path:
    return stack_dir / "run" / "supervisor.sock"


def render(stack_dir: Path, programs: list[Program], python: str) -> str:
    """supervisord.conf for `programs` and the reaper (deploy/reaper.py), each started through deploy/launch.py."""
    logs, run = stack_dir / "logs", stack_dir / "run"
    lines = [
        "; Written by deploy/supervised.py at each start of the stack; the processes are declared in",
        "; deploy/processes.py.",
        "[supervisord]",
        f"logfile={logs / 'supervisord.log'}",
        f"pidfile={run / 'supervisord.pid'}",
        f"childlogdir={logs}",
        f"directory={ROOT}",
        "[unix_http_server]",
        f"file={socket_path(stack_dir)}",
        "chmod=0700",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "[supervisorctl]",
        f"serverurl=unix://{socket_path(stack_dir)}",
        "[eventlistener:reaper]",
        f"command={_command(_launch(python, 0, [python, str(ROOT / 'deploy' / 'reaper.py')]))}",
        "events=PROCESS_STATE_EXITED,PROCESS_STATE_STOPPED",
        "stdout_logfile=NONE",  # its stdout is the event protocol
        f"stderr_logfile={logs / 'reaper.log'}",
    ]
    for program in programs:
        lines += _program(program, python, logs)
    groups: dict[str, list[str]] = {}
    for program in programs:
        if program.group:
            groups.setdefault(program.group, []).append(program.name)
    for group, names in groups.items():
        lines += [f"[group:{group}]", f"programs={','.join(names)}"]
    return "\n".join(lines) + "\n"


def _program(program: Program, python: str, logs: Path) -> list[str]:
    lines = [
        f"[program:{program.name}]",
        f"command={_command(_launch(python, program.nice, program.command))}",
        f"directory={ROOT}",
        "autostart=false",
        "autorestart=true",
        "stopasgroup=true",
        "killasgroup=true",
        f"stopwaitsecs={program.stop_wait_s}",
        f"priority={program.priority}",
        "redirect_stderr=true",
        f"stdout_logfile={logs / (program.name + '.log')}",
        "stdout_logfile_maxbytes=50MB",
        "stdout_logfile_backups=2",
    ]
    if program.env:
        lines.append("environment=" + ",".join(f'{k}="{v}"' for k, v in program.env.items()))
    return lines


def _launch(python: str, nice: int, command: list[str]) -> list[str]:
    return [python, str(ROOT / "deploy" / "launch.py"), "--nice", str(nice), "--", *command]


def _command(argv: list[str]) -> str:
    # supervisord splits the line as a shell would and expands %(name)s itself.
    return shlex.join(argv).replace("%", "%%")


def write_conf(stack_dir: Path, programs: list[Program], python: str) -> Path:
    for sub in ("logs", "run"):
        (stack_dir / sub).mkdir(parents=True, exist_ok=True)
    conf = stack_dir / "supervisord.conf"
    conf.write_text(render(stack_dir, programs, python))
    return conf


def control(stack_dir: Path) -> Any:
    """supervisord's XML-RPC interface (`.supervisor.getAllProcessInfo()`, ...) over the stack's socket."""
    transport = SupervisorTransport(None, None, f"unix://{socket_path(stack_dir)}")
    return xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport).supervisor
