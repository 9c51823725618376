"""Does the recommender learn? (issue 20 §2) The first proposal's regret as the knowledge base
grows.

A sequence of data sets shipped with scikit-learn and statsmodels (`bench_coach`'s held-out
sets, none of them a prior) is replayed, one learner session each: the seed's starter, then
three rounds of "Improve with AI" (the real CoachService and RecommenderService in process,
every program in the real sandbox). Three arms see the same sequence:

- **learning**: one knowledge base for the whole sequence, starting empty (priors only); every
  run of a session is recorded into it before the next session starts, as the recommender's
  consumer does for runs of programs the platform generated;
- **priors only**: the same, but nothing is ever recorded (each session meets the priors);
- **learning off**: no recommender: the first proposal is the static default (the first prior
  pipeline: a RandomForest behind imputation and encoding).

Regret of a proposal = best known score on that data set − the proposal's score, where the
best known is the best of every pipeline of the candidate portfolio (priors and tuned
variants, each run once in the sandbox on that data set) and of every run of the benchmark.
Scores: accuracy (classification) or R² (regression) on the starter's split.
Reported: the first proposal's regret per position in the sequence (mean over `--orders`
shuffles of the sequence), the arms' means over the second half (when the knowledge base has
seen most sets), the share of sessions whose first proposal beat the static default's score,
and rounds to a good model (within 0.01 of the best known; 4 = not reached).
The seed's targets to report against: recommendations beat static defaults by 30 %, and
time-to-good-model halved.

    make bench-regret            # or: .venv/bin/python bench/bench_regret.py --orders 3

Needs root for the sandbox (like bench-coach). Writes the curve to bench/figures/regret.png
and the figures to stdout (recorded in bench/README.md).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import random
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from ascent.types.v1 import run_pb2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_coach import BENCH_DATASETS, execute, score  # noqa: E402
from build_priors import PRIOR_DATASETS  # noqa: E402

from services.coach.codegen import generate_code  # noqa: E402
from services.coach.engine import ImproveContext, Improvement  # noqa: E402
from services.coach.service import CoachService  # noqa: E402
from services.common.autoimprove import auto_improve  # noqa: E402
from services.common.datasets import DatasetStore  # noqa: E402
from services.common.db import Database  # noqa: E402
from services.common.ml.pipelines import PORTFOLIO, prior_specs  # noqa: E402
from services.common.ml.scoring import ranking_metric  # noqa: E402
from services.common.ml.tasks import infer_task_type  # noqa: E402
from services.common.templates import STARTER_TEMPLATE  # noqa: E402
from services.execution.sandbox import SandboxPool  # noqa: E402
from services.recommender.flows import ensure_profile  # noqa: E402
from services.recommender.service import Priors, RecommenderService, scored_run  # noqa: E402

ARMS = ("learning", "priors only", "learning off")
ROUNDS = 3
GOOD_WITHIN = 0.01


@dataclass
class DataSet:
    name: str
    task: str
    sha: str
    csv: Path
    best_known: float = float("-inf")


@dataclass
class Session:
    arm: str
    dataset: str
    position: int
    first: float | None
    static: float | None
    best_known: float
    # The starter's score, then each round's (None: the round's program failed).
    trail: list[float | None] = field(default_factory=list)

    @property
    def regret(self) -> float:
        return self.best_known - (self.first if self.first is not None else 0.0)

    @property
    def rounds_to_good(self) -> int:
        """Rounds until a run within GOOD_WITHIN of the best known (0: the starter was)."""
        good = self.best_known - GOOD_WITHIN
        return next(
            (i for i, v in enumerate(self.trail) if v is not None and v >= good), ROUNDS + 1
        )


class Runner:
    """Runs programs in the sandbox once per (data set, code): a program is deterministic on
    its data (fixed seeds), so the arms share runs instead of repeating them."""

    def __init__(self, pool: SandboxPool) -> None:
        self.pool = pool
        self.cache: dict[tuple[str, str], run_pb2.Run] = {}

    async def run(self, data: DataSet, code: str, name: str, platform: bool = True) -> run_pb2.Run:
        key = (data.name, hashlib.sha256(code.encode()).hexdigest())
        if key not in self.cache:
            self.cache[key] = await execute(self.pool, code, data.csv, data.sha, name)
        found = run_pb2.Run()
        found.CopyFrom(self.cache[key])
        # A fresh id per use: the knowledge base records each run of a session once.
        found.id = f"{found.id[:24]}-{len(self.cache)}-{random.random():.6f}"
        # The coach's own complete programs are scored by the platform: the trust rules of the
        # knowledge base (services/recommender/trust.py) admit them, as in the product.
        found.scored_by = "coach" if platform else ""
        data.best_known = max(data.best_known, score(found, data.task) or float("-inf"))
        return found


async def prepare(names: list[str], store: DatasetStore, runner: Runner) -> dict[str, DataSet]:
    sets: dict[str, DataSet] = {}
    for name in names:
        loader, _ = BENCH_DATASETS[name]
        frame = loader()
        sha = store.put(frame.to_csv(index=False).encode())
        csv = store.existing_path(sha)
        data = DataSet(name, infer_task_type(pd.read_csv(csv).iloc[:, -1]), sha, csv)
        # The best known: every pipeline the coach could propose, run once.
        for spec in [*prior_specs(data.task), *PORTFOLIO.get(data.task, ())]:
            await runner.run(data, generate_code(spec, data.task, "candidate"), "candidate")
        sets[name] = data
        print(f"{name:15s} {data.task:14s} best known {data.best_known:.4f}", flush=True)
    return sets


async def session(
    arm: str,
    position: int,
    data: DataSet,
    runner: Runner,
    db: Database,
    recommender: RecommenderService,
    record: bool,
) -> Session:
    coach = CoachService()
    static_code = generate_code(prior_specs(data.task)[0], data.task, "static default")
    static = score(await runner.run(data, static_code, "static"), data.task)
    starter = await runner.run(data, STARTER_TEMPLATE, "starter", platform=False)
    runs = [starter]

    async def propose(best: run_pb2.Run, history: list[run_pb2.Run]) -> Improvement:
        if arm == "learning off" and len(runs) == 1:
            return Improvement("", [], "static default", static_code, "", [], platform_code=True)
        meta = ensure_profile(db, recommender, data.sha)
        with db.session() as s:
            recs = recommender.recommend(s, meta, 5)
        return coach.propose(
            ImproveContext(run=best, history=history, profile=meta, recommendations=recs)
        )

    async def run_proposal(improvement: Improvement, _parent: run_pb2.Run) -> run_pb2.Run:
        run = await runner.run(
            data, improvement.code, improvement.name, platform=improvement.platform_code
        )
        runs.append(run)
        return run

    loop = await auto_improve(
        starter,
        [],
        propose,
        run_proposal,
        ROUNDS,
        patience=ROUNDS,
        metric=ranking_metric(data.task),
    )
    scores = [step.score for step in loop.rounds]
    if record:
        meta = ensure_profile(db, recommender, data.sha)
        with db.session() as s:
            for run in runs:
                if (scored := scored_run(run)) is not None:
                    recommender.record_run(s, scored, meta)
    trail = [score(starter, data.task), *scores]
    return Session(arm, data.name, position, scores[0] if scores else None, static, 0.0, trail)


async def main_async(args: argparse.Namespace) -> int:
    overlap = set(BENCH_DATASETS) & set(PRIOR_DATASETS)
    if overlap:
        raise SystemExit(f"benchmark data sets are also priors: {sorted(overlap)}")
    names = args.only or list(BENCH_DATASETS)
    results: list[Session] = []
    with tempfile.TemporaryDirectory(prefix="bench-regret-") as tmp:
        work = Path(tmp)
        store = DatasetStore(work / "datasets")
        async with SandboxPool(size=2) as pool:
            runner = Runner(pool)
            sets = await prepare(names, store, runner)
            for order in range(args.orders):
                sequence = names[:]
                random.Random(order).shuffle(sequence)
                for arm in ARMS:
                    slug = arm.replace(" ", "-")
                    db = Database(f"sqlite:///{work / f'kb-{order}-{slug}.db'}")
                    db.migrate("recommender", "services.recommender.migrations")
                    recommender = RecommenderService(store, priors=Priors.load(), seed=order)
                    for position, name in enumerate(sequence):
                        if arm == "priors only" and position:
                            # A fresh knowledge base for each session: priors alone.
                            db.dispose()
                            db = Database(f"sqlite:///{work / f'kb-{order}-priors-{position}.db'}")
                            db.migrate("recommender", "services.recommender.migrations")
                        done = await session(
                            arm, position, sets[name], runner, db, recommender, arm == "learning"
                        )
                        results.append(done)
                        print(
                            f"order {order} {arm:12s} #{position:2d} {name:15s} "
                            f"first={done.first} trail={done.trail}",
                            flush=True,
                        )
                    db.dispose()
            for done in results:
                done.best_known = sets[done.dataset].best_known
    report(results, len(names), args.figure)
    return 0


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def report(results: list[Session], length: int, figure: Path | None) -> None:
    curve = {
        arm: [
            _mean([r.regret for r in results if r.arm == arm and r.position == p])
            for p in range(length)
        ]
        for arm in ARMS
    }
    print("\nfirst proposal's regret by position in the sequence (mean over orders)")
    print("position | " + " | ".join(ARMS))
    for p in range(length):
        print(f"{p:8d} | " + " | ".join(f"{curve[arm][p]:.4f}" for arm in ARMS))
    half = length // 2
    print("\nsecond half of the sequence (the knowledge base has seen most sets):")
    for arm in ARMS:
        late = [r for r in results if r.arm == arm and r.position >= half]
        beat = [r for r in late if r.first is not None and r.static is not None]
        wins = sum(1 for r in beat if (r.first or 0.0) > (r.static or 0.0))
        print(
            f"  {arm:12s} mean regret {_mean([r.regret for r in late]):.4f}; "
            f"first proposal beat the static default in {wins}/{len(beat)}; "
            f"mean rounds to a good model {_mean([float(r.rounds_to_good) for r in late]):.2f}"
        )
    # The same positions for both: the second half of the sequence.
    static_regret = _mean(
        [r.regret for r in results if r.arm == "learning off" and r.position >= half]
    )
    learned = _mean([r.regret for r in results if r.arm == "learning" and r.position >= half])
    if static_regret > 0:
        print(
            f"\nregret vs static default: {100 * (1 - learned / static_regret):+.0f} % "
            "(seed target: recommendations 30 % better than static defaults)"
        )
    if figure is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(7, 4))
        for arm in ARMS:
            ax.plot(range(length), curve[arm], marker="o", label=arm)
        ax.set_xlabel("sessions in the knowledge base before this one")
        ax.set_ylabel("first proposal's regret (best known − score)")
        ax.set_title("Does the recommender learn? (bench/bench_regret.py)")
        ax.legend()
        fig.tight_layout()
        figure.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(figure, dpi=110)
        print(f"curve written to {figure}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Recommender learning curve (issue 20 §2)")
    parser.add_argument("--only", nargs="*", help="data set names (bench_coach's)")
    parser.add_argument("--orders", type=int, default=3, help="shuffles of the sequence")
    parser.add_argument("--figure", type=Path, default=ROOT / "bench" / "figures" / "regret.png")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
