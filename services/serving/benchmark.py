"""The benchmark the platform runs on every deployed version, right after it loads: latency
of one-row requests through the checks and onnxruntime (p50/p95), requests per second on one
thread, and rows per second in one batch. Rows are synthetic (zeros, "a"): they time the
model's work, not the data's."""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np

from services.serving.codegen import example_row
from services.serving.loader import LoadedModel, predict_with_probabilities
from services.serving.validation import check_rows, parse_body

REQUESTS = 200
BATCH_ROWS = 1_000


def measure(model: LoadedModel, requests: int = REQUESTS) -> dict[str, Any]:
    row = example_row(model.features)
    body = json.dumps({"rows": [row]}).encode()
    batch = json.dumps({"rows": [row] * BATCH_ROWS}).encode()

    def once(raw: bytes, max_rows: int) -> None:
        checked = check_rows(parse_body(raw, 10_000_000), model.features, max_rows)
        predict_with_probabilities(model, checked.values)

    once(body, 1)  # warm-up: the first run allocates
    timings = []
    for _ in range(requests):
        start = time.perf_counter()
        once(body, 1)
        timings.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    once(batch, BATCH_ROWS)
    batch_seconds = time.perf_counter() - start
    total = sum(timings) / 1000
    return {
        "p50_ms": round(float(np.percentile(timings, 50)), 4),
        "p95_ms": round(float(np.percentile(timings, 95)), 4),
        "throughput_per_s": round(requests / total, 1) if total else 0.0,
        "requests": requests,
        "batch_rows_per_s": round(BATCH_ROWS / batch_seconds, 1) if batch_seconds else 0.0,
        "batch_rows": BATCH_ROWS,
    }
