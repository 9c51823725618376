"""A private PostgreSQL schema per test run, so runs never see each other's tables."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from services.common.db import Database


def test_database_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


# A helper whose name starts with "test": pytest would collect it wherever it is imported.
test_database_url.__test__ = False  # type: ignore[attr-defined]


def fresh_schema_url(base_url: str) -> tuple[str, str]:
    """Create an empty schema and return (url whose search_path is that schema, schema)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}", schema


def drop_schema(base_url: str, schema: str) -> None:
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@contextmanager
def service_database(backend: str, tmp_path: Path, service: str) -> Iterator[Database]:
    """A migrated database of `service`: SQLite in `tmp_path`, or ("postgres") a private
    PostgreSQL schema dropped afterwards (skips when TEST_DATABASE_URL is not set)."""
    schema = ""
    base = test_database_url()
    if backend == "postgres":
        if not base:
            pytest.skip("TEST_DATABASE_URL not set")
        url, schema = fresh_schema_url(base)
    else:
        url = f"sqlite:///{tmp_path / f'{service}.db'}"
    database = Database(url)
    try:
        database.migrate(service, f"services.{service}.migrations")
        yield database
    finally:
        database.dispose()
        if schema and base:
            drop_schema(base, schema)
