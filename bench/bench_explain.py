"""Model Explainability Suite benchmark (issue 15): the global SHAP view of a tree model on
10,000 rows, end to end (gateway → apps service → execution sandbox), target ≤ 5 s.

    .venv/bin/python bench/bench_explain.py --runs 5

The table: 10,000 rows × 22 columns (scikit-learn's `make_classification`, 20 numbers, plus
two categorical columns, as bench_apps_playground.py). The model: a gradient-boosted tree
ensemble (`GradientBoostingClassifier`, scikit-learn's defaults: 100 trees of depth 3; or
`--model` HistGradientBoostingClassifier / RandomForestClassifier, defaults too), given as the
analysis's pipeline spec. Every one of the 10,000 rows is explained (`explain_set` "all",
`explain_rows` 10,000: no sample; `--explain-rows N` explains a seeded sample of N), with
`shap.TreeExplainer` (exact, path-dependent).

Measured from the POST of the streamed analysis (`/api/apps/explain/analyses/stream`, what
the page's Analyse button sends) to the SSE event carrying the `beeswarm` section — the global
view is then complete (the `importance` bars come just before it); the analysis is then
stopped, as bench_apps_playground.py does, so a run measures the view, not the rest. This
includes the refit of the model on the 8,000 training rows, which the program does first.
Also printed, to say where the time goes (each measured from the same POST): the program's
first progress line (the sandbox run has started, imported and read the data), its line after
the refit ("SHAP values of N rows": the fit is done, TreeSHAP starts), when `importance`
arrived, and a notebook run of `print(1)` (the sandbox's round trip any run pays); the load
average when the measured runs began and ended. Medians (p50) and p95; figures are recorded in
bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_apps_playground import summary, table, trivial_run  # noqa: E402

from tests.apps.conftest import open_catalog, register  # noqa: E402
from tests.support.fullstack import running_stack  # noqa: E402

MODELS = ("GradientBoostingClassifier", "HistGradientBoostingClassifier", "RandomForestClassifier")


def global_view(
    api: httpx.Client, auth: dict[str, str], body: dict[str, object]
) -> dict[str, float]:
    """Seconds from the POST to each step of the global view: `begun` (the program's first
    progress line: the sandbox run started, imports and the data read), `refitted` (its
    progress line after the refit: "SHAP values of N rows"), the `importance` and the
    `beeswarm` section; then Stop, and the stream is read to its end, so runs never overlap."""
    started = time.perf_counter()
    seen: dict[str, float] = {}
    with api.stream(
        "POST", "/api/apps/explain/analyses/stream", json=body, headers=auth
    ) as response:
        event, analysis_id = "", ""
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event == "started":
                analysis_id = json.loads(line[6:])["analysisId"]
            elif line.startswith("data: ") and event == "progress":
                done = json.loads(line[6:]).get("done", 0)
                seen.setdefault("begun", time.perf_counter() - started)
                if done >= 1:
                    seen.setdefault("refitted", time.perf_counter() - started)
            elif line.startswith("data: ") and event == "section":
                kind = json.loads(line[6:])["kind"]
                seen.setdefault(kind, time.perf_counter() - started)
                if kind == "beeswarm":
                    api.post(f"/api/apps/explain/analyses/{analysis_id}/cancel", headers=auth)
            elif line.startswith("data: ") and event == "result":
                result = json.loads(line[6:])
                if result["status"] == "failed":
                    raise SystemExit(f"explain failed: {result['errorMessage']}")
    missing = {"begun", "refitted", "importance", "beeswarm"} - set(seen)
    if missing:
        raise SystemExit(f"the analysis printed no global view (missing: {sorted(missing)})")
    return seen


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--model", choices=MODELS, default=MODELS[0])
    # Rows explained: all by default; fewer = a seeded sample of them (the app's default: 500).
    parser.add_argument("--explain-rows", type=int, default=0)
    args = parser.parse_args()
    model = {"steps": ["SimpleImputer"], "estimator": args.model, "params": {}}
    explained = args.explain_rows or args.rows
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
            auth = {"Authorization": f"Bearer {register(api, 'bench-explain')}"}
            session = api.post("/api/sessions", json={}, headers=auth).json()["data"]
            response = api.post(
                f"/api/sessions/{session['id']}/dataset",
                files={"file": ("bench.csv", table(args.rows), "text/csv")},
                headers=auth,
            )
            response.raise_for_status()
            body = {
                "sessionId": session["id"],
                "options": {
                    "model": {"spec": model, "from": "the benchmark"},
                    "depth": "intermediate",
                    "explain_set": "all",
                    "explain_rows": explained,
                },
            }
            # One warm-up of each (first imports in the sandbox's workers).
            trivial_run(api, auth, session["id"])
            global_view(api, auth, body)
            load_before = os.getloadavg()[0]
            baseline: list[float] = []
            steps: dict[str, list[float]] = {}
            for _ in range(args.runs):
                baseline.append(trivial_run(api, auth, session["id"]))
                for step, seconds in global_view(api, auth, body).items():
                    steps.setdefault(step, []).append(seconds)
    load = os.getloadavg()[0]
    beeswarm = steps["beeswarm"]
    print(
        f"{args.rows} rows, {explained} explained, {args.model}; {args.runs} runs each; "
        f"load average {load_before:.1f} → {load:.1f} on {os.cpu_count()} cores"
    )
    print(f"baseline print(1) run:        {summary(baseline)}")
    # Where the time goes (each since the POST): the program's start, the refit, TreeSHAP.
    print(f"program begun (first line):   {summary(steps['begun'])}")
    print(f"model refitted:               {summary(steps['refitted'])}")
    print(f"importance bars:              {summary(steps['importance'])}")
    print(
        f"global view (+ beeswarm):     {summary(beeswarm)}  target ≤ 5 s  "
        f"({statistics.median(beeswarm) / statistics.median(baseline):.1f}× the baseline)"
    )


if __name__ == "__main__":
    main()
