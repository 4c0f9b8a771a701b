"""supervisord event listener: when a program has ended, SIGKILL what it left running in its process group.

supervisord signals a process group only when it stops a program itself (stopasgroup, killasgroup). A program that
dies on its own, e.g. killed with SIGKILL, can leave children behind that keep running while supervisord starts a
second copy beside them, and a program that exits on SIGTERM before its children can leave them behind too. Every
program leads a group of its own (deploy/launch.py), so the group's id is the pid in the event.
"""

from __future__ import annotations

import os
import signal
import sys

from supervisor import childutils


def reap(pid: int) -> bool:
    """SIGKILL what is left in the process group `pid`; True when something was."""
    # supervisord has collected the program before it reports its end, so a live process with that pid is a new one.
    if os.path.exists(f"/proc/{pid}"):
        return False
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def main() -> None:
    while True:
        _, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        event = childutils.get_headers(payload)
        if "pid" in event and reap(int(event["pid"])):
            print(f"reaper: killed what {event['processname']} left in process group {event['pid']}",
                  file=sys.stderr, flush=True)
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
