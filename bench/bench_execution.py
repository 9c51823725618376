"""Execution benchmark: the seed starter template through the real gRPC `Execute` call
(warm sandbox pool) against the same code as a cold `python` subprocess, in the same run.

    make bench-execution          # or: .venv/bin/python bench/bench_execution.py --runs 30

Prints medians and p95, the warm/cold ratio, throughput with 20 concurrent runs, and the
memory of the execution process tree. Figures are recorded in bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import grpc
from ascent.execution.v1 import execution_service_pb2 as pb
from ascent.execution.v1 import execution_service_pb2_grpc as pb_grpc

from services.supervisor.stack import Stack, StackConfig


def starter_code() -> str:
    from services.common.templates import STARTER_TEMPLATE

    return STARTER_TEMPLATE


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def execute_once(stub: pb_grpc.ExecutionServiceStub, code: str, owner: str) -> float:
    start = time.perf_counter()
    result = None
    async for item in stub.Execute(
        pb.ExecuteRequest(run_id=str(uuid.uuid4()), owner_id=owner, code=code, name="bench")
    ):
        if item.WhichOneof("item") == "result":
            result = item.result
    elapsed = time.perf_counter() - start
    if result is None or result.has_error or not result.outcome.HasField("accuracy"):
        raise RuntimeError(f"benchmark run failed: {result}")
    return elapsed


def cold_once(code: str) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(code)
    start = time.perf_counter()
    subprocess.run([sys.executable, handle.name], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    Path(handle.name).unlink()
    return elapsed


def tree_rss_kb(pid: int) -> int:
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pending.extend(int(c) for c in children)
    return total


async def main_async(args: argparse.Namespace, stack: Stack) -> None:
    code = starter_code()
    async with grpc.aio.insecure_channel(stack.addr("execution")) as channel:
        stub = pb_grpc.ExecutionServiceStub(channel)
        for _ in range(3):
            await execute_once(stub, code, "warmup")
        warm = [await execute_once(stub, code, "bench") for _ in range(args.runs)]
        cold = [cold_once(code) for _ in range(args.cold_runs)]

        start = time.perf_counter()
        concurrent = await asyncio.gather(
            *(execute_once(stub, code, f"learner-{i % 5}") for i in range(args.concurrency))
        )
        burst = time.perf_counter() - start

    execution = stack.children["execution"].proc
    rss = tree_rss_kb(execution.pid) if execution else 0
    warm_p50, cold_p50 = statistics.median(warm), statistics.median(cold)
    print(f"runs: warm {len(warm)}, cold {len(cold)} (starter template, Iris, LogisticRegression)")
    print(
        f"warm gRPC Execute  p50 {warm_p50 * 1000:7.1f} ms   p95 {pct(warm, 0.95) * 1000:7.1f} ms"
    )
    print(
        f"cold python        p50 {cold_p50 * 1000:7.1f} ms   p95 {pct(cold, 0.95) * 1000:7.1f} ms"
    )
    print(f"speed-up (cold p50 / warm p50): {cold_p50 / warm_p50:5.1f}x")
    print(
        f"{args.concurrency} concurrent runs: {burst:5.2f} s wall, "
        f"{args.concurrency / burst:5.1f} runs/s, "
        f"per-run p50 {statistics.median(concurrent) * 1000:.0f} ms"
    )
    print(f"execution service + warm pool RSS: {rss / 1024:6.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = StackConfig.ephemeral(Path(tmp), services=["execution"], gateway=False)
        stack = Stack(config)
        stack.start()
        try:
            asyncio.run(main_async(args, stack))
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
