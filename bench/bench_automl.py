"""AutoML Trainer benchmark (issue 15): on held-out data sets from installed packages (none
of them among the recommender's priors: scikit-learn's wine, breast cancer and diabetes),
does the warm start (the recommender's top pipelines, from its bundled priors, tried first)
reach the cold search's final score in less time? And is the budget respected within 10 %?

Runs the app's own program (built by `programs.automl`) as a subprocess, Bayesian search,
cold and warm on the same data and budget; the baseline is the cold search of the same run.
Time to reach a score = the `elapsed` of the first trial at or above it.

    python bench/bench_automl.py --budget 30 --runs 1
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine

from services.apps.programs import ProgramRequest, build_program
from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.report_sections import sections_of
from services.recommender.flows import ensure_profile
from services.recommender.service import RecommenderService

DATASETS = {
    "wine": lambda: load_wine(as_frame=True).frame,
    "breast_cancer": lambda: load_breast_cancer(as_frame=True).frame,
    "diabetes": lambda: load_diabetes(as_frame=True).frame,
}


def recommended(directory: Path, csv: Path) -> list[dict[str, object]]:
    db = Database(f"sqlite:///{directory / 'recommender.db'}")
    db.migrate("recommender", "services.recommender.migrations")
    store = DatasetStore(directory / "datasets")
    sha = store.put(csv.read_bytes())
    service = RecommenderService(store, seed=0, explore=0.0)
    meta = ensure_profile(db, service, sha)
    with db.session() as session:
        recs = service.recommend(session, meta, limit=5)
    db.dispose()
    return [{**r.spec, "expected_score": r.expected_score} for r in recs]


def search(csv: Path, budget: int, warm: list[dict[str, object]]) -> dict[str, object]:
    code = build_program(
        "automl",
        ProgramRequest(
            target="target",
            options={"budget_seconds": budget, "search": "bayesian", "warm_start": warm},
            sample_rows=20000,
            data_path=str(csv),
        ),
    )
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    wall = time.monotonic() - started
    sections = sections_of(out.stdout)
    trials = [s.data for s in sections if s.kind == "trial"]
    winner = next(s.data for s in sections if s.kind == "winner")
    return {
        "trials": trials,
        "best": winner["cv_score"],
        "wall": wall,
        "program": winner["compute"]["wall_seconds"],
    }


def reached(trials: list[dict[str, object]], score: float) -> float | None:
    for t in trials:
        if float(t["score"]) >= score - 1e-9:  # type: ignore[arg-type]
            return float(t["elapsed"])  # type: ignore[arg-type]
    return None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for name in args.datasets.split(","):
            csv = directory / f"{name}.csv"
            DATASETS[name]().to_csv(csv, index=False)
            warm = recommended(directory, csv)
            cold_times, warm_times, overs = [], [], []
            for _ in range(args.runs):
                cold = search(csv, args.budget, [])
                hot = search(csv, args.budget, warm)
                target = float(cold["best"])  # type: ignore[arg-type]
                cold_times.append(reached(cold["trials"], target))  # type: ignore[arg-type]
                warm_times.append(reached(hot["trials"], target))  # type: ignore[arg-type]
                overs += [float(r["program"]) / args.budget for r in (cold, hot)]  # type: ignore[arg-type]
                print(
                    json.dumps(
                        {
                            "dataset": name,
                            "cold_best": cold["best"],
                            "warm_best": hot["best"],
                            "cold_reached_s": cold_times[-1],
                            "warm_reached_s": warm_times[-1],
                            "cold_wall_s": cold["wall"],
                            "warm_wall_s": hot["wall"],
                            "program_wall_over_budget": [round(o, 3) for o in overs[-2:]],
                        }
                    ),
                    flush=True,
                )
            done = [t for t in warm_times if t is not None]
            print(
                f"{name}: median time to the cold final score — cold "
                f"{statistics.median([t for t in cold_times if t is not None]):.1f} s, warm "
                f"{statistics.median(done):.1f} s"
                if done
                else f"{name}: warm never reached it",
                f"; program wall / budget max {max(overs):.3f}",
            )


if __name__ == "__main__":
    main()
