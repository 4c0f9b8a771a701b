import socket

import pytest

from mediabill_common.testing import ports


def test_a_free_port_is_never_one_an_outgoing_connection_could_take():
    low, high = ports.ephemeral_range()
    handed = [ports.free_port() for _ in range(50)]
    assert not [port for port in handed if low <= port <= high]
    assert len(set(handed)) == len(handed)


def test_a_port_something_listens_on_is_passed_over(monkeypatch: pytest.MonkeyPatch):
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]
        other = next(p for p in ports.candidate_range() if p != taken and p not in ports._handed_out)
        offered = iter([taken, other])
        monkeypatch.setattr(ports.random, "choice", lambda _candidates: next(offered))
        assert ports.free_port() == other


def test_the_range_moves_above_the_ephemeral_one_when_that_starts_low(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(ports, "ephemeral_range", lambda: (1024, 40000))
    assert ports.candidate_range() == range(40001, 65536)
