"""Each test's PostgreSQL schema is private and gone once its fixture ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.postgres import (
    private_schema,
    require_postgres,
    schema_exists,
    service_database,
)


@pytest.mark.postgres
def test_service_database_drops_its_schema(tmp_path: Path) -> None:
    base = require_postgres()
    with service_database("postgres", tmp_path, "leaderboard") as database:
        with database.engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            tables = conn.execute(
                text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            ).scalar_one()
        assert schema.startswith("t_") and schema != "public"
        assert tables > 0, "the migrations ran in the private schema"
        assert schema_exists(base, schema)
    assert not schema_exists(base, schema)


@pytest.mark.postgres
def test_private_schema_is_dropped_when_the_test_fails() -> None:
    base = require_postgres()
    seen: list[str] = []

    def failing_test() -> None:
        with private_schema(base) as (_, schema):
            seen.append(schema)
            raise RuntimeError("the test failed")

    with pytest.raises(RuntimeError):
        failing_test()
    assert seen and not schema_exists(base, seen[0])


def test_sqlite_lives_in_the_test_tmp_dir(tmp_path: Path) -> None:
    with service_database("sqlite", tmp_path, "leaderboard") as database:
        assert str(tmp_path) in str(database.engine.url)
