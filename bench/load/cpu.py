"""Where the CPU went during the window: each process of the local stack (the pids its supervisord reports,
PostgreSQL from its postmaster.pid) with its descendants, and the machine as a whole, read from /proc. Linux only;
elsewhere it reports nothing."""

from __future__ import annotations

import os
from pathlib import Path

from deploy.supervised import control

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stack_dir() -> Path:
    return Path(os.environ.get("MEDIABILL_STACK_DIR", Path(__file__).resolve().parents[2] / ".stack" / "dev"))


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _ticks(pid: int, *, reaped: bool) -> int:
    """utime+stime of a process (and of its children already reaped, when asked)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    own = int(fields[11]) + int(fields[12])
    return own + (int(fields[13]) + int(fields[14]) if reaped else 0)


def _tree_ticks(root: int, tree: dict[int, list[int]]) -> int:
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _ticks(pid, reaped=pid == root)
        todo += tree.get(pid, [])
    return total


def _roots() -> dict[str, int]:
    roots: dict[str, int] = {}
    try:
        processes = control(_stack_dir()).getAllProcessInfo()
    except OSError:  # no supervisord: the stack is not up
        processes = []
    for info in sorted(processes, key=lambda i: i["name"]):
        if info["pid"] and info["group"] != "reaper":
            roots[info["name"]] = info["pid"]
    postmaster = _stack_dir() / "pg" / "data" / "postmaster.pid"
    if postmaster.exists():
        roots["postgres"] = int(postmaster.read_text().split()[0])
    return roots


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def seconds_of(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants."""
    return _tree_ticks(pid, _children()) / TICK


def sample() -> dict[str, int]:
    if not Path("/proc/stat").exists():
        return {}
    tree = _children()
    ticks = {name: _tree_ticks(pid, tree) for name, pid in _roots().items()}
    ticks["(machine busy)"], ticks["(machine total)"] = _machine_ticks()
    # The benchmark runs on the same cores: locust (this process) and the delivery publisher (its child).
    own = _ticks(os.getpid(), reaped=False)
    ticks["(load generator: locust)"] = own
    ticks["(load generator: deliveries)"] = _tree_ticks(os.getpid(), tree) - own
    return ticks


def report(before: dict[str, int], after: dict[str, int], window_s: float) -> str:
    """CPU seconds and share of one core per process over the window, busiest first."""
    if not before or not after:
        return ""
    total = after["(machine total)"] - before["(machine total)"]
    busy = after["(machine busy)"] - before["(machine busy)"]
    ncpu = os.cpu_count() or 1
    lines = [f"CPU during the window: machine {100 * busy / max(total, 1):.0f}% busy of {ncpu} CPUs "
             f"({busy / TICK:.1f} CPU-s); by process (CPU-s, % of one core):"]
    used = {name: (after.get(name, 0) - before.get(name, 0)) / TICK for name in after
            if not name.startswith("(machine")}
    for name, seconds in sorted(used.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {name:<30} {seconds:6.1f}  {100 * seconds / window_s:5.0f}%")
    others = busy / TICK - sum(used.values())
    lines.append(f"  {'(everything else on the machine)':<30} {others:6.1f}  {100 * others / window_s:5.0f}%")
    return "\n".join(lines)
