"""A real execution service (sandbox included) for the coach's dry runs, one per module.

It runs as its own process like in production (`python -m services.execution`), on a free
port, a tmp data dir and a private nats-server. The sandbox needs root: with
ASCENT_SKIP_SANDBOX_TESTS=1 the tests that use it are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
import pytest_asyncio

from services.common.datasets import DatasetStore
from services.execution.sandbox import SandboxPool
from tests.support import lanes
from tests.support.nats_server import free_port, running_nats

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Sandbox:
    addr: str
    datasets: DatasetStore


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    if os.environ.get("ASCENT_SKIP_SANDBOX_TESTS") == "1":
        pytest.skip("ASCENT_SKIP_SANDBOX_TESTS=1")
    lanes.require("service processes")
    data_dir = tmp_path_factory.mktemp("coach-sandbox")
    port = free_port()
    with running_nats(data_dir / "jetstream") as nats:
        env = {
            **os.environ,
            "ASCENT_DATA_DIR": str(data_dir),
            "ASCENT_NATS_URL": nats.url,
            "ASCENT_EXECUTION_GRPC_PORT": str(port),
            "ASCENT_EXECUTION_POOL_SIZE": "1",
        }
        log = (data_dir / "execution.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "services.execution"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
                deadline = time.monotonic() + 90
                while True:
                    try:
                        grpc.channel_ready_future(channel).result(timeout=1)
                        break
                    except grpc.FutureTimeoutError:
                        if proc.poll() is not None or time.monotonic() > deadline:
                            log.flush()
                            raise AssertionError(
                                "execution did not start:\n"
                                + (data_dir / "execution.log").read_text()[-3000:]
                            ) from None
            yield Sandbox(f"127.0.0.1:{port}", DatasetStore(data_dir / "datasets"))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def pool() -> AsyncIterator[SandboxPool]:
    """The real sandbox in-process (namespaces, cgroups, seccomp), one per module."""
    if os.environ.get("ASCENT_SKIP_SANDBOX_TESTS") == "1":
        pytest.skip("ASCENT_SKIP_SANDBOX_TESTS=1")
    lanes.require("the sandbox")
    sandbox = SandboxPool(size=1, max_queue=4)
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.close()
