"""A private PostgreSQL schema per test run, so runs never see each other's tables."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

from sqlalchemy import create_engine, text


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
