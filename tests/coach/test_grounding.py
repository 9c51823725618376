"""Issue 13, item 15: every sentence grounded in the code and the run, never a repeated
proposal, and a diff that shows the idea (the learner's code with one change)."""

from __future__ import annotations

import ast
import difflib
import json
from pathlib import Path

import pytest
from ascent.types.v1 import run_pb2

from services.coach.codegen import runnable_spec
from services.coach.engine import BuiltinEngine, ImproveContext
from services.common.ml.metafeatures import profile_builtin_iris
from services.common.ml.pipelines import Recommendation, pipeline_key
from services.execution.protocol import parse_stdout
from tests.coach.helpers import SEED_TEMPLATE, run_code, scored_run

IRIS = profile_builtin_iris()
SVC = {"steps": ["StandardScaler"], "estimator": "SVC", "params": {"C": 3.0}}


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="")
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.sandbox
def test_the_proposal_is_the_learners_code_with_the_estimator_swapped(tmp_path: Path) -> None:
    run = scored_run("LogisticRegression", 1.0, code=SEED_TEMPLATE)
    improvement = BuiltinEngine().propose(ImproveContext(run=run, profile=IRIS))
    changed = changed_lines(SEED_TEMPLATE, improvement.code)
    # The import, the model line and the MODEL_TYPE line change; one PIPELINE line is added.
    assert len(changed) == 7, changed
    assert "-model = LogisticRegression(max_iter=200)" in changed
    assert any(line.startswith("+model = RandomForestClassifier(") for line in changed)
    assert "+from sklearn.ensemble import RandomForestClassifier" in changed
    assert "made in your own code" in improvement.rationale
    assert "It replaces your LogisticRegression with RandomForestClassifier" in (
        improvement.rationale
    )
    assert "keeps your code and swaps LogisticRegression for RandomForestClassifier" in (
        improvement.diagnosis
    )
    result = run_code(improvement.code, None, tmp_path)
    assert result.returncode == 0, result.stderr
    outcome = parse_stdout(result.stdout)
    assert outcome.model_type == "RandomForestClassifier"
    assert json.loads(outcome.pipeline_json)["estimator"] == "RandomForestClassifier"


@pytest.mark.sandbox
def test_a_scale_sensitive_model_comes_with_a_scaler_step(tmp_path: Path) -> None:
    run = scored_run("LogisticRegression", 0.9, code=SEED_TEMPLATE)
    recommended = Recommendation(SVC, pipeline_key(SVC), 0.97, 3, "best on iris (0.970)")
    improvement = BuiltinEngine().propose(
        ImproveContext(run=run, profile=IRIS, recommendations=[recommended])
    )
    assert "model = make_pipeline(StandardScaler(), SVC(C=3.0))" in improvement.code
    assert "now behind a StandardScaler" in improvement.rationale
    result = run_code(improvement.code, None, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.line("MODEL_TYPE") == "SVC"


def test_code_the_coach_cannot_edit_is_rewritten_and_it_says_so() -> None:
    code = (
        "from sklearn.ensemble import RandomForestClassifier, VotingClassifier\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "model = VotingClassifier([('a', LogisticRegression()), "
        "('b', RandomForestClassifier())])\n"
    )
    run = scored_run("VotingClassifier", 0.9, code=code)
    improvement = BuiltinEngine().propose(ImproveContext(run=run, profile=IRIS))
    assert "complete rewrite" in improvement.rationale
    assert improvement.code.startswith("# Improved experiment proposed by the Ascent coach.")


def test_the_rationale_never_keeps_a_model_it_switches() -> None:
    """The run printed no MODEL_TYPE: the model comes from the code (`ast`)."""
    run = scored_run("", 0.9, code=SEED_TEMPLATE.replace('print(f"MODEL_TYPE: ', "# "))
    improvement = BuiltinEngine().propose(ImproveContext(run=run, profile=IRIS))
    assert "keeps" not in improvement.rationale
    assert "It replaces your LogisticRegression with RandomForestClassifier" in (
        improvement.rationale
    )


def printed_pipeline(code: str) -> str:
    """The `PIPELINE:` line an edited experiment prints (a literal in its code)."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Constant) and str(node.value).startswith("PIPELINE: "):
            return str(node.value)
    raise AssertionError("no PIPELINE line")


def test_improve_again_never_proposes_an_experiment_already_tried() -> None:
    """Each round's run reports what it tried (its PIPELINE line); the next round skips it."""
    engine = BuiltinEngine()
    start = scored_run("LogisticRegression", 1.0, code=SEED_TEMPLATE)
    history: list[run_pb2.Run] = []
    names: list[str] = []
    keys: list[str] = []
    for index in range(4):
        improvement = engine.propose(ImproveContext(run=start, history=history, profile=IRIS))
        names.append(improvement.name)
        keys.append(improvement.pipeline_keys[0])
        ran = scored_run("", 1.0, id=f"round-{index}", code=improvement.code)
        ran.outcome.CopyFrom(parse_stdout(printed_pipeline(improvement.code) + "\n"))
        history.append(ran)
    assert len(set(keys)) == 4 and len(set(names)) == 4, names


def test_a_proposal_never_run_still_counts_as_tried() -> None:
    """A Socratic proposal whose answer was not asked for is known to the coach's store."""
    run = scored_run("LogisticRegression", 1.0, code=SEED_TEMPLATE)
    first = BuiltinEngine().propose(ImproveContext(run=run, profile=IRIS))
    again = BuiltinEngine().propose(
        ImproveContext(run=run, profile=IRIS, proposed_keys=frozenset(first.pipeline_keys))
    )
    assert again.pipeline_keys != first.pipeline_keys
    assert again.name != first.name


def test_an_edit_of_an_edit_reports_only_the_new_pipeline() -> None:
    """Auto-improve edits the best run's code, itself an edit: its run must report the new
    pipeline (the protocol keeps the last PIPELINE line), or the next round repeats it."""
    engine = BuiltinEngine()
    start = scored_run("LogisticRegression", 0.9, code=SEED_TEMPLATE)
    first = engine.propose(ImproveContext(run=start, profile=IRIS))
    best = scored_run("", 0.95, id="r1", code=first.code)
    best.outcome.CopyFrom(parse_stdout(printed_pipeline(first.code) + "\n"))
    second = engine.propose(ImproveContext(run=best, history=[start], profile=IRIS))
    assert second.code.count("PIPELINE: ") == 1
    reported = json.loads(printed_pipeline(second.code).split(": ", 1)[1])
    assert (
        pipeline_key(runnable_spec(reported, "classification") or {}) == (second.pipeline_keys[0])
    )
    assert second.pipeline_keys != first.pipeline_keys
