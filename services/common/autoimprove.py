"""The auto-improve loop: propose, run, keep the best, stop when rounds stop paying off.

Shared by the gateway's improve flow and the coach benchmark. Transport-free:
`propose(best, history)` asks the coach for the next experiment and
`execute(proposal, parent)` runs it (the gateway's improve flow runs it through the execution
service as an AI-improved child run; the benchmark through the sandbox pool directly). Each
round improves on the best run so far, with every run of the loop in the history, so the
coach never proposes the same pipeline twice.

Selection without leakage (issue 20 §1): rounds are compared by their cross-validated score
on the training rows (`RunOutcome.cv_score`, the `CV_SCORE:` line every program the coach
writes prints), never by the test rows that report the result; the chosen run's test score
is then its one honest estimate. Only when one side of a comparison reports no CV score (the
learner's own code, an edit of it) do the test rows decide, and the round says so
(`Round.decided_by`), so the UI can tell the learner which number chose.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ascent.types.v1 import run_pb2

from services.common.ml.scoring import RANKING_METRIC, ranking_score
from services.common.ml.tasks import REGRESSION

P = TypeVar("P")

MAX_ROUNDS = 5

# What decided a round (Round.decided_by).
CV = "cv"  # cross-validation on the training rows: both runs reported a CV score
TEST = "test"  # the test rows: a run of the comparison reported no CV score


@dataclass
class Round(Generic[P]):
    proposal: P
    run: run_pb2.Run
    score: float | None  # on the test rows: reported, never used to choose when cv decides
    improved: bool  # beat the best run before it
    cv_score: float | None = None  # cross-validated on the training rows
    decided_by: str = CV


@dataclass
class LoopResult(Generic[P]):
    start: run_pb2.Run
    best: run_pb2.Run
    rounds: list[Round[P]] = field(default_factory=list)
    stopped: str = ""  # why the loop ended

    @property
    def best_score(self) -> float | None:
        return comparable_score(self.best, None)


def cv_score(run: run_pb2.Run) -> float | None:
    """The run's cross-validated score on its training rows, when it reported one."""
    if run.has_error or not run.outcome.HasField("cv_score"):
        return None
    return run.outcome.cv_score


def comparable_score(run: run_pb2.Run, metric: str | None) -> float | None:
    """The run's score when it has the loop's metric (accuracy vs R2) and did not fail."""
    scored = ranking_score(run.outcome)
    if run.has_error or scored is None or (metric is not None and scored.metric != metric):
        return None
    return scored.value


async def auto_improve(
    start: run_pb2.Run,
    history: list[run_pb2.Run],
    propose: Callable[[run_pb2.Run, list[run_pb2.Run]], Awaitable[P]],
    execute: Callable[[P, run_pb2.Run], Awaitable[run_pb2.Run]],
    rounds: int,
    patience: int = 1,
    min_gain: float = 0.0,
    metric: str | None = None,
) -> LoopResult[P]:
    """Run up to `rounds` rounds; stop after `patience` rounds in a row without a gain of
    more than `min_gain`. The best run is kept (the start run when nothing beat it).

    Scores compare under one metric: `metric` when given, else the start run's. When the
    start run reported accuracy on what the coach's code detects as a regression target (the
    seed template on a numeric target), the loop switches to R2 and the start run no longer
    counts as a score to beat."""
    if not 1 <= rounds <= MAX_ROUNDS:
        raise ValueError(f"rounds must be between 1 and {MAX_ROUNDS}")
    result: LoopResult[P] = LoopResult(start=start, best=start)
    all_runs = [*history, start]
    start_scored = ranking_score(start.outcome)
    if metric is None and start_scored and not start.has_error:
        metric = start_scored.metric
    best_score = comparable_score(start, metric)
    best_cv = cv_score(start) if best_score is not None else None
    without_gain = 0
    for _ in range(rounds):
        proposal = await propose(result.best, all_runs)
        run = await execute(proposal, result.best)
        all_runs.append(run)
        scored = None if run.has_error else ranking_score(run.outcome)
        regression_metric = RANKING_METRIC[REGRESSION]
        if scored is not None and (
            metric is None
            or (scored.metric == regression_metric and run.outcome.task_type == REGRESSION)
        ):
            if metric != scored.metric:
                metric, best_score, best_cv = scored.metric, None, None
        value = comparable_score(run, metric)
        value_cv = cv_score(run) if value is not None else None
        decided_by = CV if value_cv is not None else TEST
        if value is None:
            improved = False
        elif best_score is None:
            # Nothing to beat (the start failed or used another metric): no score compared.
            improved = True
        elif value_cv is not None and best_cv is not None:
            improved = value_cv > best_cv + min_gain
        else:
            # One side has no CV score (the learner's own code): only the test rows compare.
            improved, decided_by = value > best_score + min_gain, TEST
        result.rounds.append(Round(proposal, run, value, improved, value_cv, decided_by))
        if improved:
            result.best, best_score, best_cv, without_gain = run, value, value_cv, 0
        else:
            without_gain += 1
            if without_gain >= patience:
                result.stopped = f"no gain in {without_gain} round(s)"
                break
    if not result.stopped:
        result.stopped = f"{rounds} round(s) done"
    return result
