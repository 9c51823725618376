"""Load (issue 19): simulated learners against one execution host and against two, on the
cluster of tests/hosts/cluster (3-node NATS, hosts as network namespaces). Root only:

    make bench-load            # 200 learners, 300 s per configuration

Each learner registers, opens a notebook session, uploads a small CSV, then until the end
repeats: think 2–8 s (uniform), then run the seed's starter code (70 %), upload a new CSV
(20 %) or press Improve (10 %). A 429 is waited out for its `Retry-After` and retried (counted
as a 429, and the action's latency includes the wait). Reported per configuration: success
rate per action, p50/p95 latency of the successful ones, completed runs per second, 429s (and
whether each had Retry-After), and fairness across learners (runs completed per learner:
min / median / max, Jain's index). Baseline in the same run: the one-host configuration.
Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.common.templates import STARTER_TEMPLATE  # noqa: E402
from tests.hosts.cluster.cluster import EXEC_HOSTS, Cluster  # noqa: E402
from tests.support.fullstack import STAFF_PASSWORD  # noqa: E402


def csv_bytes(rng: random.Random) -> bytes:
    rows = [f"{rng.random():.4f},{rng.random():.4f},{rng.randint(0, 1)}" for _ in range(300)]
    return ("a,b,label\n" + "\n".join(rows) + "\n").encode()


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    limited: int = 0
    limited_without_retry_after: int = 0
    runs_per_learner: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # Why requests failed: (action, status, error code) -> count.
    reasons: dict[tuple[str, int, str], int] = field(default_factory=lambda: defaultdict(int))


async def act(
    client: httpx.AsyncClient, stats: Stats, kind: str, method: str, url: str, **kwargs: object
) -> httpx.Response | None:
    started = time.perf_counter()
    for _ in range(20):
        try:
            response = await client.request(method, url, **kwargs)  # type: ignore[arg-type]  # httpx's request kwargs
        except httpx.TransportError as exc:
            # A connection the server reset or never answered: a failure the learner sees.
            stats.failures[kind] += 1
            stats.reasons[(kind, 0, type(exc).__name__)] += 1
            return None
        if response.status_code != 429:
            break
        stats.limited += 1
        retry_after = response.headers.get("Retry-After")
        if retry_after is None:
            stats.limited_without_retry_after += 1
        await asyncio.sleep(float(retry_after or 5))
    if response.status_code >= 400:
        stats.failures[kind] += 1
        try:
            code = str(response.json()["error"]["code"])
        except (ValueError, KeyError, TypeError):
            code = "?"
        stats.reasons[(kind, response.status_code, code)] += 1
        return None
    stats.latencies[kind].append(time.perf_counter() - started)
    return response


@dataclass
class Learner:
    name: str
    client: httpx.AsyncClient
    session: str
    rng: random.Random


async def sign_up(base_url: str, seed: int, gate: asyncio.Semaphore) -> Learner:
    """An account, a token and a notebook session (before the clock starts: argon2 makes
    sign-ups slow on purpose, and they are not what is measured)."""
    name = f"load-{uuid.uuid4().hex[:10]}"
    client = httpx.AsyncClient(base_url=base_url, timeout=300)
    async with gate:
        body = {"username": name, "password": STAFF_PASSWORD}
        await client.post("/api/auth/register", json=body)
        token = (await client.post("/api/auth/token", json=body)).json()["data"]["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    session = (await client.post("/api/sessions", json={})).json()["data"]["id"]
    return Learner(name, client, str(session), random.Random(seed))


async def learner(who: Learner, stats: Stats, deadline: float) -> None:
    client, session, rng, name = who.client, who.session, who.rng, who.name
    try:
        files = {"file": ("load.csv", csv_bytes(rng), "text/csv")}
        await act(client, stats, "upload", "POST", f"/api/sessions/{session}/dataset", files=files)
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(2, 8))
            if time.monotonic() >= deadline:
                break
            pick = rng.random()
            if pick < 0.7:
                body = {"sessionId": session, "code": STARTER_TEMPLATE}
                done = await act(client, stats, "run", "POST", "/api/runs", json=body)
                if done is not None:
                    stats.runs_per_learner[name] += 1
            elif pick < 0.9:
                files = {"file": ("load.csv", csv_bytes(rng), "text/csv")}
                url = f"/api/sessions/{session}/dataset"
                await act(client, stats, "upload", "POST", url, files=files)
            elif stats.runs_per_learner[name]:
                # Improve reads the session's last run: only after one.
                improve: dict[str, object] = {"sessionId": session, "rounds": 1}
                await act(client, stats, "improve", "POST", "/api/ai/improve", json=improve)

    finally:
        await client.aclose()


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def jain(values: list[int]) -> float:
    return (sum(values) ** 2) / (len(values) * sum(v * v for v in values)) if any(values) else 0.0


def report(label: str, stats: Stats, learners: int, seconds: float) -> None:
    print(f"\n{label}: {learners} learners, {seconds:.0f} s")
    for kind in ("run", "upload", "improve"):
        ok = stats.latencies[kind]
        total = len(ok) + stats.failures[kind]
        rate = len(ok) / total if total else 0.0
        print(
            f"  {kind:8s} {total:5d} made, success {rate:6.1%}, "
            f"p50 {statistics.median(ok) if ok else 0:6.2f} s, p95 {p95(ok):6.2f} s"
        )
    runs = len(stats.latencies["run"])
    per = [stats.runs_per_learner.get(n, 0) for n in stats.runs_per_learner] or [0]
    per += [0] * (learners - len(per))
    print(f"  completed runs/s {runs / seconds:.2f}")
    for (kind, status, code), count in sorted(stats.reasons.items()):
        print(f"  failed: {kind} {status} {code} × {count}")
    print(
        f"  429s {stats.limited} (without Retry-After: {stats.limited_without_retry_after}); "
        f"runs per learner min {min(per)} / median {statistics.median(per):.0f} / max {max(per)}, "
        f"Jain's fairness {jain(per):.2f}"
    )


async def load(base_url: str, learners: int, seconds: float) -> tuple[Stats, float]:
    gate = asyncio.Semaphore(8)
    everyone = await asyncio.gather(*(sign_up(base_url, i, gate) for i in range(learners)))
    stats = Stats()
    started = time.monotonic()
    await asyncio.gather(*(learner(who, stats, started + seconds) for who in everyone))
    return stats, time.monotonic() - started


def server_errors(root: Path) -> list[str]:
    """The first lines of every error a process logged (a 500 says why here)."""
    found = []
    for log in sorted(root.rglob("*.log")):
        for line in log.read_text(errors="replace").splitlines():
            if '"level": "error"' in line:
                found.append(f"{log.name}: {line[:600]}")
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--hosts", default="1,2")
    args = parser.parse_args()
    for count in (int(n) for n in args.hosts.split(",")):
        hosts = dict(list(EXEC_HOSTS.items())[:count])
        with tempfile.TemporaryDirectory() as tmp:
            cluster = Cluster(Path(tmp), exec_hosts=hosts)
            try:
                cluster.start(staff={"instructor": "instructor"})
                assert cluster.app is not None
                stats, elapsed = asyncio.run(
                    load(cluster.app.base_url, args.learners, args.seconds)
                )
                errors = server_errors(Path(tmp))
            finally:
                cluster.stop()
        for line in errors[:5]:
            print(f"  server error: {line}")
        report(f"{count} execution host(s)", stats, args.learners, elapsed)


if __name__ == "__main__":
    main()
