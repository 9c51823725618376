from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.db import Database
from tests.support.postgres import drop_schema, fresh_schema_url, test_database_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The authoring schema on SQLite, and in a private PostgreSQL schema when
    TEST_DATABASE_URL is set."""
    schema = ""
    base = test_database_url()
    if request.param == "postgres":
        if not base:
            pytest.skip("TEST_DATABASE_URL not set")
        url, schema = fresh_schema_url(base)
    else:
        url = f"sqlite:///{tmp_path / 'authoring.db'}"
    database = Database(url)
    database.migrate("authoring", "services.authoring.migrations")
    yield database
    database.dispose()
    if schema and base:
        drop_schema(base, schema)
