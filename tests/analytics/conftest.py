from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.db import Database
from tests.support.postgres import BACKENDS, service_database


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The analytics schema on SQLite, and in a private PostgreSQL schema (dropped afterwards)
    when the run has PostgreSQL."""
    with service_database(request.param, tmp_path, "analytics") as database:
        yield database
