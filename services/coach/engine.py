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

from services.coach.codegen import ESTIMATORS, generate_code, resolve_estimator, runnable_spec
from services.coach.diagnosis import Finding, column_handling, diagnose
from services.coach.learner_code import CodeFacts, edit_code, read_code
from services.common.ml.columns import DATE, TEXT, columns_with
from services.common.ml.metafeatures import MetaFeatures
from services.common.ml.pipelines import (
    PORTFOLIO,
    PipelineSpec,
    Recommendation,
    pipeline_key,
    prior_recommendations,
    prior_specs,
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
    # Pipeline keys the coach already proposed in this session (its own store), run or not:
    # a Socratic proposal whose answer was never asked for is still "tried".
    proposed_keys: frozenset[str] = frozenset()

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
    # For the platform's learning metrics (coach.improvement.proposed.v1): the knowledge
    # base's expected score of the pipeline (None without evidence), where the pipeline came
    # from, and whether it was not the top-ranked candidate.
    predicted_score: float | None = None
    source: str = ""
    explored: bool = False
    # The code is the built-in engine's complete template (not the learner's code edited,
    # not AI-written): the scores it prints are the platform's (ImproveResponse.platform_code).
    platform_code: bool = False


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


# Parameters that do not make one variant of an estimator differ from another.
_NEUTRAL_PARAMS = ("random_state", "n_jobs")


def _short_estimator(estimator: str) -> str:
    for suffix in _SUFFIXES:
        if estimator.endswith(suffix) and estimator != suffix:
            return estimator[: -len(suffix)]
    return estimator


def _variant(spec: PipelineSpec, task_type: str) -> str:
    """ "" for a plain prior; else the parameters that make this variant ("C=3.0")."""
    for prior in prior_specs(task_type):
        if prior["estimator"] == spec["estimator"] and prior["params"] == spec["params"]:
            return ""
    shown = [f"{k}={v}" for k, v in sorted(spec["params"].items()) if k not in _NEUTRAL_PARAMS]
    return ", ".join(shown[:3])


def experiment_name(
    spec: PipelineSpec,
    profile: MetaFeatures | None,
    crashed: bool,
    edited: bool = False,
    task_type: str = "",
) -> str:
    """A title that says what the experiment changes, e.g. "SVC (C=3.0) + Scaling"."""
    short = _short_estimator(spec["estimator"])
    variant = _variant(spec, task_type) if task_type else ""
    parts = [f"{short} ({variant})" if variant else short]
    if "StandardScaler" in spec["steps"]:
        parts.append("Scaling")
    if edited:
        return " + ".join(parts)
    roles = profile.column_roles if profile is not None else {}
    if profile is not None and profile.missing_ratio > 0:
        parts.append("Imputation")
    if (profile is not None and profile.categorical_ratio > 0) or crashed:
        parts.append("Encoding")
    if columns_with(roles, DATE):
        parts.append("Date parts")
    if columns_with(roles, TEXT):
        parts.append("TF-IDF")
    return " + ".join(parts)


@dataclass(frozen=True)
class _Choice:
    spec: PipelineSpec
    recommendation: Recommendation
    # "knowledge_base" | "priors" | "portfolio"; its place among the candidates (0: the top).
    source: str = "priors"
    rank: int = 0


def used_estimator(run: run_pb2.Run, facts: CodeFacts, task_type: str) -> str | None:
    """The estimator the run trained: its `PIPELINE:`/`MODEL_TYPE:` lines, else its code."""
    used = spec_from_outcome(run.outcome.pipeline_json, run.outcome.model_type)
    if used is not None and (resolved := resolve_estimator(used["estimator"], task_type)):
        return resolved
    return resolve_estimator(facts.estimator, task_type) if facts.estimator else None


CRASHED = "it stopped before training"


def _needs_preprocessing(context: ImproveContext, facts: CodeFacts, crashed: bool) -> str:
    """Why the learner's code cannot just be edited ("" when it can)."""
    if crashed:
        return CRASHED
    profile = context.profile
    if profile is None:
        return ""
    handling = column_handling(profile.column_roles)
    if handling and not facts.vectorises_text:
        return "it has no step for " + ", ".join(handling)
    if profile.missing_ratio > 0 and not facts.imputes:
        return "it has no step for the missing values"
    if profile.categorical_ratio > 0 and not facts.encodes:
        return "it has no step for the text columns"
    return ""


class BuiltinEngine:
    """Offline engine: rule-based diagnosis, recommender-ranked pipeline, code that is the
    learner's own with one change where it can be, else a complete template."""

    name = "builtin"

    def propose(self, context: ImproveContext) -> Improvement:
        task_type = context.task_type
        run = context.run
        crashed = run.has_error or run.status not in ("", "ok")
        facts = read_code(run.code)
        used = used_estimator(run, facts, task_type)
        choice = self.choose(context, task_type, crashed, used)
        spec = choice.spec
        blocker = _needs_preprocessing(context, facts, crashed)
        code: str | None = None
        if not blocker and not facts.coach_template and facts.estimator:
            learner_task = ESTIMATORS[facts.estimator].task
            if learner_task == task_type:
                code = edit_code(run.code, facts, spec)
        edited = code is not None
        name = experiment_name(spec, context.profile, crashed, edited, task_type)
        roles = context.profile.column_roles if context.profile is not None else {}
        rationale = self.rationale(context, choice, used, facts, edited, blocker)
        if code is None:
            code = generate_code(spec, task_type, name, rationale, roles)
        proposal = Finding(
            sentence=self.proposal_sentence(name, spec, used, facts, edited, roles, choice),
            suggestion=f'Run the proposed experiment "{name}" and compare it with this run.',
        )
        diagnosis = diagnose(
            run, context.profile, context.history, task_type, proposal, facts, handled=not edited
        )
        return Improvement(
            diagnosis=diagnosis.text,
            suggestions=diagnosis.suggestions,
            name=name,
            code=code,
            rationale=rationale,
            pipeline_keys=[pipeline_key(spec)],
            hints=diagnosis.hints or [self.fallback_hint(context, used)],
            questions=diagnosis.questions,
            engine=self.name,
            predicted_score=(
                choice.recommendation.expected_score if choice.recommendation.support else None
            ),
            source=choice.source,
            explored=choice.rank > 0,
            platform_code=not edited,
        )

    def fallback_hint(self, context: ImproveContext, used: str | None) -> str:
        """A hint when no rule had one: what the session has tried, without the answer."""
        tried = sorted(
            {
                _short_estimator(name)
                for run in [context.run, *context.history]
                if (name := run.outcome.model_type.strip())
            }
        )
        if tried:
            return (
                f"Your runs here used {', '.join(tried)}: which other family of models have "
                "you not tried yet?"
            )
        return f"Think about what {used or 'your model'} assumes about the data."

    def choose(
        self, context: ImproveContext, task_type: str, crashed: bool, used: str | None = None
    ) -> _Choice:
        """The best recommendation that was not tried yet in this session.

        Candidates: the recommender's ranking, then the built-in priors, then the wider
        portfolio (tuned variants), so repeated rounds keep proposing something new. Tried:
        what the session's runs report (`PIPELINE:` lines) and whatever the coach already
        proposed in it. After a crash the top untried one is fine even with the same
        estimator: the generated preprocessing is itself the fix. Otherwise prefer another
        estimator, then at least another pipeline.
        """
        candidates: list[_Choice] = []
        portfolio = [
            Recommendation(spec, pipeline_key(spec), 0.0, 0, "portfolio")
            for spec in PORTFOLIO.get(task_type, ())
        ]
        ranked = [
            *(("knowledge_base" if r.support else "priors", r) for r in context.recommendations),
            *(("priors", r) for r in prior_recommendations(task_type)),
            *(("portfolio", r) for r in portfolio),
        ]
        for source, rec in ranked:
            spec = runnable_spec(rec.spec, task_type)
            if spec is not None and all(c.spec != spec for c in candidates):
                candidates.append(_Choice(spec, rec, source, len(candidates)))
        tried = tried_keys([context.run, *context.history], task_type) | context.proposed_keys
        untried = [c for c in candidates if pipeline_key(c.spec) not in tried] or candidates
        if crashed:
            return untried[0]
        reported = spec_from_outcome(
            context.run.outcome.pipeline_json, context.run.outcome.model_type
        )
        used_spec = runnable_spec(reported, task_type) if reported else None
        for candidate in untried:
            if candidate.spec["estimator"] != used:
                return candidate
        for candidate in untried:
            if candidate.spec != used_spec:
                return candidate
        return untried[0]

    def proposal_sentence(
        self,
        name: str,
        spec: PipelineSpec,
        used: str | None,
        facts: CodeFacts,
        edited: bool,
        roles: dict[str, str],
        choice: _Choice,
    ) -> str:
        new = spec["estimator"]
        scaler = "StandardScaler" in spec["steps"] and not facts.scaled
        if edited:
            what = (
                f"keeps your code and swaps {used} for {new}"
                if used and used != new
                else f"keeps your code and your {new} with other settings"
            )
            if scaler:
                what += ", behind a StandardScaler step"
        else:
            what = (
                f"runs {new} on those prepared columns, with imputation and one-hot encoding "
                "of the rest"
                if column_handling(roles)
                else f"runs {new} behind imputation and one-hot encoding"
            )
        evidence = f" ({choice.recommendation.rationale})" if choice.recommendation.support else ""
        return f"The proposed experiment, {name}, {what}{evidence}."

    def rationale(
        self,
        context: ImproveContext,
        choice: _Choice,
        used: str | None,
        facts: CodeFacts,
        edited: bool,
        blocker: str,
    ) -> str:
        rec = choice.recommendation
        new = choice.spec["estimator"]
        evidence = (
            f"recommended for similar data: {rec.rationale}"
            if rec.support
            else "a strong default for this kind of data (no similar runs recorded yet)"
        )
        if crashed_before_training := blocker == CRASHED:
            change = "It fixes the crash" + (
                f" and replaces your {used} with {new}" if used and used != new else ""
            )
        elif not used:
            change = f"Your run did not show which model it trained; this experiment uses {new}"
        elif used != new:
            change = f"It replaces your {used} with {new}"
        else:
            change = f"It keeps your {new} and changes its settings"
        if edited:
            scaler = "StandardScaler" in choice.spec["steps"] and not facts.scaled
            form = (
                "The change is made in your own code: the model line"
                + (" (now behind a StandardScaler)" if scaler else "")
                + ", its import and the MODEL_TYPE line; the rest is yours"
            )
        elif facts.coach_template:
            form = "It is the coach's template again, with the new model and settings"
        elif crashed_before_training:
            form = (
                "Your code is rewritten around a preprocessing pipeline (every column imputed, "
                "text encoded) because the run stopped before training: compare it with "
                "yours before you accept it"
            )
        elif blocker:
            form = (
                f"Your code is rewritten around a preprocessing pipeline because {blocker}: "
                "compare it with yours before you accept it"
            )
        else:
            form = (
                "Your code builds no single model the coach can swap, so this is a complete "
                "rewrite: compare it with yours before you accept it"
            )
        return f"{new} is {evidence}. {change}. {form}."
