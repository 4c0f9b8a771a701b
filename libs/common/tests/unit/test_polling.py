"""The one poll-until-deadline helper of the testing plugin: returns the awaited value, or names what it waited for
and the last value it saw."""

import pytest

from mediabill_common.testing.polling import NotReached, poll_until, poll_until_sync


async def test_returns_the_first_truthy_value_of_a_sync_or_async_check():
    seen = iter([0, [], "", ["done"]])
    assert await poll_until(lambda: next(seen), what="a list", every_s=0) == ["done"]

    calls = 0

    async def third_time() -> int:
        nonlocal calls
        calls += 1
        return calls if calls >= 3 else 0

    assert await poll_until(third_time, what="a third call", every_s=0) == 3


async def test_gives_up_naming_what_it_awaited_and_the_last_value_seen():
    returned: list[_Rows] = []

    def more_rows() -> _Rows:
        returned.append(_Rows(len(returned)))
        return returned[-1]

    with pytest.raises(NotReached, match=r"gave up waiting for the ledger after 0.05s; last seen: \d+ rows") as err:
        await poll_until(more_rows, what="the ledger", timeout_s=0.05, every_s=0.01)
    assert isinstance(err.value, AssertionError) and isinstance(err.value, TimeoutError)
    assert len(returned) > 1 and err.value.last is returned[-1]
    assert str(err.value).endswith(f"last seen: {len(returned) - 1} rows")


async def test_stops_at_once_when_what_it_waits_on_has_died():
    def dead() -> None:
        raise RuntimeError("consumer exited with 1")

    with pytest.raises(RuntimeError, match="exited"):
        await poll_until(lambda: False, what="never", timeout_s=60, alive=dead)


def test_sync_variant_polls_and_gives_up_the_same_way():
    seen = iter([None, None, 7])
    assert poll_until_sync(lambda: next(seen), what="seven", every_s=0) == 7
    with pytest.raises(NotReached, match=r"gave up waiting for an orphan after 0s; last seen: \[\]"):
        poll_until_sync(list, what="an orphan", timeout_s=0)


def test_a_long_last_value_is_cut():
    message = str(NotReached("records", list(range(10_000)), 1))
    assert len(message) < 2100 and message.endswith("...")


class _Rows(int):
    """A count that is never enough, shown as rows."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"{int(self)} rows"
