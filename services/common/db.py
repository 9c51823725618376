"""SQLAlchemy 2 engine/session wiring and a small ordered-migrations runner.

Each service keeps numbered migration modules in `services/<name>/migrations/`
(`m0001_initial.py`, ...), each with `upgrade(conn: Connection) -> None`. Applied versions are
recorded per service in `ascent_schema_migrations`, so several services may share one
PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    inspect,
    select,
)
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

log = logging.getLogger(__name__)
_T = TypeVar("_T")

_migrations_meta = MetaData()
schema_migrations = Table(
    "ascent_schema_migrations",
    _migrations_meta,
    Column("service", String(64), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


class Base(DeclarativeBase):
    """Declarative base; every service's tables are prefixed with its name."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Table a declarative model maps (SQLAlchemy types `__table__` as any FromClause)."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


def create_table(conn: Connection, model: type[DeclarativeBase]) -> None:
    """Migration step: create one model's table when it is missing (the others are left alone)."""
    table_of(model).create(conn, checkfirst=True)


def add_missing_columns(
    conn: Connection, metadata: MetaData, columns: Mapping[str, Iterable[str]]
) -> None:
    """Migration step: add the model columns an older database lacks, typed for its dialect.
    A fresh database already has them (its first migration creates tables from the models)."""
    inspector = inspect(conn)
    for table, names in columns.items():
        present = {column["name"] for column in inspector.get_columns(table)}
        for name in names:
            if name in present:
                continue
            kind = metadata.tables[table].c[name].type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets the gRPC readers and the event consumer work side by side.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error. Only adapters use this."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def _work(self, fn: Callable[[Session], _T]) -> _T:
        with self.session() as session:
            return fn(session)

    async def run(self, fn: Callable[[Session], _T]) -> _T:
        """``fn`` in one unit of work, off the event loop (database access is synchronous)."""
        return await asyncio.to_thread(self._work, fn)

    def migrate(self, service: str, package: str) -> list[int]:
        """Apply pending migrations of `package` in order; returns the versions applied."""
        _migrations_meta.create_all(self.engine)
        pkg = importlib.import_module(package)
        modules = sorted(
            (int(info.name[1:5]), info.name)
            for info in pkgutil.iter_modules(pkg.__path__)
            if info.name.startswith("m") and info.name[1:5].isdigit()
        )
        applied: list[int] = []
        with self.engine.begin() as conn:
            done = set(
                conn.execute(
                    select(schema_migrations.c.version).where(
                        schema_migrations.c.service == service
                    )
                ).scalars()
            )
        for version, name in modules:
            if version in done:
                continue
            module = importlib.import_module(f"{package}.{name}")
            with self.engine.begin() as conn:
                module.upgrade(conn)
                conn.execute(
                    schema_migrations.insert().values(
                        service=service, version=version, name=name, applied_at=utcnow()
                    )
                )
            log.info("migration applied", extra={"version": version, "migration": name})
            applied.append(version)
        return applied

    def dispose(self) -> None:
        self.engine.dispose()
