"""A TCP port for a process a test is about to start.

Asking the kernel for port 0 hands out a port from the ephemeral range, the same range it takes the local ports of
outgoing connections from. Between choosing the port and the process binding it, a Kafka or PostgreSQL client in the
test process or in another service can take it, and the process then dies with "address already in use". So the port
comes from below the ephemeral range, where no outgoing connection is ever placed, and is checked to be free.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 20000  # below it are the well-known and registered ports other software on the machine listens on
_handed_out: set[int] = set()  # two systems started by one test process never get the same port


def ephemeral_range() -> tuple[int, int]:
    """The kernel's range for outgoing connections' local ports (Linux's default when it cannot be read)."""
    try:
        low, high = (int(part) for part in _EPHEMERAL_RANGE.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


def candidate_range() -> range:
    """Where free_port looks: below the ephemeral range, or above it when the range starts too low."""
    low, high = ephemeral_range()
    if low - _LOWEST >= 2000:
        return range(_LOWEST, low)
    return range(high + 1, 65536)


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port nothing holds now and no outgoing connection can take before the caller's process binds it."""
    candidates = candidate_range()
    for _ in range(500):
        port = random.choice(candidates)
        if port not in _handed_out and _bindable(port):
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free port in {candidates.start}-{candidates.stop - 1} after 500 tries")
