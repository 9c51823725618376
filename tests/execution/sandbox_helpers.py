"""Shared helpers for the sandbox tests (the pools themselves are fixtures in ``conftest.py``).

The sandbox needs root (namespaces, cgroups) — CI runs as root. Without it the pool
refuses to start and these tests fail, on purpose: a sandbox that silently did not run
would prove nothing. Set ``ASCENT_SKIP_SANDBOX_TESTS=1`` to skip them on a dev laptop.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.common.templates import STARTER_TEMPLATE
from services.execution.sandbox import (
    Limits,
    OutputChunk,
    QueuePosition,
    RunSpec,
    SandboxPool,
    SandboxResult,
)

SEED_TEMPLATE = STARTER_TEMPLATE

SERVICE_SECRET_ENV = "ASCENT_TEST_SERVICE_SECRET"
SERVICE_SECRET = f"svc-secret-{uuid.uuid4().hex}"


def make_spec(code: str, owner: str = "owner", **kwargs: Any) -> RunSpec:
    limits = kwargs.pop("limits", Limits(wall_seconds=20, cpu_seconds=20))
    return RunSpec(
        run_id=kwargs.pop("run_id", f"run-{uuid.uuid4().hex[:12]}"),
        owner_id=owner,
        code=code,
        limits=limits,
        **kwargs,
    )


async def collect(
    pool: SandboxPool, spec: RunSpec
) -> tuple[list[OutputChunk | QueuePosition], SandboxResult]:
    items: list[OutputChunk | QueuePosition] = []
    async for item in pool.run(spec):
        if isinstance(item, SandboxResult):
            return items, item
        items.append(item)
    raise AssertionError("stream ended without a SandboxResult")


async def run_code(pool: SandboxPool, code: str, **kwargs: Any) -> SandboxResult:
    _, result = await collect(pool, make_spec(code, **kwargs))
    return result


def read_only_tmp_entries(pool: SandboxPool) -> list[str]:
    """What an empty /tmp shows in a run: only the read-only host paths bound under /tmp
    (e.g. a checkout and its venv cloned to /tmp); nothing writable, nothing from a run."""
    return sorted({p.split("/")[2] for p in pool._ro_paths if p.startswith("/tmp/")})
