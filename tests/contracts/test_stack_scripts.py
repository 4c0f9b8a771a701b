"""The stack scripts' own logic that a fresh machine depends on."""

import os
import re
import shutil
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
