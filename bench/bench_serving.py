"""Serving benchmark (issue 16): a 30-feature tree model, deployed as the platform deploys it
(skl2onnx → the serving loader → the predict path), timed inside the service and over gRPC.

    .venv/bin/python bench/bench_serving.py [--requests 2000] [--seconds 5]

- `inside`: `Predictor.predict` on one-row JSON requests — key check, rate limit, JSON parse,
  the column/type checks, onnxruntime, the log record — p50/p95 over `--requests`; and the
  same with a 50/50 A/B split active (routing by request id), interleaved in rounds.
  Baselines in the same run: the bare onnxruntime call (what the checks add) and the fitted
  scikit-learn model's `predict` on one row (what serving the pickle in Python would cost).
- `predictions/s`: as many one-row requests as two threads (the two cores) get through the
  predict path in `--seconds`; rows per second in 100-row requests; and through the real
  gRPC server (`ServingServicer` on port 0 over a SQLite database holding the deployment)
  with 16 concurrent callers.
Targets (2-core machine): p50 inside ≤ 5 ms; ≥ 1,000 predictions/s. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import grpc  # noqa: E402
from ascent.serving.v1 import serving_service_pb2 as pb  # noqa: E402
from ascent.serving.v1 import serving_service_pb2_grpc as pb_grpc  # noqa: E402
from skl2onnx import convert_sklearn  # type: ignore[import-untyped]  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType  # type: ignore[import-untyped]  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402

from services.common.db import Database  # noqa: E402
from services.common.ml.model_export import ExportedModel, Feature  # noqa: E402
from services.common.rpc import bind, create_server  # noqa: E402
from services.serving import service  # noqa: E402
from services.serving.limits import RateLimiter  # noqa: E402
from services.serving.loader import load_model  # noqa: E402
from services.serving.service import (  # noqa: E402
    ModelCache,
    PredictionLog,
    Predictor,
    RunInfo,
    key_digest,
)
from services.serving.servicer import ServingServicer  # noqa: E402

N_FEATURES = 30


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def tree_model() -> tuple[RandomForestClassifier, bytes, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2_000, N_FEATURES)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int)
    model = RandomForestClassifier(n_estimators=100, max_depth=8, random_state=0).fit(X, y)
    onx = convert_sklearn(
        model,
        initial_types=[("X", FloatTensorType([None, N_FEATURES]))],
        options={id(model): {"zipmap": False}},
        target_opset=17,
    )
    return model, bytes(onx.SerializeToString()), X


def timed(call: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    model, raw, X = tree_model()
    features = tuple(Feature(f"f{i}", "number") for i in range(N_FEATURES))
    loaded = load_model(raw, features, "matrix")
    key = service.new_api_key()
    served = service.Served("bench", "owner", key_digest(key), 1, loaded, ("0", "1"))
    predictor = Predictor(
        ModelCache(lambda _id: served, 4),
        RateLimiter(rate=1e9, burst=10**9),
        PredictionLog(max_queue=10**7),
        max_rows=1_000,
        max_body_bytes=1_000_000,
        log_rows=100,
    )
    bodies = [
        json.dumps(
            {"rows": [{f.name: float(v) for f, v in zip(features, row, strict=True)}]}
        ).encode()
        for row in X[:500]
    ]
    counter = iter(range(10**9))

    def inside() -> None:
        predictor.predict("bench", key, bodies[next(counter) % len(bodies)])

    # The same path with a 50/50 A/B split active (two arms, routed by a hash of each
    # request's id): what the split costs a request.
    split_served = service.Served(
        "bench-ab",
        "owner",
        key_digest(key),
        2,
        loaded,
        ("0", "1"),
        split=(
            service.ServedArm(1, loaded, ("0", "1"), 0.5),
            service.ServedArm(2, loaded, ("0", "1"), 1.0),
        ),
    )
    split_predictor = Predictor(
        ModelCache(lambda _id: split_served, 4),
        RateLimiter(rate=1e9, burst=10**9),
        PredictionLog(max_queue=10**7),
        max_rows=1_000,
        max_body_bytes=1_000_000,
        log_rows=100,
    )
    split_counter = iter(range(10**9))

    def inside_split() -> None:
        i = next(split_counter)
        split_predictor.predict("bench-ab", key, bodies[i % len(bodies)], f"req-{i}")

    one = X[:1]
    for _ in range(50):
        inside()
        inside_split()
    # Interleaved in rounds, so both see the same machine load.
    inside_ms: list[float] = []
    split_ms: list[float] = []
    for _ in range(10):
        inside_ms += timed(inside, args.requests // 10)
        split_ms += timed(inside_split, args.requests // 10)
    ort_ms = timed(lambda: loaded.session.run(None, {"X": one}), args.requests)
    sk_ms = timed(lambda: model.predict(one), min(args.requests, 300))

    # Two threads, two cores: predictions/s through the predict path.
    done = [0, 0]
    stop = time.perf_counter() + args.seconds

    def worker(slot: int) -> None:
        i = slot
        while time.perf_counter() < stop:
            predictor.predict("bench", key, bodies[i % len(bodies)])
            done[slot] += 1
            i += 2

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    threaded = sum(done) / args.seconds

    # Predictions in batches of 100 rows per request (one thread).
    batch = json.dumps(
        {
            "rows": [
                {f.name: float(v) for f, v in zip(features, row, strict=True)} for row in X[:100]
            ]
        }
    ).encode()
    batch_ms = timed(lambda: predictor.predict("bench", key, batch), 50)
    batched = 100 / (statistics.median(batch_ms) / 1000)

    grpc_rate, grpc_p50 = asyncio.run(over_grpc(raw, features, bodies, args.seconds))

    print(f"model: RandomForest 100 trees depth 8, {N_FEATURES} features, {len(raw):,} B ONNX")
    print(
        f"inside the service p50 {statistics.median(inside_ms):.3f} ms "
        f"p95 {p95(inside_ms):.3f} ms  (n={args.requests})"
    )
    ratio = statistics.median(split_ms) / statistics.median(inside_ms)
    print(
        f"  with a 50/50 A/B split p50 {statistics.median(split_ms):.3f} ms "
        f"p95 {p95(split_ms):.3f} ms  (ratio {ratio:.2f})"
    )
    print(f"  bare onnxruntime  p50 {statistics.median(ort_ms):.3f} ms p95 {p95(ort_ms):.3f} ms")
    print(f"  sklearn predict   p50 {statistics.median(sk_ms):.3f} ms p95 {p95(sk_ms):.3f} ms")
    print(f"predict path, 2 threads: {threaded:,.0f} predictions/s (one row per request)")
    print(f"predict path, 100-row requests: {batched:,.0f} predictions/s (one thread)")
    print(
        f"gRPC Predict, 16 concurrent callers: {grpc_rate:,.0f} predictions/s, "
        f"p50 {grpc_p50:.2f} ms"
    )


async def over_grpc(
    raw: bytes, features: tuple[Feature, ...], bodies: list[bytes], seconds: float
) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/serving.db")
        db.migrate("serving", "services.serving.migrations")
        exported = ExportedModel(
            raw, "", features, "matrix", "RandomForestClassifier", "model", ("0", "1"), 1.0, 500
        )
        run = RunInfo("run", "owner", "session", "bench", "", "", "", {})
        with db.session() as session:
            deployment, _, key = service.store_version(
                session, "owner", "", "bench", run, exported, {}
            )
            dep_id = deployment.id

        def load(deployment_id: str) -> service.Served | None:
            with db.session() as session:
                return service.load_served(session, deployment_id)

        predictor = Predictor(
            ModelCache(load, 4),
            RateLimiter(rate=1e9, burst=10**9),
            PredictionLog(max_queue=10**7),
            1_000,
            1_000_000,
            100,
        )
        server = create_server()
        pb_grpc.add_ServingServiceServicer_to_server(
            ServingServicer(db, None, predictor),  # type: ignore[arg-type]  # no deploys here
            server,
        )
        port = bind(server, "127.0.0.1", 0)
        await server.start()
        latencies: list[float] = []
        count = 0
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = pb_grpc.ServingServiceStub(channel)
            await stub.Predict(pb.PredictRequest(deployment_id=dep_id, api_key=key, body=bodies[0]))
            stop = time.perf_counter() + seconds

            async def caller(slot: int) -> None:
                nonlocal count
                i = slot
                while time.perf_counter() < stop:
                    start = time.perf_counter()
                    await stub.Predict(
                        pb.PredictRequest(deployment_id=dep_id, api_key=key, body=bodies[i % 500])
                    )
                    latencies.append((time.perf_counter() - start) * 1000)
                    count += 1
                    i += 16

            await asyncio.gather(*(caller(s) for s in range(16)))
        await server.stop(None)
        db.dispose()
        return count / seconds, statistics.median(latencies)


if __name__ == "__main__":
    main()
