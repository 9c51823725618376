"""Which tests leave the fast lane (`make test-fast`), decided from the fixtures they use.

A test that starts a nats-server, service processes, Chromium, or runs code in the sandbox
or a fresh interpreter (seconds each: the sandbox and codegen tests alone took longer than
the whole rest of the fast lane) is marked from the fixture
that does it (`mark_from_fixtures`, run by tests/conftest.py at collection), so a new test
gets the marker by using the fixture. The helpers that really start those processes also
check (`require`) that the running test carries a marker that keeps it out of the fast lane:
a test that starts one by hand without a marker fails in every run, not only in the fast one.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

# The markers `make test-fast` deselects.
SLOW_MARKERS = ("integration", "browser", "nats", "sandbox")

# fixture name -> the markers every test that uses it (directly or through another fixture)
# gets. The names are the suite's own fixtures: tests/conftest.py (nats_server),
# tests/integration and tests/browser (stack, browser), tests/coach (sandbox: an execution
# service process and its nats-server), tests/execution and tests/coach (pool, single_pool:
# warm sandbox pools).
FIXTURE_MARKERS: dict[str, tuple[str, ...]] = {
    "nats_server": ("nats",),
    "stack": ("integration",),
    "browser": ("browser", "integration"),
    "sandbox": ("integration",),
    "pool": ("sandbox",),
    "single_pool": ("sandbox",),
}

# What each kind of process needs the running test to be marked with (any one of them).
PROCESS_MARKERS: dict[str, tuple[str, ...]] = {
    "nats-server": ("nats", "integration"),
    "service processes": ("integration",),
    "Chromium": ("browser",),
    "the sandbox": ("sandbox", "integration"),
    "experiment interpreters": ("sandbox", "integration"),
}

_current: tuple[str, frozenset[str]] | None = None


def markers_for(fixturenames: Iterable[str]) -> list[str]:
    """The markers implied by a test's fixture closure, in a stable order."""
    found: list[str] = []
    for name in fixturenames:
        for marker in FIXTURE_MARKERS.get(name, ()):
            if marker not in found:
                found.append(marker)
    return found


def mark_from_fixtures(items: Iterable[pytest.Item]) -> None:
    for item in items:
        names: Iterable[str] = getattr(item, "fixturenames", ())
        present = {mark.name for mark in item.iter_markers()}
        for marker in markers_for(names):
            if marker not in present:
                item.add_marker(marker)


def entering(item: pytest.Item) -> None:
    """Remember the test being set up (fixtures that start processes run during setup)."""
    global _current
    _current = (item.nodeid, frozenset(mark.name for mark in item.iter_markers()))


def leaving() -> None:
    global _current
    _current = None


def missing_marker(process: str, test: tuple[str, frozenset[str]] | None) -> str | None:
    """Why `test` (node id, marker names) may not start `process`, or None if it may.
    Outside a pytest run (bench scripts) there is no test and anything may start."""
    if test is None:
        return None
    nodeid, marks = test
    wanted = PROCESS_MARKERS[process]
    if marks & set(wanted):
        return None
    names = " or ".join(f"`{m}`" for m in wanted)
    return (
        f"{nodeid} starts {process} but is not marked {names}, so `make test-fast` would run "
        f"it: use the fixture that provides it ({', '.join(sorted(FIXTURE_MARKERS))}) "
        f"or mark the test"
    )


def require(process: str) -> None:
    """Fail the running test if it may not start `process` (see `missing_marker`)."""
    reason = missing_marker(process, _current)
    if reason:
        pytest.fail(reason, pytrace=False)
