"""python deploy/launch.py [--nice N] -- COMMAND...: how supervisord starts each program of the stack.

COMMAND replaces this process (exec), so the pid supervisord records, signals and reports is the program's own.
Before that, the process gets
- a session of its own: under autogroup scheduling (most distributions' kernels) the CPU is shared between
  sessions first, so a program that shared supervisord's session would weigh, together with all the others, as
  much as one PostgreSQL backend (each of which leads a session too);
- with N (1-19), a lower CPU priority: its nice value and its session's autogroup nice, which is what weighs against
  the other sessions (a nice value alone weighs only within its own session);
- the end of supervisord as a SIGTERM, so that nothing outlives its supervisor, even one killed with SIGKILL.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import signal
import sys
import time

PR_SET_PDEATHSIG = 1


def own_session() -> None:
    # supervisord makes each child lead a process group, and a group leader may not start a session: step into the
    # session leader's group first (the pid stays the same, so supervisord's signals to it and its group still land).
    if os.getpgrp() == os.getpid():
        os.setpgid(0, os.getsid(0))
    os.setsid()


def lower_priority(nice: int) -> None:
    if os.path.exists("/proc/self/autogroup"):
        # Linux takes one autogroup change per 100 ms from a user without CAP_SYS_ADMIN (EAGAIN otherwise), and
        # supervisord starts a whole group at once: retry for up to a second.
        for _ in range(10):
            try:
                with open("/proc/self/autogroup", "w") as autogroup:
                    autogroup.write(str(nice))
                break
            except OSError:
                time.sleep(0.1)
    os.nice(nice)


def end_with_parent() -> None:
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent ended before the request took effect
        sys.exit("launch: supervisord ended before the program started")


def main() -> None:
    parser = argparse.ArgumentParser(prog="deploy/launch.py")
    parser.add_argument("--nice", type=int, default=0, choices=range(20), metavar="0-19")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()
    own_session()
    if args.nice:
        lower_priority(args.nice)
    end_with_parent()
    os.execvp(args.command[0], args.command)


if __name__ == "__main__":
    main()
