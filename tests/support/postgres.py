"""PostgreSQL for the tests: every test works in a private schema of the base database
(TEST_DATABASE_URL, or the session's container, see tests/support/backing.py), created for
it and dropped afterwards, so runs and tests never see each other's tables and leave none
behind. Nothing writes to the base database's public schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from services.common.db import Database
from tests.support import backing

# The marks a PostgreSQL variant of a parametrised fixture carries.
POSTGRES = pytest.param("postgres", marks=pytest.mark.postgres)
BACKENDS = ["sqlite", POSTGRES]


# Not named test_*: pytest would collect it wherever it is imported.
def base_database_url() -> str | None:
    """The base PostgreSQL URL, or None when the run has no PostgreSQL."""
    return backing.postgres_url()


def fresh_schema_url(base_url: str) -> tuple[str, str]:
    """Create an empty schema and return (url whose search_path is that schema, schema)."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}", schema


def drop_schema(base_url: str, schema: str) -> None:
    engine = create_engine(base_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


def schema_exists(base_url: str, schema: str) -> bool:
    engine = create_engine(base_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"),
                {"name": schema},
            ).first()
    finally:
        engine.dispose()
    return found is not None


@contextmanager
def private_schema(base_url: str) -> Iterator[tuple[str, str]]:
    """(url, schema) of a new schema, dropped on exit whatever happened inside."""
    url, schema = fresh_schema_url(base_url)
    try:
        yield url, schema
    finally:
        drop_schema(base_url, schema)


def require_postgres() -> str:
    """The base URL, or skip the test: a run without PostgreSQL tests SQLite only."""
    base = base_database_url()
    if not base:
        pytest.skip("no PostgreSQL: TEST_DATABASE_URL not set and no Docker engine")
    return base


@contextmanager
def service_database(backend: str, tmp_path: Path, service: str) -> Iterator[Database]:
    """A migrated database of `service`: SQLite in `tmp_path`, or ("postgres") a private
    PostgreSQL schema dropped afterwards (skips when the run has no PostgreSQL)."""
    if backend == "postgres":
        with private_schema(require_postgres()) as (url, _), _migrated(url, service) as database:
            yield database
    else:
        with _migrated(f"sqlite:///{tmp_path / f'{service}.db'}", service) as database:
            yield database


@contextmanager
def _migrated(url: str, service: str) -> Iterator[Database]:
    database = Database(url)
    try:
        database.migrate(service, f"services.{service}.migrations")
        yield database
    finally:
        database.dispose()
