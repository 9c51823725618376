"""Apps benchmark (issue 14): how fast the Feature Engineering Playground answers a "what if"
and how soon the Model Training Sandbox shows its first curve point, through the whole stack
(gateway → apps service → execution sandbox), on 10,000 rows.

    .venv/bin/python bench/bench_apps_playground.py --runs 5

Each figure is measured from the POST of the streamed analysis (`/api/apps/<slug>/analyses/
stream`, what the page's Start button sends) to the SSE event that carries the section:
- **what if**: the `whatif` section of a variant (drop one column, log-transform another)
  on a 10,000-row × 22-column classification table (scikit-learn's `make_classification`
  plus two categorical columns);
- **first curve point**: the first `curve_point` section of a random forest (100 trees,
  scikit-learn defaults) on the same table.
Once the section has arrived the analysis is stopped (Stop, as on the page), so a run
measures the answer, not the rest of the program. The baseline, in the same run: a
notebook run of `print(1)` through `POST /api/runs` (the sandbox's round trip that any run
pays). Medians (p50) and p95 of --runs runs each; figures
are recorded in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from sklearn.datasets import make_classification

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.apps.conftest import open_catalog, register  # noqa: E402
from tests.support.fullstack import running_stack  # noqa: E402


def table(rows: int) -> bytes:
    X, y = make_classification(
        n_samples=rows, n_features=20, n_informative=8, random_state=0, class_sep=0.8
    )
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(20)])
    rng = np.random.default_rng(0)
    frame["f3"] = np.exp(frame["f3"])  # skewed, for the log transform
    frame["city"] = rng.choice(["north", "south", "east", "west"], rows)
    frame["plan"] = rng.choice(["basic", "plus", "pro"], rows)
    frame["target"] = y
    return frame.to_csv(index=False).encode()


def until_section(
    api: httpx.Client, auth: dict[str, str], slug: str, body: dict[str, object], kind: str
) -> float:
    """Seconds from the POST to the SSE event of the first section of `kind`; then Stop, and
    the stream is read to its end, so runs never overlap."""
    started = time.perf_counter()
    found: float | None = None
    with api.stream(
        "POST", f"/api/apps/{slug}/analyses/stream", json=body, headers=auth
    ) as response:
        event, analysis_id = "", ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "started":
                analysis_id = json.loads(line[6:])["analysisId"]
            elif line.startswith("data: ") and event == "section" and found is None:
                if json.loads(line[6:])["kind"] == kind:
                    found = time.perf_counter() - started
                    api.post(f"/api/apps/{slug}/analyses/{analysis_id}/cancel", headers=auth)
            elif line.startswith("data: ") and event == "result":
                result = json.loads(line[6:])
                if result["status"] == "failed":
                    raise SystemExit(f"{slug} failed: {result['errorMessage']}")
    if found is None:
        raise SystemExit(f"{slug} printed no {kind} section")
    return found


def trivial_run(api: httpx.Client, auth: dict[str, str], session_id: str) -> float:
    started = time.perf_counter()
    response = api.post(
        "/api/runs", json={"sessionId": session_id, "code": "print(1)"}, headers=auth
    )
    response.raise_for_status()
    return time.perf_counter() - started


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(values):.2f} s / p95 {p95:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        env = {
            "ASCENT_APPS_CATALOG": str(open_catalog(data_dir)),
            "ASCENT_EXECUTION_WALL_SECONDS": "120",
            "ASCENT_APPS_WALL_SECONDS": "120",
            "ASCENT_APPS_EXECUTE_TIMEOUT": "300",
        }
        with (
            running_stack(data_dir, env) as stack,
            httpx.Client(base_url=stack.base_url, timeout=300) as api,
        ):
            auth = {"Authorization": f"Bearer {register(api, 'bench-apps')}"}
            session = api.post("/api/sessions", json={}, headers=auth).json()["data"]
            response = api.post(
                f"/api/sessions/{session['id']}/dataset",
                files={"file": ("bench.csv", table(args.rows), "text/csv")},
                headers=auth,
            )
            response.raise_for_status()
            whatif_body = {
                "sessionId": session["id"],
                "options": {"drop": ["f0"], "transforms": {"f3": "log"}},
            }
            train_body = {"sessionId": session["id"], "options": {"model": "forest"}}
            # One warm-up of each (first imports in the sandbox's workers).
            trivial_run(api, auth, session["id"])
            until_section(api, auth, "features", whatif_body, "whatif")
            until_section(api, auth, "training", train_body, "curve_point")
            baseline, whatif, first_point = [], [], []
            for _ in range(args.runs):
                baseline.append(trivial_run(api, auth, session["id"]))
                whatif.append(until_section(api, auth, "features", whatif_body, "whatif"))
                first_point.append(until_section(api, auth, "training", train_body, "curve_point"))
    print(f"{args.rows} rows, {args.runs} runs each")
    print(f"baseline print(1) run:  {summary(baseline)}")
    print(
        f"what if (whatif):       {summary(whatif)}  target ≤ 3 s  "
        f"({statistics.median(whatif) / statistics.median(baseline):.1f}× the baseline)"
    )
    print(
        f"first curve point:      {summary(first_point)}  target ≤ 1 s  "
        f"({statistics.median(first_point) / statistics.median(baseline):.1f}× the baseline)"
    )


if __name__ == "__main__":
    main()
