"""Data Explorer benchmark (issue 14): how soon the first view shows and how long the complete
profile takes on 10,000 rows × 30 columns, through the gateway's streamed API against the
whole stack (supervisor on free ports; real sandbox).

    .venv/bin/python bench/bench_apps.py --runs 5 [--rows 10000]

Per run, from the request: `first view` = the `columns` section (types and distributions, after
the overview) has arrived; `complete` = the stored result has arrived (every section, the
analysis committed). The baseline, measured in the same run on the same dataset, is a notebook
run that only reads the CSV (`pd.read_csv(...).shape`) through `POST /api/runs`: what any
program on this data pays before it computes anything. Medians (p50) and p95.
Targets (2-core machine): first view ≤ 2 s, complete ≤ 5 s. Figures: bench/README.md.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.apps.test_explorer_flow import wide_csv  # noqa: E402
from tests.support.fullstack import running_stack  # noqa: E402

PASSWORD = "correct horse 42"
READ_ONLY = "import pandas as pd\npd.read_csv('/data/uploaded.csv').shape\n"


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def one_analysis(api: httpx.Client, auth: dict[str, str], session_id: str) -> tuple[float, float]:
    started = time.perf_counter()
    first_view = complete = 0.0
    with api.stream(
        "POST", "/api/apps/explorer/analyses/stream", json={"sessionId": session_id}, headers=auth
    ) as response:
        event = ""
        for text in response.iter_lines():
            if text.startswith("event:"):
                event = text[6:].strip()
            elif text.startswith("data:"):
                data = json.loads(text[5:])
                if event == "section" and data["kind"] == "columns" and not first_view:
                    first_view = time.perf_counter() - started
                elif event == "result":
                    complete = time.perf_counter() - started
                    if data["status"] != "completed":
                        raise SystemExit(f"analysis {data['status']}: {data['errorMessage']}")
                elif event == "failed":
                    raise SystemExit(f"analysis failed: {data}")
    return first_view, complete


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    content = wide_csv(args.rows)
    with (
        tempfile.TemporaryDirectory() as tmp,
        running_stack(Path(tmp), {"ASCENT_EXECUTION_WALL_SECONDS": "60"}) as stack,
        httpx.Client(base_url=stack.base_url, timeout=120) as api,
    ):
        api.post("/api/auth/register", json={"username": "bench-apps", "password": PASSWORD})
        token = api.post(
            "/api/auth/token", json={"username": "bench-apps", "password": PASSWORD}
        ).json()["data"]["token"]
        auth = {"Authorization": f"Bearer {token}"}
        session = api.post("/api/sessions", json={}, headers=auth).json()["data"]
        upload = api.post(
            f"/api/sessions/{session['id']}/dataset",
            files={"file": ("wide.csv", content, "text/csv")},
            headers=auth,
        )
        upload.raise_for_status()
        shape = upload.json()["data"]
        one_analysis(api, auth, session["id"])  # warm-up: first imports in the sandbox
        firsts, completes, baselines = [], [], []
        for _ in range(args.runs):
            first, complete = one_analysis(api, auth, session["id"])
            firsts.append(first)
            completes.append(complete)
            started = time.perf_counter()
            run = api.post(
                "/api/runs", json={"sessionId": session["id"], "code": READ_ONLY}, headers=auth
            )
            run.raise_for_status()
            baselines.append(time.perf_counter() - started)
    print(f"dataset: {shape['rows']} rows × {shape['columns']} columns, {args.runs} runs")
    for name, values in (
        ("first view (columns section)", firsts),
        ("complete profile (stored result)", completes),
        ("baseline: read the CSV in a notebook run", baselines),
    ):
        print(f"{name:42s} p50 {statistics.median(values):6.2f} s   p95 {p95(values):6.2f} s")
    ratio = statistics.median(completes) / statistics.median(baselines)
    print(f"complete / baseline: {ratio:.1f}×")


if __name__ == "__main__":
    main()
