from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.nats_server import NatsServer, running_nats


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A real JetStream-enabled nats-server on a free port, private to the test."""
    with running_nats(tmp_path / "jetstream") as server:
        yield server
