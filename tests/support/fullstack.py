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
from services.supervisor.__main__ import demo_staff_file
from services.supervisor.stack import Stack, StackConfig
from tests.support import lanes
from tests.support.postgres import base_database_url, drop_schema, fresh_schema_url

# The staff accounts' password in every test stack (learners register with it too).
STAFF_PASSWORD = "correct horse 42"


def write_staff(data_dir: Path, staff: dict[str, str], generated: tuple[str, ...] = ()) -> Path:
    """The stack's ASCENT_GATEWAY_STAFF_FILE: `staff` (username -> role) log in with
    STAFF_PASSWORD; the names in `generated` get a password generated as `make run` does."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in staff:
        if name not in generated:
            secret = data_dir / f"demo-{name}-password"
            secret.write_text(STAFF_PASSWORD)
            secret.chmod(0o600)
    return demo_staff_file(data_dir, list(staff.items()))


@contextmanager
def running_stack(
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    staff: dict[str, str] | None = None,
    generated: tuple[str, ...] = (),
) -> Iterator[Stack]:
    """`staff` (username -> role; default: "instructor", the authoring tests' account) are
    created by the gateway at start, as the supervisor's demo accounts are."""
    lanes.require("service processes")
    staff_file = write_staff(data_dir, staff or {"instructor": "instructor"}, generated)
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
            "ASCENT_GATEWAY_STAFF_FILE": str(staff_file),
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
