"""The stack scripts' own logic that a fresh machine depends on."""

import os
import re
import shutil
import signal
import subprocess
import time

from mediabill_common.testing.plugin import REPO_ROOT

_KAFKA_UUID = re.compile(r"[A-Za-z0-9_-]{22}")


def test_kafka_cluster_ids_are_well_formed_and_never_read_as_an_option():
    # One id in 64 started with "-" before, so among 2,000 about 31 would; the format tool refused those.
    out = subprocess.run(["bash", "-c", "source deploy/stack.sh && kafka_cluster_id 2000"], cwd=REPO_ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert len(out) == 2000 and len(set(out)) == 2000
    assert all(_KAFKA_UUID.fullmatch(cid) for cid in out)
    assert not [cid for cid in out if cid.startswith("-")]


def _start(tmp_path, names: list[str], nice: str) -> list[int]:
    """Starts `sleep 60` under each name, one right after the other, and returns their pids once each runs sleep.

    As root, the starting shell drops its capabilities, as a developer's would have none: Linux then takes one
    autogroup change per 100 ms, fewer than processes start here."""
    script = "source deploy/stack.sh" + "".join(
        f" && PROC_NICE={nice} proc_start {tmp_path} {name} sleep 60 && proc_pid {tmp_path} {name}" for name in names)
    unprivileged = (["setpriv", "--inh-caps=-all", "--bounding-set=-all"]
                    if os.geteuid() == 0 and shutil.which("setpriv") else [])
    out = subprocess.run([*unprivileged, "bash", "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                         check=True)
    pids = [int(line) for line in out.stdout.split() if line.isdigit()]
    assert len(pids) == len(names)
    deadline = time.monotonic() + 5
    while any(_command_of(pid) != "sleep" for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)  # the starting shell sets the priority, then execs
    return pids


def _command_of(pid: int) -> str:
    with open(f"/proc/{pid}/comm") as comm:
        return comm.read().strip()


def _nice_of(pid: int) -> int:
    # /proc/PID/stat: the 19th field is the nice value; the command name (2nd) is in parentheses.
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[16])


def _autogroup_nice(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/autogroup") as group:
            return int(group.read().split("nice")[1])
    except FileNotFoundError:  # a kernel without autogroup scheduling
        return None


def test_proc_start_runs_background_work_at_the_given_cpu_priority(tmp_path):
    own = os.nice(0)
    background = ["background-1", "background-2", "background-3"]
    pids = _start(tmp_path, background, "7") + _start(tmp_path, ["foreground"], "")
    try:
        *behind, foreground = pids
        assert [_nice_of(pid) for pid in behind] == [min(own + 7, 19)] * 3
        assert _nice_of(foreground) == own
        # Each process leads a session of its own; under autogroup scheduling the session's nice is what weighs
        # against the other processes, so it must carry the priority too.
        assert all(os.getsid(pid) == pid for pid in pids)
        if _autogroup_nice(foreground) is not None:
            assert [_autogroup_nice(pid) for pid in behind] == [7, 7, 7]
            assert _autogroup_nice(foreground) == 0
    finally:
        stops = " && ".join(f"proc_stop {tmp_path} {name} 5" for name in [*background, "foreground"])
        subprocess.run(["bash", "-c", f"source deploy/stack.sh && {stops}"], cwd=REPO_ROOT, check=True)
    still = subprocess.run(["bash", "-c", f"source deploy/stack.sh && proc_pid {tmp_path} background-1"],
                           cwd=REPO_ROOT, capture_output=True)
    assert still.returncode != 0


def _stack(script: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f"source deploy/stack.sh && {script}"], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, **env})


# In one shell: run START, wait until the session of NAME's process on record holds a process named COMM, SIGKILL
# the process on record and collect it (`wait`: its parent is this shell, as for `./mediabill up`, and not every
# init collects orphans at once), then say what was recorded, what is left in its session and what `status` sees.
_KILL_RECORDED = """
{start}
leader=$(proc_pid {dir} {name})
for _ in $(seq 200); do pgrep -s "$leader" -x {comm} >/dev/null && break; sleep 0.05; done
echo "recorded $leader $(basename "$(readlink /proc/$leader/exe)")"
kill -KILL "$leader" && wait "$leader"
echo "left $(pgrep -s "$leader" | xargs)"
if proc_pid {dir} {name} >/dev/null; then echo "status up"; else echo "status down"; fi
"""


def _kill_recorded(start: str, dir, name: str, comm: str, **env: str) -> dict[str, list[str]]:
    out = _stack(_KILL_RECORDED.format(start=start, dir=dir, name=name, comm=comm), **env)
    assert out.returncode == 0, out.stderr
    return {line.split()[0]: line.split()[1:] for line in out.stdout.splitlines()}


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


def test_a_child_left_running_by_a_sigkill_of_its_parent_keeps_its_name_up_and_is_never_started_twice(tmp_path):
    # The shape of `uv run`: a parent that keeps its worker as a child. SIGKILL on the parent orphans the worker.
    marker = f"mediabill-orphan-{tmp_path.name}"
    worker = f"""bash -c '(exec -a "$0" sleep 60); true' {marker}"""
    try:
        seen = _kill_recorded(f"proc_start {tmp_path} worker {worker}", tmp_path, "worker", "sleep")
        assert len(seen["left"]) == 1 and _pids_named(marker) == [int(seen["left"][0])]
        assert seen["status"] == ["up"], "a name is down only when nothing it started runs"

        again = _stack(f"proc_start {tmp_path} worker {worker}")
        assert "already running" in again.stderr
        assert len(_pids_named(marker)) == 1

        _stack(f"proc_stop {tmp_path} worker 5")
        assert not _pids_named(marker), "proc_stop left the orphaned worker running"
        assert _stack(f"proc_pid {tmp_path} worker").returncode != 0
    finally:
        for pid in _pids_named(marker):
            os.kill(pid, signal.SIGKILL)


def test_services_are_recorded_as_their_python_process_so_a_sigkill_of_that_pid_leaves_nothing(tmp_path):
    # Collections as services_start starts it; an unreachable database keeps it waiting (and running) for this.
    closed = _stack("free_port").stdout.strip()
    env = {"DATABASE_URL": f"postgresql://nobody@127.0.0.1:{closed}/none", "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9"}
    start = f"MEDIABILL_SERVICES=() && COLLECTIONS_PORT=$(free_port) && services_start {tmp_path}"
    try:
        seen = _kill_recorded(start, tmp_path, "collections", "python", **env)
        assert seen["recorded"][1].startswith("python"), seen
        assert seen["left"] == [] and seen["status"] == ["down"]

        again = _stack(f"{start} && proc_pid {tmp_path} collections", **env)
        restarted = int(again.stdout)
        assert restarted != int(seen["recorded"][0]) and os.path.exists(f"/proc/{restarted}/exe")
    finally:
        _stack(f"proc_stop {tmp_path} collections 5")
