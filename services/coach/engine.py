"""Improvement engines: given a run and what the recommender knows, propose one experiment.

An engine is anything with a `name` and `propose(context)`. The built-in engine works
offline (rules + recommender + code templates); other engines (e.g. an OpenAI-compatible
one) plug in through the same interface.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Protocol

from ascent.types.v1 import run_pb2

from services.coach.codegen import generate_code, resolve_estimator, runnable_spec
from services.coach.diagnosis import Finding, diagnose
from services.common.ml.metafeatures import MetaFeatures
from services.common.ml.pipelines import (
    PORTFOLIO,
    PipelineSpec,
    Recommendation,
    pipeline_key,
    prior_recommendations,
    spec_from_outcome,
)
from services.common.ml.scoring import RANKING_METRIC, ranking_score
from services.common.ml.tasks import CLASSIFICATION, REGRESSION

# Estimator name → the short name used in experiment titles ("RandomForest + Scaling").
_SUFFIXES = ("Classifier", "Regressor")


@dataclass(frozen=True)
class ImproveContext:
    run: run_pb2.Run
    history: list[run_pb2.Run] = field(default_factory=list)
    # From the recommender; None when it was unavailable.
    profile: MetaFeatures | None = None
    recommendations: list[Recommendation] = field(default_factory=list)

    @property
    def task_type(self) -> str:
        return infer_run_task(self.run, self.profile)


@dataclass(frozen=True)
class Improvement:
    diagnosis: str
    suggestions: list[str]
    name: str
    code: str
    rationale: str
    pipeline_keys: list[str]
    # Socratic material: progressive hints (no answer in them) and guiding questions.
    hints: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    # The engine that produced this proposal ("" = the service's engine) and, when another
    # engine had to answer, why.
    engine: str = ""
    notice: str = ""


class ImprovementEngine(Protocol):
    name: str

    def propose(self, context: ImproveContext) -> Improvement: ...


def infer_run_task(run: run_pb2.Run, profile: MetaFeatures | None) -> str:
    """Profile first, then what the run itself reported; classification like the seed."""
    if profile is not None and profile.task_type in (CLASSIFICATION, REGRESSION):
        return profile.task_type
    if run.outcome.task_type in (CLASSIFICATION, REGRESSION):
        return str(run.outcome.task_type)
    try:
        info = json.loads(run.outcome.dataset_info_json or "{}")
    except ValueError:
        info = {}
    if isinstance(info, dict) and info.get("task_type") in (CLASSIFICATION, REGRESSION):
        return str(info["task_type"])
    scored = ranking_score(run.outcome)
    if scored is not None and scored.metric == RANKING_METRIC[REGRESSION]:
        return REGRESSION
    return CLASSIFICATION


def tried_keys(runs: list[run_pb2.Run], task_type: str) -> set[str]:
    """Keys of the runnable pipelines these runs reported (their `PIPELINE:` line)."""
    keys: set[str] = set()
    for run in runs:
        if not run.outcome.pipeline_json.strip():
            continue
        spec = spec_from_outcome(run.outcome.pipeline_json, "")
        runnable = runnable_spec(spec, task_type) if spec else None
        if runnable is not None:
            keys.add(pipeline_key(runnable))
    return keys


def experiment_name(spec: PipelineSpec, profile: MetaFeatures | None, crashed: bool) -> str:
    short = spec["estimator"]
    for suffix in _SUFFIXES:
        if short.endswith(suffix) and short != suffix:
            short = short[: -len(suffix)]
    parts = [short]
    if "StandardScaler" in spec["steps"]:
        parts.append("Scaling")
    if profile is not None and profile.missing_ratio > 0:
        parts.append("Imputation")
    if (profile is not None and profile.categorical_ratio > 0) or crashed:
        parts.append("Encoding")
    return " + ".join(parts)


@dataclass(frozen=True)
class _Choice:
    spec: PipelineSpec
    recommendation: Recommendation


class BuiltinEngine:
    """Offline engine: rule-based diagnosis, recommender-ranked pipeline, templated code."""

    name = "builtin"

    def propose(self, context: ImproveContext) -> Improvement:
        task_type = context.task_type
        crashed = context.run.has_error or context.run.status not in ("", "ok")
        choice = self.choose(context, task_type, crashed)
        name = experiment_name(choice.spec, context.profile, crashed)
        rationale = self.rationale(context, choice, crashed)
        proposal = Finding(
            sentence=(
                f"The proposed experiment, {name}, runs {choice.spec['estimator']} behind "
                "imputation and one-hot encoding so it works on any CSV"
                + (
                    f" ({choice.recommendation.rationale})."
                    if choice.recommendation.support
                    else "."
                )
            ),
            suggestion=f'Run the proposed experiment "{name}" and compare it with this run.',
        )
        diagnosis = diagnose(context.run, context.profile, context.history, task_type, proposal)
        code = generate_code(choice.spec, task_type, name, rationale)
        return Improvement(
            diagnosis=diagnosis.text,
            suggestions=diagnosis.suggestions,
            name=name,
            code=code,
            rationale=rationale,
            pipeline_keys=[pipeline_key(choice.spec)],
            hints=[
                *diagnosis.suggestions[:-1],
                f"Consider {choice.spec['estimator']} with the preprocessing it needs.",
            ],
            questions=diagnosis.questions,
            engine=self.name,
        )

    def choose(self, context: ImproveContext, task_type: str, crashed: bool) -> _Choice:
        """The best recommendation that was not tried yet in this session.

        Candidates: the recommender's ranking, then the built-in priors, then the wider
        portfolio (tuned variants), so repeated rounds keep proposing something new. After a
        crash the top untried one is fine even with the same estimator: the generated
        preprocessing is itself the fix. Otherwise prefer another estimator, then at least
        another pipeline.
        """
        candidates: list[_Choice] = []
        portfolio = [
            Recommendation(spec, pipeline_key(spec), 0.0, 0, "portfolio")
            for spec in PORTFOLIO.get(task_type, ())
        ]
        for rec in [*context.recommendations, *prior_recommendations(task_type), *portfolio]:
            spec = runnable_spec(rec.spec, task_type)
            if spec is not None and all(c.spec != spec for c in candidates):
                candidates.append(_Choice(spec, rec))
        tried = tried_keys([context.run, *context.history], task_type)
        untried = [c for c in candidates if pipeline_key(c.spec) not in tried] or candidates
        if crashed:
            return untried[0]
        used = spec_from_outcome(context.run.outcome.pipeline_json, context.run.outcome.model_type)
        used_estimator = resolve_estimator(used["estimator"], task_type) if used else None
        used_spec = runnable_spec(used, task_type) if used else None
        for candidate in untried:
            if candidate.spec["estimator"] != used_estimator:
                return candidate
        for candidate in untried:
            if candidate.spec != used_spec:
                return candidate
        return untried[0]

    def rationale(self, context: ImproveContext, choice: _Choice, crashed: bool) -> str:
        rec = choice.recommendation
        evidence = (
            f"recommended for similar data: {rec.rationale}"
            if rec.support
            else "a strong default for this kind of data (no similar runs recorded yet)"
        )
        used = context.run.outcome.model_type
        if crashed:
            change = "It fixes the crash: every column is imputed and text is one-hot encoded"
        elif used and used != choice.spec["estimator"]:
            change = f"It replaces {used}"
        else:
            change = "It keeps the model and adds the preprocessing it needs"
        return f"{choice.spec['estimator']} is {evidence}. {change}."
