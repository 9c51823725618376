"""The polling helpers: the value they return, and what their failures say."""

from __future__ import annotations

import itertools

import pytest

from tests.support.polling import describe, eventually, wait_until


def test_eventually_returns_the_first_truthy_value() -> None:
    counter = itertools.count()
    assert eventually(lambda: next(counter) >= 2 and "ready", interval=0.001) == "ready"


def test_eventually_names_what_it_waited_for_and_the_last_value() -> None:
    with pytest.raises(AssertionError) as failure:
        eventually(lambda: [], timeout=0.05, interval=0.01, what="the board to fill")
    assert str(failure.value) == "waited 0.05s for the board to fill; last value: []"


def test_a_lambda_is_described_by_its_place_and_source() -> None:
    with pytest.raises(AssertionError) as failure:
        eventually(lambda: 0, timeout=0.01, interval=0.01)
    message = str(failure.value)
    assert "test_polling.py:" in message
    assert "eventually(lambda: 0," in message
    assert message.endswith("last value: 0")


def test_a_function_is_described_by_its_name() -> None:
    def board_is_full() -> bool:
        return False

    assert describe(board_is_full).endswith("board_is_full")


def test_an_exception_ends_the_wait_unless_it_is_ignored() -> None:
    def broken() -> int:
        raise KeyError("gradedRuns")

    with pytest.raises(KeyError):
        eventually(broken, timeout=5)
    with pytest.raises(AssertionError, match=r"last error: KeyError: 'gradedRuns'") as failure:
        eventually(broken, timeout=0.02, interval=0.01, ignoring=(KeyError,))
    assert isinstance(failure.value.__cause__, KeyError)


async def test_wait_until_awaits_coroutine_checks_and_returns_their_value() -> None:
    counter = itertools.count()

    async def check() -> int:
        return next(counter)

    assert await wait_until(check, interval=0.001) == 1
    assert await wait_until(lambda: "plain", interval=0.001) == "plain"


async def test_wait_until_reports_the_last_value() -> None:
    async def nothing_yet() -> dict[str, int]:
        return {}

    with pytest.raises(AssertionError, match=r"\.nothing_yet; last value: \{\}$"):
        await wait_until(nothing_yet, timeout=0.02, interval=0.01)
