"""The OpenAI engine (any OpenAI-compatible endpoint) and the validating fallback wrapper.

`OpenAIEngine` asks a chat model for a structured answer (JSON schema, strict): diagnosis,
suggestions, hints, guiding questions, and one complete experiment. The built-in engine's
own analysis (rule diagnosis, the recommender's pipelines) goes into the prompt, so the model
starts from the same facts.

`ValidatingEngine` puts every proposal of its primary engine through `validation.validate`
(parses, run contract, a dry run in the execution sandbox); when the call fails, the code is
invalid or the sandbox cannot be reached to check it, the built-in engine answers instead
and the improvement says so in `notice`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from services.coach.engine import BuiltinEngine, ImproveContext, Improvement, ImprovementEngine
from services.coach.validation import DryRun, DryRunUnavailable, validate
from services.common.ml.pipelines import describe
from services.common.ml.scoring import ranking_score

if TYPE_CHECKING:
    # Only the message types: the client itself is imported when an engine is built.
    from openai.types.chat import ChatCompletionMessageParam

log = logging.getLogger(__name__)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["diagnosis", "suggestions", "hints", "questions", "name", "code", "rationale"],
    "properties": {
        "diagnosis": {"type": "string"},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "hints": {"type": "array", "items": {"type": "string"}},
        "questions": {"type": "array", "items": {"type": "string"}},
        "name": {"type": "string"},
        "code": {"type": "string"},
        "rationale": {"type": "string"},
    },
}

SYSTEM_PROMPT = """You are the Ascent ML coach. A learner ran a scikit-learn experiment.
Diagnose it (crash cause; under/over-fitting; class imbalance; unscaled features for
scale-sensitive models; unhandled categorical or missing values; ID or leaky columns; too
little data) and propose ONE complete improved experiment.

The code MUST: read the dataset with pd.read_csv('/data/uploaded.csv') (the target is the
last column; fall back to sklearn's load_iris when the file is missing); split with
train_test_split(X, y, test_size=0.2, random_state=42); import only pandas, numpy, sklearn,
json, math; print "MODEL_TYPE: <estimator class>", then "ACCURACY: <0.xxxx>" for
classification or "R2: <0.xxxx>" for regression, and optionally
"PIPELINE: <json spec {steps, estimator, params}>".
Give 2-3 suggestions, 2-3 progressive hints that do not reveal the answer, and 1-3 guiding
questions. Answer with the JSON object only."""


def _run_summary(context: ImproveContext) -> dict[str, Any]:
    run = context.run
    scored = ranking_score(run.outcome)
    return {
        "status": run.status or "ok",
        "error": f"{run.error.type}: {run.error.message}" if run.has_error else "",
        "stderr_tail": run.stderr[-1500:],
        "model_type": run.outcome.model_type,
        "score": {scored.metric: round(scored.value, 4)} if scored else None,
        "code": run.code[-6000:],
    }


def build_messages(
    context: ImproveContext, builtin: Improvement
) -> list[ChatCompletionMessageParam]:
    profile = context.profile
    facts = {
        "run": _run_summary(context),
        "task_type": context.task_type,
        "dataset_profile": (
            {
                "rows": profile.rows,
                "features": profile.columns,
                "classes": profile.n_classes,
                "missing_ratio": profile.missing_ratio,
                "categorical_ratio": profile.categorical_ratio,
                "class_imbalance": profile.class_imbalance,
                "target": profile.target,
            }
            if profile
            else None
        ),
        "earlier_runs": [
            {"name": r.name, "model_type": r.outcome.model_type, "score": ranking_score(r.outcome)}
            for r in context.history[-5:]
            if r.id != context.run.id
        ],
        "recommended_pipelines": [
            {"pipeline": describe(r.spec), "expected_score": r.expected_score, "why": r.rationale}
            for r in context.recommendations[:3]
        ],
        "rule_based_diagnosis": builtin.diagnosis,
    }
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": json.dumps(facts, default=str)},
    ]


def _strings(value: Any, limit: int) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(item).strip() for item in value if str(item).strip()][:limit]


class OpenAIEngine:
    """Structured-output chat completion against any OpenAI-compatible base URL."""

    name = "openai"

    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 30.0,
        client: Any | None = None,
    ) -> None:
        if client is None:
            from openai import OpenAI

            client = OpenAI(
                api_key=api_key or "unused",
                base_url=base_url or None,
                timeout=timeout,
                max_retries=0,
            )
        self.client = client
        self.model = model
        self.builtin = BuiltinEngine()

    def propose(self, context: ImproveContext) -> Improvement:
        # The rule engine's analysis is part of the prompt (and the fallback answer).
        builtin = self.builtin.propose(context)
        response = self.client.chat.completions.create(
            model=self.model,
            messages=build_messages(context, builtin),
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "improvement", "strict": True, "schema": SCHEMA},
            },
            temperature=0.2,
        )
        content = response.choices[0].message.content or ""
        try:
            data = json.loads(content)
        except ValueError as exc:
            raise ValueError("the AI answer is not valid JSON") from exc
        if not isinstance(data, dict):
            raise ValueError("the AI answer is not a JSON object")
        missing = [
            key for key in ("diagnosis", "name", "code") if not str(data.get(key, "")).strip()
        ]
        if missing:
            raise ValueError(f"the AI answer lacks {', '.join(missing)}")
        suggestions = _strings(data.get("suggestions"), 3) or builtin.suggestions
        return Improvement(
            diagnosis=str(data["diagnosis"]).strip(),
            suggestions=suggestions,
            name=str(data["name"]).strip()[:200],
            code=str(data["code"]),
            rationale=str(data.get("rationale", "")).strip(),
            pipeline_keys=[],
            hints=_strings(data.get("hints"), 3),
            questions=_strings(data.get("questions"), 3),
            engine=self.name,
            source="llm",
        )


class ValidatingEngine:
    """Validates the primary engine's proposals; the built-in engine answers when they fail."""

    def __init__(
        self,
        primary: ImprovementEngine,
        fallback: ImprovementEngine | None = None,
        dry_run: DryRun | None = None,
    ) -> None:
        self.primary = primary
        self.fallback = fallback or BuiltinEngine()
        self.dry_run = dry_run
        self.name = primary.name

    def propose(self, context: ImproveContext) -> Improvement:
        try:
            improvement = self.primary.propose(context)
        except Exception as exc:  # any failure of the AI call: timeout, HTTP, schema
            log.warning(
                "AI engine failed; using the built-in engine",
                extra={"error": f"{type(exc).__name__}: {exc}"[:300]},
            )
            return self._fallback(context, f"the AI engine failed ({_reason(exc)})")
        try:
            check = validate(improvement.code, context.run, self.dry_run)
        except DryRunUnavailable as exc:
            # Unchecked AI code never reaches the learner.
            return self._fallback(context, f"the AI proposal could not be checked ({exc})")
        if not check.ok:
            log.warning("AI proposal rejected", extra={"problems": check.reason[:300]})
            return self._fallback(context, f"the AI proposal failed validation ({check.reason})")
        return replace(improvement, engine=improvement.engine or self.primary.name)

    def _fallback(self, context: ImproveContext, why: str) -> Improvement:
        improvement = self.fallback.propose(context)
        return replace(
            improvement,
            engine=self.fallback.name,
            notice=f"{why[:400]}; the built-in coach answered instead.",
        )


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
