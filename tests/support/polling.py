"""Wait for something that happens elsewhere (an event consumed, a page updated): the one
polling helper of the suite, in a sync form (`eventually`) and an async one (`wait_until`).

Both call `check` until it returns a truthy value and return that value, so a test can wait
for and read a result in one step. On timeout they fail with an AssertionError naming what
was awaited (`what`, else the check's name or source line) and the last value it returned.
An exception from `check` ends the wait at once, as a failed assertion should, unless its
type is listed in `ignoring`: then it is retried and, on timeout, reported as the last error.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar, overload

T = TypeVar("T")

# Enough of a value to recognise it; a whole JSON page would bury the message.
_REPR_LIMIT = 300


def describe(check: Callable[..., object]) -> str:
    """A name a reader can find: the function's name, or a lambda's file, line and source."""
    name = getattr(check, "__qualname__", "")
    if name and "<lambda>" not in name:
        return str(name)
    code = getattr(check, "__code__", None)
    if code is None:
        return repr(check)
    where = f"{Path(code.co_filename).name}:{code.co_firstlineno}"
    try:
        source = " ".join(line.strip() for line in inspect.getsource(check).splitlines())
    except (OSError, TypeError):
        return f"the lambda at {where}"
    return f"the lambda at {where} ({_clip(source)})"


def _clip(text: str) -> str:
    return text if len(text) <= _REPR_LIMIT else text[: _REPR_LIMIT - 3] + "..."


def _timed_out(
    check: Callable[..., object],
    what: str,
    timeout: float,
    last: object,
    error: BaseException | None,
) -> AssertionError:
    outcome = (
        f"last error: {type(error).__name__}: {_clip(str(error))}"
        if error is not None
        else f"last value: {_clip(repr(last))}"
    )
    return AssertionError(f"waited {timeout:g}s for {what or describe(check)}; {outcome}")


def eventually(
    check: Callable[[], T | None],
    *,
    timeout: float = 30.0,
    interval: float = 0.2,
    what: str = "",
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """Call `check` until its result is truthy and return that result (never None, so a check
    that answers "not yet" with None types its result without it)."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        error: Exception | None = None
        try:
            result = check()
        except ignoring as raised:
            error = raised
        else:
            if result:
                return result
            last = result
        if time.monotonic() > deadline:
            raise _timed_out(check, what, timeout, last, error) from error
        time.sleep(interval)


@overload
async def wait_until(
    check: Callable[[], Awaitable[T | None]],
    *,
    timeout: float = ...,
    interval: float = ...,
    what: str = ...,
    ignoring: tuple[type[Exception], ...] = ...,
) -> T: ...


@overload
async def wait_until(
    check: Callable[[], T | None],
    *,
    timeout: float = ...,
    interval: float = ...,
    what: str = ...,
    ignoring: tuple[type[Exception], ...] = ...,
) -> T: ...


async def wait_until(
    check: Callable[[], T | Awaitable[T | None] | None],
    *,
    timeout: float = 15.0,
    interval: float = 0.05,
    what: str = "",
    ignoring: tuple[type[Exception], ...] = (),
) -> T:
    """Call (and await, for a coroutine function) `check` until its result is truthy and
    return that result, sleeping on the event loop in between."""
    deadline = time.monotonic() + timeout
    last: object = None
    while True:
        error: Exception | None = None
        try:
            outcome = check()
            result = await outcome if inspect.isawaitable(outcome) else outcome
        except ignoring as raised:
            error = raised
        else:
            if result:
                return result
            last = result
        if time.monotonic() > deadline:
            raise _timed_out(check, what, timeout, last, error) from error
        await asyncio.sleep(interval)
