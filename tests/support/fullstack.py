"""The whole system for full-stack tests: the supervisor `make run` uses, on free ports and a
tmp data dir, each service in its own PostgreSQL schema when a PostgreSQL is at hand
(TEST_DATABASE_URL, or a testcontainers one where Docker answers), else on SQLite files.

Package-scoped `stack` fixtures (tests/integration, tests/browser) are thin wrappers around
`running_stack`, so each package gets its own stack and neither disturbs the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.common import topology
from services.supervisor.stack import Stack, StackConfig
from tests.support import lanes
from tests.support.postgres import base_database_url, drop_schema, fresh_schema_url


@contextmanager
def running_stack(data_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    lanes.require("service processes")
    env: dict[str, str] = {}
    base_url = base_database_url()
    schemas: list[str] = []
    if base_url:
        # Each service owns its tables in its own private PostgreSQL schema, as in
        # docker-compose (one schema per service, never shared).
        try:
            for name in (*topology.NAMES, "gateway"):
                url, schema = fresh_schema_url(base_url)
                env[f"ASCENT_{name.upper()}_DATABASE_URL"] = url
                schemas.append(schema)
        except Exception:
            drop_schemas(base_url, schemas)
            raise
    config = StackConfig.ephemeral(
        data_dir,
        extra_env={
            **env,
            "ASCENT_COOKIE_SECURE": "false",
            "ASCENT_LOG_LEVEL": "INFO",
            # Registering as "instructor" gives the instructor role (authoring, board settings).
            "ASCENT_INSTRUCTOR_USERNAMES": "instructor",
            **(extra_env or {}),
        },
    )
    running = Stack(config)
    try:
        running.start(timeout=120)
    except Exception:
        running.stop()
        for log in sorted((data_dir / "logs").glob("*.log")):
            print(f"==== {log.name}\n{log.read_text()[-3000:]}")
        drop_schemas(base_url, schemas)
        raise
    try:
        yield running
    finally:
        running.stop()
        drop_schemas(base_url, schemas)


def drop_schemas(base_url: str | None, schemas: list[str]) -> None:
    for schema in schemas:
        if base_url:
            drop_schema(base_url, schema)
