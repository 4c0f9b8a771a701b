"""The stack scripts' own logic that a fresh machine depends on, and what supervisord does for the stack's programs."""

import configparser
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from deploy.processes import BACKGROUND_ROLES, COLLECTIONS, CONSOLE, KAFKA, SERVICES
from deploy.supervised import Program, control, tool_program, write_conf
from mediabill_common.testing.plugin import REPO_ROOT
from mediabill_common.testing.polling import poll_until_sync
from mediabill_common.testing.ports import ephemeral_range

_KAFKA_UUID = re.compile(r"[A-Za-z0-9_-]{22}")
# How long a supervised program may take to start, exec or end before a test gives up on it.
_WAIT_S = 15


def test_kafka_cluster_ids_are_well_formed_and_never_read_as_an_option():
    # One id in 64 started with "-" before, so among 2,000 about 31 would; the format tool refused those.
    out = subprocess.run(["bash", "-c", "source deploy/stack.sh && kafka_cluster_id 2000"], cwd=REPO_ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert len(out) == 2000 and len(set(out)) == 2000
    assert all(_KAFKA_UUID.fullmatch(cid) for cid in out)
    assert not [cid for cid in out if cid.startswith("-")]


def test_the_stack_runs_consumers_relays_collections_and_kafka_at_the_background_nice_and_the_apis_at_zero(tmp_path):
    subprocess.run([sys.executable, "-m", "deploy", "conf", str(tmp_path), "--nice", "13", "--kafka-libs",
                    str(tmp_path / "libs")], cwd=REPO_ROOT, check=True)
    conf = configparser.RawConfigParser()
    conf.read(tmp_path / "supervisord.conf")
    nice = {section.split(":", 1)[1]: _launch_nice(conf[section]["command"])
            for section in conf.sections() if section.startswith("program:")}
    expected = {f"{svc.name}-{role}": 13 if role in BACKGROUND_ROLES else 0 for svc in SERVICES for role in svc.roles}
    # The console serves people, as the APIs do.
    assert nice == {**expected, COLLECTIONS.name: 13, KAFKA.name: 13, CONSOLE.name: 0}


def _launch_nice(command: str) -> int:
    argv = shlex.split(command)
    assert argv[1].endswith("deploy/launch.py"), "every program starts through deploy/launch.py"
    return int(argv[argv.index("--nice") + 1])


# --- supervisord with programs of the tests' own ------------------------------------------------------------------

def _stack(script: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f"source deploy/stack.sh && {script}"], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, **env})


def _supervise(stack_dir: Path, programs: list[Program], **env: str) -> dict[str, int]:
    """Starts supervisord on `programs` and all of them at once, and returns their pids once each has exec'd.

    As root, supervisord runs with no capabilities, as a developer's would: Linux then takes one autogroup change per
    100 ms, fewer than programs start here."""
    write_conf(stack_dir, programs, sys.executable)
    unprivileged = (["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
                    if os.geteuid() == 0 and shutil.which("setpriv") else [])
    started = subprocess.run([*unprivileged, "bash", "-c", f"source deploy/stack.sh && sv_start {stack_dir} && "
                              f"sv_ctl {stack_dir} start all"], cwd=REPO_ROOT, capture_output=True, text=True,
                             env={**os.environ, **env})
    assert started.returncode == 0, started.stdout + started.stderr
    pids = {p.name: control(stack_dir).getProcessInfo(p.name)["pid"] for p in programs}
    # launch.py sets the session and priority, then execs
    poll_until_sync(lambda: all(_cmdline(pids[p.name]) == p.command for p in programs),
                    what="every program to run its own command", timeout_s=_WAIT_S)
    return pids


def _cmdline(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return [arg.decode() for arg in cmdline.read().split(b"\0")[:-1]]
    except FileNotFoundError:
        return []


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat from the 3rd field (state) on; the command name (2nd) is in parentheses."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def _runs(pid: int) -> bool:
    try:
        return _stat(pid)[0] != "Z"
    except FileNotFoundError:
        return False


def _in_session(sid: int) -> list[int]:
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            if int(_stat(int(entry))[3]) == sid and _runs(int(entry)):
                found.append(int(entry))
        except (OSError, IndexError):
            continue  # ended while we looked
    return found


def _autogroup_nice(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/autogroup") as group:
            return int(group.read().split("nice")[1])
    except FileNotFoundError:  # a kernel without autogroup scheduling
        return None


def _status(stack_dir: Path) -> dict[str, list[str]]:
    out = _stack(f"stack_py status {stack_dir}")
    assert out.returncode == 0, out.stderr
    return {line.split()[0]: line.split()[1:] for line in out.stdout.splitlines()}


def test_background_programs_run_at_the_given_cpu_priority_each_in_a_session_of_its_own(tmp_path):
    own = os.nice(0)
    sleep = ["sleep", "60"]
    programs = [Program(f"background-{n}", sleep, nice=7) for n in (1, 2, 3)] + [Program("foreground", sleep)]
    pids = _supervise(tmp_path, programs)
    try:
        *behind, foreground = pids.values()
        assert [int(_stat(pid)[16]) for pid in behind] == [min(own + 7, 19)] * 3
        assert int(_stat(foreground)[16]) == own
        # Each program leads a session of its own; under autogroup scheduling the session's nice is what weighs
        # against the other processes, so it must carry the priority too.
        assert all(os.getsid(pid) == pid for pid in pids.values())
        if _autogroup_nice(foreground) is not None:
            assert [_autogroup_nice(pid) for pid in behind] == [7, 7, 7]
            assert _autogroup_nice(foreground) == 0
    finally:
        _stack(f"sv_down {tmp_path}")
    assert not [pid for pid in pids.values() if _runs(pid)]


def _pids_named(marker: str) -> list[int]:
    """Running processes whose argv[0] is `marker` (a zombie has no command line)."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if cmdline.read().split(b"\0")[0] == marker.encode():
                    found.append(int(entry))
        except OSError:
            continue  # ended while we looked
    return found


def test_a_child_left_by_a_sigkill_of_its_parent_is_ended_and_the_program_runs_once_again(tmp_path):
    # The shape of `uv run`: a parent that keeps its worker as a child. SIGKILL on the parent orphans the worker.
    marker = f"mediabill-orphan-{tmp_path.name}"
    pids = _supervise(tmp_path, [Program("worker", ["bash", "-c", '(exec -a "$0" sleep 60); true', marker])])
    try:
        first = pids["worker"]
        [orphan] = poll_until_sync(lambda: _pids_named(marker), what="the worker to start", timeout_s=_WAIT_S)
        assert os.getsid(orphan) == first
        os.kill(first, signal.SIGKILL)

        def next_copy() -> int:
            pid = control(tmp_path).getProcessInfo("worker")["pid"]
            named = _pids_named(marker)
            return pid if pid not in (0, first) and len(named) == 1 and os.getsid(named[0]) == pid else 0

        again = poll_until_sync(next_copy, what="one worker in the next copy's session", timeout_s=_WAIT_S)
        assert not _runs(orphan), "the orphaned worker still runs beside the next copy"
        assert _status(tmp_path)["worker"] == ["up", str(again), "-"], "status names the copy that runs"

        assert _stack(f"sv_ctl {tmp_path} stop worker").returncode == 0
        assert not _pids_named(marker), "stop left the worker running"
        assert _status(tmp_path)["worker"] == ["down", "-", "-"]
    finally:
        _stack(f"sv_down {tmp_path}")
        for pid in _pids_named(marker):
            os.kill(pid, signal.SIGKILL)


def test_a_service_runs_as_its_own_python_process_so_a_sigkill_of_that_pid_leaves_nothing(tmp_path):
    # Collections as the stack runs it, on a port of its own; an unreachable database keeps it waiting (and running).
    port = _stack("free_port").stdout.strip()
    closed = _stack(f"free_port {port}").stdout.strip()
    env = {"DATABASE_URL": f"postgresql://nobody@127.0.0.1:{closed}/none", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"}
    program = tool_program(replace(COLLECTIONS, port=int(port)), sys.executable, 0)
    pids = _supervise(tmp_path, [program], **env)
    try:
        first = pids[COLLECTIONS.name]
        assert _cmdline(first) == program.command, "the pid on record is the service's own Python"
        os.kill(first, signal.SIGKILL)
        poll_until_sync(lambda: not _in_session(first), what="nothing the killed service started to run any more",
                        timeout_s=_WAIT_S)

        def next_copy() -> int:
            pid = control(tmp_path).getProcessInfo(COLLECTIONS.name)["pid"]
            return pid if pid not in (0, first) and _cmdline(pid) == program.command else 0

        again = poll_until_sync(next_copy, what="supervisord to start the service again", timeout_s=_WAIT_S)
        assert _status(tmp_path)[COLLECTIONS.name][:2] == ["up", str(again)]
    finally:
        _stack(f"sv_down {tmp_path}")


def test_programs_end_with_their_supervisor_even_one_killed_with_sigkill(tmp_path):
    pids = _supervise(tmp_path, [Program("sleeper", ["sleep", "60"])])
    daemon = control(tmp_path).getPID()
    try:
        os.kill(daemon, signal.SIGKILL)
        poll_until_sync(lambda: not _runs(pids["sleeper"]), what="the program to end with its supervisord",
                        timeout_s=_WAIT_S)
    finally:
        if _runs(pids["sleeper"]):
            os.kill(pids["sleeper"], signal.SIGKILL)


def test_free_port_hands_out_no_port_an_outgoing_connection_could_take():
    # Ports from the ephemeral range were taken by a Kafka or database client before the server bound them.
    low, high = ephemeral_range()
    script = "; ".join(["free_port"] * 40)
    handed = [int(port) for port in _stack(script).stdout.split()]
    assert len(handed) == 40
    assert not [port for port in handed if low <= port <= high]
    first = handed[0]
    assert first not in [int(port) for port in _stack("; ".join([f"free_port {first}"] * 20)).stdout.split()]
