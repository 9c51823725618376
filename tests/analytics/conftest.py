from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.db import Database


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The analytics schema on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.skip("TEST_DATABASE_URL not set")
    else:
        url = f"sqlite:///{tmp_path / 'analytics.db'}"
    database = Database(url)
    database.migrate("analytics", "services.analytics.migrations")
    yield database
    database.dispose()
