"""Sandbox pool fixtures: one warm pool per test module (module-scoped event loop).

The sandbox needs root (namespaces, cgroups) — CI runs as root. Without it the pool
refuses to start and these tests fail, on purpose: a sandbox that silently did not run
would prove nothing. Set ``ASCENT_SKIP_SANDBOX_TESTS=1`` to skip them on a dev laptop.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from services.execution.sandbox import SandboxPool
from tests.execution.sandbox_helpers import SERVICE_SECRET, SERVICE_SECRET_ENV
from tests.support import lanes


async def _pool(size: int, max_queue: int = 64) -> AsyncIterator[SandboxPool]:
    if os.environ.get("ASCENT_SKIP_SANDBOX_TESTS") == "1":
        pytest.skip("ASCENT_SKIP_SANDBOX_TESTS=1")
    lanes.require("the sandbox")
    # Set before the workers start: if the environment were not cleared, they'd carry it.
    os.environ[SERVICE_SECRET_ENV] = SERVICE_SECRET
    # The cgroup v2 VM under software emulation (tests/hosts/cgroup2) imports slowly.
    start_timeout = float(os.environ.get("ASCENT_SANDBOX_START_TIMEOUT", "180"))
    pool = SandboxPool(size=size, max_queue=max_queue, start_timeout=start_timeout)
    await pool.start()
    try:
        yield pool
    finally:
        await pool.close()
        os.environ.pop(SERVICE_SECRET_ENV, None)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pool() -> AsyncIterator[SandboxPool]:
    async for p in _pool(size=2):
        yield p


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def single_pool() -> AsyncIterator[SandboxPool]:
    async for p in _pool(size=1, max_queue=4):
        yield p
