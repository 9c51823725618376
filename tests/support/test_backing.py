"""Which NATS and PostgreSQL the run uses: the selection logic, without Docker (the
container path itself cannot run on a machine without an engine)."""

from __future__ import annotations

import pytest

from tests.support import backing
from tests.support.backing import BackingError, Mode, Plan, choose, mode_from

URL = "postgresql+psycopg://postgres@/h?host=/var/run/postgresql"


def reachable() -> str | None:
    return None


def unreachable() -> str | None:
    return "FileNotFoundError: no socket"


def never_called() -> str | None:
    raise AssertionError("Docker was asked although the switch says never")


def test_the_switch_defaults_to_auto_and_rejects_unknown_values() -> None:
    assert mode_from({}) is Mode.AUTO
    assert mode_from({backing.SWITCH: " Never "}) is Mode.NEVER
    assert mode_from({backing.SWITCH: "always"}) is Mode.ALWAYS
    with pytest.raises(BackingError, match=r"expected one of auto\|never\|always"):
        mode_from({backing.SWITCH: "sometimes"})


def test_auto_uses_containers_when_docker_answers() -> None:
    plan = choose(Mode.AUTO, None, reachable)
    assert plan.nats_containers and plan.postgres == "container"
    assert plan.header() == (
        f"backing services: NATS in a container ({backing.NATS_IMAGE}), "
        f"PostgreSQL in a container ({backing.POSTGRES_IMAGE}); Docker reachable"
    )


def test_auto_falls_back_to_the_local_servers_without_docker() -> None:
    plan = choose(Mode.AUTO, URL, unreachable)
    assert not plan.nats_containers and plan.postgres == "url"
    assert plan.header() == (
        "backing services: NATS from the nats-server binary (local), PostgreSQL from "
        "TEST_DATABASE_URL; Docker not reachable (FileNotFoundError: no socket)"
    )


def test_without_docker_or_url_there_is_no_postgres() -> None:
    plan = choose(Mode.AUTO, None, unreachable)
    assert plan.postgres == ""
    assert "no PostgreSQL (TEST_DATABASE_URL not set" in plan.header()


def test_an_explicit_database_url_wins_over_a_container() -> None:
    plan = choose(Mode.AUTO, URL, reachable)
    assert plan.nats_containers and plan.postgres == "url"


def test_never_does_not_ask_docker() -> None:
    plan = choose(Mode.NEVER, None, never_called)
    assert not plan.nats_containers and plan.postgres == ""
    assert plan.header().endswith("Docker not asked (ASCENT_TEST_CONTAINERS=never)")


def test_always_fails_loudly_without_docker() -> None:
    with pytest.raises(BackingError, match="always but Docker is not reachable"):
        choose(Mode.ALWAYS, URL, unreachable)
    assert choose(Mode.ALWAYS, None, reachable).nats_containers


def test_the_probe_answers_in_one_line_here() -> None:
    # This machine has no engine; wherever it has one, the probe answers None.
    problem = backing.probe_docker()
    assert problem is None or "\n" not in problem


def test_the_run_reports_its_plan_in_the_header(pytestconfig: pytest.Config) -> None:
    lines = pytestconfig.hook.pytest_report_header(config=pytestconfig, start_path=None)
    flat = [line for group in lines for line in ([group] if isinstance(group, str) else group)]
    assert backing.plan().header() in flat
    assert isinstance(backing.plan(), Plan)
