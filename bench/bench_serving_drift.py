"""Drift-report benchmark (issue 16, monitor): one deployment with 30 number features and 2
category features, 100,000 logged input rows (1,000 requests × 100 rows, as the prediction
log keeps them) in SQLite, and `monitor.drift_report` over all of them — reading the log,
parsing its JSON, PSI + KS per number and PSI + chi² per category, the alert rows.

    .venv/bin/python bench/bench_serving_drift.py [--rows 100000] [--repeat 3]

Target (2-core machine): ≤ 2 s for 100,000 rows. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ascent.serving.v1 import serving_service_pb2 as pb  # noqa: E402

from services.common.db import Database, utcnow  # noqa: E402
from services.serving import monitor  # noqa: E402
from services.serving.models import Deployment, ModelVersion, Prediction  # noqa: E402

NUMBERS = 30
COLORS = ("red", "green", "blue", "black")


def seed(db: Database, rows: int) -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(size=(2_000, NUMBERS))
    reference: dict[str, object] = {
        f"x{i}": {
            "kind": "number",
            "n": len(train),
            "mean": float(train[:, i].mean()),
            "std": float(train[:, i].std()),
            "quantiles": [float(q) for q in np.quantile(train[:, i], np.linspace(0, 1, 101))],
        }
        for i in range(NUMBERS)
    }
    for c in ("c0", "c1"):
        reference[c] = {"kind": "string", "counts": dict.fromkeys(COLORS, 500), "other": 0}
    names = [f"x{i}" for i in range(NUMBERS)] + ["c0", "c1"]
    features = [{"name": n, "type": "string" if n.startswith("c") else "number"} for n in names]
    now = utcnow()
    with db.session() as session:
        session.add(
            Deployment(
                id="bench",
                owner_id="bench",
                name="bench",
                key_sha256="0" * 64,
                key_prefix="asc_",
                current_version=1,
                created_at=now,
            )
        )
        session.add(
            ModelVersion(
                deployment_id="bench",
                version=1,
                run_id="r",
                model_type="bench",
                input_mode="columns",
                features_json=json.dumps(features),
                onnx=b"",
                onnx_sha256="",
                reference_json=json.dumps(reference),
                created_at=now,
            )
        )
    per = 100
    with db.session() as session:
        for r in range(rows // per):
            live = rng.normal(size=(per, NUMBERS))
            live[:, 0] += 1.5  # one feature drifts
            colors = rng.choice(COLORS, size=(per, 2))
            values = [[*map(float, live[j]), *colors[j]] for j in range(per)]
            session.add(
                Prediction(
                    deployment_id="bench",
                    version=1,
                    created_at=now + timedelta(milliseconds=r),
                    status="ok",
                    rows=per,
                    features_json=json.dumps({"columns": names, "values": values}),
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'serving.db'}")
        db.migrate("serving", "services.serving.migrations")
        seed(db, args.rows)
        request = pb.GetDriftReportRequest(
            owner_id="bench", deployment_id="bench", window_rows=args.rows
        )
        times: list[float] = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            with db.session() as session:
                report = monitor.drift_report(session, request)
            times.append(time.perf_counter() - start)
        drifted = [f.name for f in report.features if f.drifted]
        print(
            f"drift report over {report.rows:,} rows × {len(report.features)} features: "
            f"median {statistics.median(times):.2f} s, best {min(times):.2f} s "
            f"(drifted: {', '.join(drifted) or 'none'})"
        )


if __name__ == "__main__":
    main()
