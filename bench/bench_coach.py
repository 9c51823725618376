"""Coach benchmark: does "Improve with AI" really improve? (issue 6)

For every dataset (shipped with scikit-learn or statsmodels, none used for the recommender's
priors), on ONE split (`train_test_split(test_size=0.2, random_state=42)`, the starter's):

- starter: the seed's starter template (services/common/templates.py), run as is;
- coach r1 / r3: the best score after 1 and 3 rounds of the real coach (CoachService with the
  BuiltinEngine, advised in-process by the real RecommenderService loaded with the bundled
  priors); every round's code runs in the real sandbox (SandboxPool: namespaces, cgroups,
  seccomp) and each round improves the best run so far, with all runs as history;
- rec: the score of round 1 alone (the top recommendation, before any tuning);
- static: a static default, RandomForest(200 trees) behind the same imputation/encoding, also
  run in the sandbox;
- FLAML: `flaml.AutoML` on the same training rows, `time_budget` = the wall time the coach's
  3 rounds took (propose + run), scored on the same test rows.

Score: accuracy for classification, R2 for regression (the starter always reports accuracy,
so on regression targets its number is marked as the wrong metric and not compared).

Run: `make bench-coach` (needs root for the sandbox and `pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from ascent.execution.v1 import execution_service_pb2 as exec_pb
from ascent.types.v1 import run_pb2
from build_priors import PRIOR_DATASETS  # a sibling script: bench/ is on sys.path

from services.coach.codegen import generate_code
from services.coach.engine import ImproveContext, Improvement
from services.coach.service import CoachService
from services.common.autoimprove import auto_improve
from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.ml.pipelines import prior_specs
from services.common.ml.scoring import ranking_metric
from services.common.ml.tasks import CLASSIFICATION, REGRESSION, infer_task_type
from services.common.templates import STARTER_TEMPLATE
from services.execution.sandbox import Limits, RunSpec, SandboxPool, SandboxResult
from services.execution.service import build_run
from services.recommender.flows import ensure_profile
from services.recommender.service import Priors, RecommenderService

Loader = Callable[[], pd.DataFrame]
LIMITS = Limits(wall_seconds=180, cpu_seconds=600, memory_mb=2048)


# -- datasets (none of them in PRIOR_DATASETS) ---------------------------------------------
def _sklearn(name: str, **kwargs: object) -> pd.DataFrame:
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")(as_frame=True, **kwargs)
    frame: pd.DataFrame = bunch.data.copy()
    frame["target"] = bunch.target
    return frame


def _statsmodels(module: str) -> pd.DataFrame:
    import importlib

    frame: pd.DataFrame = (
        importlib.import_module(f"statsmodels.datasets.{module}").load_pandas().data.copy()
    )
    return frame


def _gaps(frame: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """Blank `share` of the feature cells at random (the target stays complete)."""
    rng = np.random.default_rng(seed)
    frame = frame.copy()
    for column in frame.columns[:-1]:
        frame.loc[rng.random(len(frame)) < share, column] = np.nan
    return frame


def wine_gaps() -> pd.DataFrame:
    return _gaps(_sklearn("wine"), 0.1, 1)


def anes96_vote() -> pd.DataFrame:
    data = _statsmodels("anes96").drop(columns=["logpopul"])
    levels = {
        1: "grade school",
        2: "high school",
        3: "some high school",
        4: "some college",
        5: "associate",
        6: "bachelor",
        7: "postgraduate",
    }
    data["educ"] = data["educ"].map(levels)
    data["vote"] = data["vote"].map({0.0: "Clinton", 1.0: "Dole"})
    return data


def fair_affairs() -> pd.DataFrame:
    data = _statsmodels("fair")
    jobs = {
        1: "student",
        2: "farming",
        3: "white collar",
        4: "teacher",
        5: "business",
        6: "professional",
    }
    data["occupation"] = data["occupation"].map(jobs)
    data["occupation_husb"] = data["occupation_husb"].map(jobs)
    data["had_affair"] = np.where(data.pop("affairs") > 0, "yes", "no")
    return data


def diabetes_mixed() -> pd.DataFrame:
    data = _sklearn("diabetes", scaled=False)
    data["sex"] = data["sex"].map({1.0: "female", 2.0: "male"})
    return _gaps(data, 0.05, 2)


def grunfeld() -> pd.DataFrame:
    data = _statsmodels("grunfeld")
    return data.drop(columns=["invest"]).assign(invest=data["invest"])


def star98_share() -> pd.DataFrame:
    data = _statsmodels("star98")
    share = data["NABOVE"] / (data["NABOVE"] + data["NBELOW"])
    return data.drop(columns=["NABOVE", "NBELOW"]).assign(share_above=share.round(5))


def statecrime() -> pd.DataFrame:
    data = _statsmodels("statecrime").reset_index(drop=True)
    return data.drop(columns=["murder"]).assign(murder=data["murder"])


BENCH_DATASETS: dict[str, tuple[Loader, str]] = {
    "wine": (lambda: _sklearn("wine"), "sklearn load_wine"),
    "breast_cancer": (lambda: _sklearn("breast_cancer"), "sklearn load_breast_cancer"),
    "digits": (lambda: _sklearn("digits"), "sklearn load_digits"),
    "wine_gaps": (wine_gaps, "load_wine, 10% of feature cells blanked (variant)"),
    "anes96_vote": (anes96_vote, "statsmodels anes96, educ and vote as text labels (variant)"),
    "fair_affairs": (fair_affairs, "statsmodels fair, affairs>0 as yes/no, jobs as text"),
    "diabetes": (lambda: _sklearn("diabetes"), "sklearn load_diabetes"),
    "diabetes_mixed": (diabetes_mixed, "load_diabetes(scaled=False), sex as text, 5% blanked"),
    "grunfeld": (grunfeld, "statsmodels grunfeld, firm names as text"),
    "star98_share": (star98_share, "statsmodels star98, share above median as target"),
    "statecrime": (statecrime, "statsmodels statecrime, 51 rows, murder rate"),
}


# -- running ---------------------------------------------------------------------------------
@dataclass
class Row:
    name: str
    task: str
    rows: int
    starter: str = ""
    starter_score: float | None = None
    rec: float | None = None
    round_scores: list[float | None] = field(default_factory=list)
    r1: float | None = None
    r3: float | None = None
    static: float | None = None
    flaml: float | None = None
    flaml_budget: float = 0.0
    flaml_long: float | None = None
    coach_seconds: float = 0.0
    picks: list[str] = field(default_factory=list)
    # What chose each round (issue 20 §1): "cv" (training rows) or "test" (the test rows,
    # when a side of the comparison reported no CV score: the starter, an edit of it).
    decided: list[str] = field(default_factory=list)


def score(run: run_pb2.Run, task: str) -> float | None:
    """The run's score under its task's metric (the starter's accuracy on a regression
    target does not count)."""
    if run.has_error:
        return None
    metric = ranking_metric(task)
    return float(getattr(run.outcome, metric)) if run.outcome.HasField(metric) else None


async def execute(pool: SandboxPool, code: str, csv: Path, sha: str, name: str) -> run_pb2.Run:
    run_id = str(uuid.uuid4())
    result: SandboxResult | None = None
    async for item in pool.run(RunSpec(run_id, "bench", code, str(csv), limits=LIMITS)):
        if isinstance(item, SandboxResult):
            result = item
    assert result is not None
    request = exec_pb.ExecuteRequest(
        run_id=run_id, owner_id="bench", code=code, name=name, dataset_sha256=sha
    )
    return build_run(request, result)


def flaml_score(frame: pd.DataFrame, task: str, budget: float) -> float:
    from flaml import AutoML
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split

    frame = frame[frame.iloc[:, -1].notna()]
    x, y = frame.iloc[:, :-1].copy(), frame.iloc[:, -1]
    for column in x.columns:
        if not pd.api.types.is_numeric_dtype(x[column]):
            x[column] = x[column].astype("category")
    if task == CLASSIFICATION:
        y = y.astype(str)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.2, random_state=42)
    automl = AutoML()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automl.fit(
            x_train,
            y_train,
            task=CLASSIFICATION if task == CLASSIFICATION else REGRESSION,
            time_budget=budget,
            metric=ranking_metric(task),
            seed=42,
            verbose=0,
            n_jobs=2,
        )
    predicted = automl.predict(x_test)
    if task == CLASSIFICATION:
        return float(accuracy_score(y_test, predicted))
    return float(r2_score(y_test, predicted))


async def bench_dataset(
    name: str,
    loader: Loader,
    pool: SandboxPool,
    work: Path,
    rounds: int,
    flaml: bool,
    explore: float,
    flaml_long: float = 0.0,
) -> Row:
    frame = loader()
    content = frame.to_csv(index=False).encode()
    store = DatasetStore(work / "datasets")
    sha = store.put(content)
    csv = store.existing_path(sha)
    task = infer_task_type(pd.read_csv(csv).iloc[:, -1])
    row = Row(name, task, len(frame))

    db = Database(f"sqlite:///{work / f'recommender-{name}.db'}")
    db.migrate("recommender", "services.recommender.migrations")
    recommender = RecommenderService(store, priors=Priors.load(), seed=0, explore=explore)
    coach = CoachService()

    starter = await execute(pool, STARTER_TEMPLATE, csv, sha, "starter")
    if starter.has_error:
        row.starter = f"crash ({starter.error.type})"
    elif task == CLASSIFICATION:
        row.starter_score = score(starter, task)
        row.starter = f"{row.starter_score:.4f}"
    else:
        row.starter = "wrong task (accuracy)"

    async def propose(best: run_pb2.Run, history: list[run_pb2.Run]) -> Improvement:
        meta = ensure_profile(db, recommender, sha)
        with db.session() as session:
            recs = recommender.recommend(session, meta, 5)
        return coach.propose(
            ImproveContext(run=best, history=history, profile=meta, recommendations=recs)
        )

    async def run_proposal(improvement: Improvement, _parent: run_pb2.Run) -> run_pb2.Run:
        return await execute(pool, improvement.code, csv, sha, improvement.name)

    started = time.perf_counter()
    # The product's loop, without the early stop, so every dataset gets exactly `rounds`.
    loop = await auto_improve(
        starter,
        [],
        propose,
        run_proposal,
        rounds,
        patience=rounds,
        metric=ranking_metric(task),
    )
    best_after: list[float | None] = []
    best_score = row.starter_score
    for step in loop.rounds:
        row.round_scores.append(step.score)
        row.decided.append(step.decided_by)
        name = step.proposal.name
        row.picks.append(name if step.score is not None else f"{name} (crash)")
        if step.improved:
            best_score = step.score
        best_after.append(best_score)
    row.rec = row.round_scores[0]
    row.r1 = best_after[0]
    row.r3 = loop.best_score if loop.best is not starter or task == CLASSIFICATION else None
    row.coach_seconds = time.perf_counter() - started
    db.dispose()

    static = await execute(
        pool, generate_code(prior_specs(task)[0], task, "static"), csv, sha, "static"
    )
    row.static = score(static, task)
    if flaml:
        row.flaml_budget = max(1.0, row.coach_seconds)
        row.flaml = await asyncio.to_thread(flaml_score, frame, task, row.flaml_budget)
        if flaml_long > 0:
            row.flaml_long = await asyncio.to_thread(flaml_score, frame, task, flaml_long)
    return row


def fmt(value: float | None) -> str:
    return "crash" if value is None else f"{value:.4f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| dataset | task | rows | starter | rec (r1 run) | coach r1 | coach r3 | static RF | "
        "FLAML same time (budget) | FLAML long | coach picks |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.task[:5]} | {r.rows} | {r.starter} | {fmt(r.rec)} | {fmt(r.r1)} | "
            f"{fmt(r.r3)} | {fmt(r.static)} | "
            f"{fmt(r.flaml) if r.flaml is not None else '-'} ({r.flaml_budget:.1f} s) | "
            f"{fmt(r.flaml_long) if r.flaml_long is not None else '-'} | "
            f"{'; '.join(r.picks)} |"
        )
    return "\n".join(lines)


def _ratio(rows: list[Row], pred: Callable[[Row], bool]) -> str:
    hits = sum(1 for r in rows if pred(r))
    return f"{hits}/{len(rows)}" if rows else "0/0"


def summary(rows: list[Row]) -> str:
    def share(pred: Callable[[Row], bool]) -> str:
        hits = sum(1 for r in rows if pred(r))
        return f"{hits}/{len(rows)} ({hits / len(rows):.0%})"

    def beats(a: float | None, b: float | None) -> bool:
        return a is not None and (b is None or a > b)

    out = [
        "- coach after 3 rounds beats the static default on "
        f"{share(lambda r: beats(r.r3, r.static))} (target ≥ 70%)",
        f"- recommendation (round 1 alone) beats the static default on "
        f"{share(lambda r: beats(r.rec, r.static))} (target ≥ 60%)",
        "- coach after 1 round beats a starter that ran (classification) on "
        + _ratio(
            [r for r in rows if r.task == CLASSIFICATION and r.starter_score is not None],
            lambda r: beats(r.r1, r.starter_score),
        ),
        "- where the starter crashed, round 1 produced a working, scored run on "
        + _ratio([r for r in rows if r.starter.startswith("crash")], lambda r: r.r1 is not None),
    ]
    with_flaml = [r for r in rows if r.flaml is not None and r.r3 is not None]
    if with_flaml:
        gap = statistics.mean((r.r3 or 0.0) - (r.flaml or 0.0) for r in with_flaml)
        median = statistics.median((r.r3 or 0.0) - (r.flaml or 0.0) for r in with_flaml)
        out.append(
            f"- mean (coach r3 − FLAML) = {gap * 100:+.2f} points, median {median * 100:+.2f} "
            "(target: mean ≥ −1 point); "
            f"coach ≥ FLAML on {share(lambda r: r.flaml is not None and (r.r3 or 0) >= r.flaml)}"
        )
    longs = [r for r in rows if r.flaml_long is not None and r.r3 is not None]
    if longs:
        gap = statistics.mean((r.r3 or 0.0) - (r.flaml_long or 0.0) for r in longs)
        median = statistics.median((r.r3 or 0.0) - (r.flaml_long or 0.0) for r in longs)
        out.append(
            f"- mean (coach r3 − FLAML with the long budget) = {gap * 100:+.2f} points, "
            f"median {median * 100:+.2f}"
        )
    decided = [d for r in rows for d in r.decided]
    if decided:
        out.append(
            f"- rounds chosen by cross-validation on the training rows: {decided.count('cv')}"
            f"/{len(decided)}; by the test rows (no CV score on one side): "
            f"{decided.count('test')}/{len(decided)}"
        )
    statics = [r for r in rows if r.static is not None and r.r3 is not None]
    if statics:
        gain = statistics.mean((r.r3 or 0.0) - (r.static or 0.0) for r in statics)
        out.append(f"- mean (coach r3 − static RF) = {gain * 100:+.2f} points")
    return "\n".join(out)


async def main_async(args: argparse.Namespace) -> int:
    overlap = set(BENCH_DATASETS) & set(PRIOR_DATASETS)
    if overlap:
        raise SystemExit(f"benchmark datasets are also priors: {sorted(overlap)}")
    names = args.only or list(BENCH_DATASETS)
    flaml = not args.no_flaml
    if flaml:
        try:
            import flaml as _flaml  # noqa: F401
        except ImportError:
            print("flaml is not installed (pip install -e '.[bench]'); skipping AutoML")
            flaml = False
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-coach-") as tmp:
        async with SandboxPool(size=2) as pool:
            for name in names:
                loader, _ = BENCH_DATASETS[name]
                row = await bench_dataset(
                    name,
                    loader,
                    pool,
                    Path(tmp),
                    args.rounds,
                    flaml,
                    args.explore,
                    args.flaml_long,
                )
                rows.append(row)
                print(
                    f"{name:15s} starter={row.starter:22s} rec={fmt(row.rec)} r1={fmt(row.r1)} "
                    f"r3={fmt(row.r3)} static={fmt(row.static)} "
                    f"flaml={fmt(row.flaml) if flaml else '-'} ({row.flaml_budget:.1f}s) "
                    f"flaml_long={fmt(row.flaml_long) if row.flaml_long is not None else '-'}",
                    flush=True,
                )
    print()
    print(table(rows))
    print()
    print(summary(rows))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=1))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Coach benchmark (issue 6)")
    parser.add_argument("--only", nargs="*", help="dataset names")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-flaml", action="store_true")
    parser.add_argument(
        "--flaml-long",
        type=float,
        default=30.0,
        help="also run FLAML with this fixed budget in seconds, for context (0 = skip)",
    )
    parser.add_argument(
        "--explore",
        type=float,
        default=0.0,
        help="Thompson-sampling spread of the recommender (0 = its posterior-mean ranking)",
    )
    parser.add_argument("--json", type=Path, help="also write the rows as JSON")
    parser.add_argument(
        "--report", type=Path, help="only print the table and summary of a --json file"
    )
    args = parser.parse_args()
    if args.report:
        rows = [Row(**item) for item in json.loads(args.report.read_text())]
        print(table(rows))
        print()
        print(summary(rows))
        return 0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
