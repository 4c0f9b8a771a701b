"""The stack scripts' own logic that a fresh machine depends on."""

import os
import re
import subprocess

from mediabill_common.testing.plugin import REPO_ROOT

_KAFKA_UUID = re.compile(r"[A-Za-z0-9_-]{22}")


def test_kafka_cluster_ids_are_well_formed_and_never_read_as_an_option():
    # One id in 64 started with "-" before, so among 2,000 about 31 would; the format tool refused those.
    out = subprocess.run(["bash", "-c", "source deploy/stack.sh && kafka_cluster_id 2000"], cwd=REPO_ROOT,
                         capture_output=True, text=True, check=True).stdout.split()
    assert len(out) == 2000 and len(set(out)) == 2000
    assert all(_KAFKA_UUID.fullmatch(cid) for cid in out)
    assert not [cid for cid in out if cid.startswith("-")]


def _started(tmp_path, name: str, nice: str) -> int:
    script = f"source deploy/stack.sh && PROC_NICE={nice} proc_start {tmp_path} {name} sleep 60 && proc_pid {tmp_path} {name}"
    out = subprocess.run(["bash", "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return int(out.stdout.split()[-1])


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
    background, foreground = _started(tmp_path, "background", "7"), _started(tmp_path, "foreground", "")
    try:
        assert _nice_of(background) == min(own + 7, 19)
        assert _nice_of(foreground) == own
        # Each process leads a session of its own; under autogroup scheduling the session's nice is what weighs
        # against the other processes, so it must carry the priority too.
        assert os.getsid(background) == background and os.getsid(foreground) == foreground
        if _autogroup_nice(background) is not None:
            assert _autogroup_nice(background) == 7
            assert _autogroup_nice(foreground) == 0
    finally:
        subprocess.run(["bash", "-c", f"source deploy/stack.sh && proc_stop {tmp_path} background 5 && "
                        f"proc_stop {tmp_path} foreground 5"], cwd=REPO_ROOT, check=True)
    still = subprocess.run(["bash", "-c", f"source deploy/stack.sh && proc_pid {tmp_path} background"],
                           cwd=REPO_ROOT, capture_output=True)
    assert still.returncode != 0
