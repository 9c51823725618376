from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.support import backing, lanes
from tests.support.nats_server import NatsServer, running_nats


def pytest_report_header(config: pytest.Config) -> list[str]:
    try:
        return [backing.plan().header()]
    except backing.BackingError as error:
        raise pytest.UsageError(str(error)) from None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    lanes.mark_from_fixtures(items)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    lanes.entering(item)
    try:
        return (yield)
    finally:
        lanes.leaving()


def pytest_sessionfinish(session: pytest.Session) -> None:
    backing.stop_containers()


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A real JetStream-enabled NATS (binary or container, see tests/support/backing.py),
    private to the test. Tests that use it are marked `nats` (tests/support/lanes.py)."""
    with running_nats(tmp_path / "jetstream") as server:
        yield server
