"""Queueing: positions, the bounded queue (SandboxBusy) and round-robin fairness."""

from __future__ import annotations

import asyncio

import pytest

from services.execution.sandbox import (
    OutputChunk,
    QueuePosition,
    SandboxBusy,
    SandboxPool,
    SandboxResult,
)
from services.execution.sandbox.scheduler import FairQueue
from tests.execution.sandbox_helpers import make_spec


def test_fair_queue_round_robin() -> None:
    q: FairQueue[str] = FairQueue()
    for item in ("a1", "a2", "a3"):
        q.push("alice", item)
    q.push("bob", "b1")
    q.push("carol", "c1")
    q.push("bob", "b2")
    assert q.order() == ["a1", "b1", "c1", "a2", "b2", "a3"]
    assert len(q) == 6
    assert q.remove("bob", "b1")
    assert not q.remove("bob", "nope")
    assert [q.pop() for _ in range(len(q))] == ["a1", "b2", "c1", "a2", "a3"]


@pytest.mark.asyncio(loop_scope="module")
async def test_positions_busy_and_fair_order(single_pool: SandboxPool) -> None:
    pool = single_pool
    blocker = make_spec("import time\nprint('started', flush=True)\ntime.sleep(120)", owner="x")
    blocker_stream = pool.run(blocker)
    async for item in blocker_stream:
        if isinstance(item, OutputChunk):
            break

    finished: list[str] = []
    positions: dict[str, list[int]] = {}

    async def consume(name: str, owner: str) -> None:
        spec = make_spec(f"print('{name}')", owner=owner, run_id=f"q-{name}")
        async for item in pool.run(spec):
            if isinstance(item, QueuePosition):
                positions.setdefault(name, []).append(item.position)
            elif isinstance(item, SandboxResult):
                assert item.status == "ok" and item.stdout == f"{name}\n"
                finished.append(name)

    # alice bursts three runs, then bob asks for one: bob must not wait behind the burst.
    tasks = []
    for name, owner in (("a1", "alice"), ("a2", "alice"), ("a3", "alice"), ("b1", "bob")):
        tasks.append(asyncio.create_task(consume(name, owner)))
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.1)
    assert pool.stats()["queued"] == 4
    assert {n: p[-1] for n, p in positions.items()} == {"a1": 1, "b1": 2, "a2": 3, "a3": 4}

    with pytest.raises(SandboxBusy, match="busy"):
        pool.run(make_spec("print('too many')", owner="carol"))

    await pool.cancel(blocker.run_id)
    async for _ in blocker_stream:
        pass
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    assert finished == ["a1", "b1", "a2", "a3"]
    # Every change of position was reported, and the burst moved back when bob arrived.
    assert positions == {"a1": [1], "a2": [2, 3, 2, 1], "a3": [3, 4, 3, 2, 1], "b1": [2, 1]}
    assert pool.stats()["queued"] == 0
