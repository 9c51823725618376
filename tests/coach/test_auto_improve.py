"""The auto-improve loop: pure rules, then for real with generated code in the sandbox."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ascent.types.v1 import run_pb2

from services.coach.engine import BuiltinEngine, ImproveContext, Improvement
from services.common.autoimprove import LoopResult, auto_improve
from services.common.templates import STARTER_TEMPLATE
from services.execution.sandbox import SandboxPool
from tests.coach.helpers import sandbox_run
from tests.recommender.data import mixed_csv


def scored(
    accuracy: float | None, r2: float | None = None, task: str = "", cv: float | None = None
) -> run_pb2.Run:
    run = run_pb2.Run(id=str(uuid.uuid4()), status="ok")
    if accuracy is not None:
        run.outcome.accuracy = accuracy
    if cv is not None:
        run.outcome.cv_score = cv
    if r2 is not None:
        run.outcome.r2 = r2
    run.outcome.task_type = task
    return run


async def scripted_loop(
    start: run_pb2.Run, results: list[run_pb2.Run], *, rounds: int, patience: int = 1
) -> tuple[LoopResult[str], list[str]]:
    queue = list(results)
    seen_best: list[str] = []

    async def propose(best: run_pb2.Run, history: list[run_pb2.Run]) -> str:
        seen_best.append(best.id)
        return f"proposal {len(history)}"

    async def execute(proposal: str, parent: run_pb2.Run) -> run_pb2.Run:
        return queue.pop(0)

    result = await auto_improve(start, [], propose, execute, rounds=rounds, patience=patience)
    return result, seen_best


async def test_loop_keeps_the_best_and_stops_when_no_gain() -> None:
    start = scored(0.70)
    better, worse, never = scored(0.80), scored(0.75), scored(0.99)
    result, seen_best = await scripted_loop(start, [better, worse, never], rounds=3)
    assert result.best is better
    assert [r.improved for r in result.rounds] == [True, False]
    assert result.stopped == "no gain in 1 round(s)"
    # Each round improves on the best run so far.
    assert seen_best == [start.id, better.id]


async def test_loop_with_patience_runs_every_round_and_skips_crashes() -> None:
    start = scored(0.70)
    crash = run_pb2.Run(id="c", has_error=True, status="error")
    result, _ = await scripted_loop(
        start, [crash, scored(0.72), scored(0.71)], rounds=3, patience=3
    )
    assert [r.score for r in result.rounds] == [None, 0.72, 0.71]
    assert result.best_score == 0.72
    assert result.stopped == "3 round(s) done"


async def test_loop_switches_to_r2_when_the_target_is_a_quantity() -> None:
    # The seed template reports "accuracy" on a numeric target; the coach's code detects
    # regression and reports R2, which must not be compared with that accuracy.
    start = scored(0.01)
    result, _ = await scripted_loop(start, [scored(None, 0.45, "regression")], rounds=1)
    assert result.best_score == 0.45
    assert result.rounds[0].improved


async def test_loop_never_reads_test_row_scores_to_choose() -> None:
    """Issue 20 §1: with CV scores on both sides, any test scores at all (here the reverse
    order, then noise) leave every decision and the kept round as they were."""
    cvs = [0.80, 0.78, 0.85, 0.84]

    async def decisions(tests: list[float]) -> tuple[list[bool], int, str]:
        rounds = [scored(test, cv=cv) for test, cv in zip(tests, cvs, strict=True)]
        result, _ = await scripted_loop(scored(0.9, cv=0.75), rounds, rounds=4, patience=4)
        assert {r.decided_by for r in result.rounds} == {"cv"}
        kept = next(i for i, r in enumerate(result.rounds) if r.run is result.best)
        return [r.improved for r in result.rounds], kept, result.stopped

    honest = await decisions([0.70, 0.99, 0.60, 0.98])
    assert honest == ([True, False, True, False], 2, "4 round(s) done")
    rng = np.random.default_rng(0)
    for tests in ([0.98, 0.60, 0.99, 0.70], list(rng.uniform(0, 1, 4))):
        assert await decisions(tests) == honest
    # Without a CV score on one side the test rows decide, and the round says so.
    result, _ = await scripted_loop(scored(0.7), [scored(0.8, cv=0.6)], rounds=1)
    assert (result.rounds[0].improved, result.rounds[0].decided_by) == (True, "test")


async def test_loop_rejects_silly_round_counts() -> None:
    with pytest.raises(ValueError, match="rounds"):
        await scripted_loop(scored(0.5), [], rounds=0)


# -- for real: the sandbox --------------------------------------------------------------------
async def improve_in_sandbox(
    pool: SandboxPool, csv: Path, rounds: int
) -> tuple[run_pb2.Run, LoopResult[Improvement]]:
    engine = BuiltinEngine()
    start = await sandbox_run(pool, STARTER_TEMPLATE, csv)

    async def propose(best: run_pb2.Run, history: list[run_pb2.Run]) -> Improvement:
        return engine.propose(ImproveContext(run=best, history=history))

    async def execute(proposal: Improvement, parent: run_pb2.Run) -> run_pb2.Run:
        return await sandbox_run(pool, proposal.code, csv)

    loop = await auto_improve(start, [], propose, execute, rounds=rounds, patience=rounds)
    return start, loop


@pytest.mark.asyncio(loop_scope="module")
async def test_generated_code_fixes_the_seed_crash_in_the_sandbox(
    pool: SandboxPool, tmp_path: Path
) -> None:
    csv = tmp_path / "mixed.csv"
    csv.write_bytes(mixed_csv(seed=9, rows=200))
    start, loop = await improve_in_sandbox(pool, csv, rounds=2)
    assert start.has_error and start.error.type == "ValueError"
    assert loop.best is not start and loop.best_score is not None and loop.best_score > 0.7
    assert all(not r.run.has_error for r in loop.rounds)
    # The coach's programs report a CV score on the training rows; it chose round 2 vs 1.
    assert all(r.cv_score is not None and 0 < r.cv_score <= 1 for r in loop.rounds)
    assert loop.rounds[1].decided_by == "cv"
    # Two rounds, two different pipelines.
    assert len({r.run.outcome.pipeline_json for r in loop.rounds}) == 2


@pytest.mark.asyncio(loop_scope="module")
async def test_generated_code_beats_a_known_bad_baseline_in_the_sandbox(
    pool: SandboxPool, tmp_path: Path
) -> None:
    """Concentric circles: the seed's linear model is at chance; the coach's is not."""
    rng = np.random.default_rng(3)
    radius = np.where(rng.random(400) < 0.5, 1.0, 2.0)
    angle = rng.uniform(0, 2 * np.pi, 400)
    frame = pd.DataFrame(
        {
            "x": radius * np.cos(angle) + rng.normal(0, 0.15, 400),
            "y": radius * np.sin(angle) + rng.normal(0, 0.15, 400),
            "ring": (radius > 1.5).astype(int),
        }
    )
    csv = tmp_path / "circles.csv"
    frame.to_csv(csv, index=False)
    start, loop = await improve_in_sandbox(pool, csv, rounds=1)
    assert start.outcome.accuracy < 0.7
    assert loop.best_score is not None and loop.best_score > 0.9
    assert loop.rounds[0].improved
