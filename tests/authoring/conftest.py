from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.db import Database
from tests.support.postgres import service_database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The authoring schema on SQLite, and in a private PostgreSQL schema when
    TEST_DATABASE_URL is set."""
    with service_database(request.param, tmp_path, "authoring") as database:
        yield database
