"""Self-improvement of the Feature Engineering Playground and the Model Training Sandbox:
what was measured on similar datasets (the same meta-feature neighbourhood) orders the
playground's suggestions and gives the sandbox its recommended starting points.

- Playground: every transformation the program measured (its `trials` section: one
  suggestion at a time against the default pipeline on the same folds; and a "what if" with a
  single change) adds (neighbourhood, transformation kind, score change) to
  `apps_transform_outcomes`. A suggestion's rank is its priority from the program times
  `0.5 + P(helped)` (Beta(1, 1) prior, as the explorer's ranking), so a kind that kept helping
  here rises and one that kept hurting sinks; with no evidence the program's order stands.
- Sandbox: every completed training adds its validation score to (neighbourhood, model,
  hyperparameters) in `apps_training_outcomes`; the best mean validation scores are the
  recommended starting points, and the values of a model's best configurations its
  evidence-based ranges (with how many analyses they come from).

Where the evidence comes from (`Knowledge`): the recommender's knowledge base
(`RecommenderService.AppEvidence`), which learns it from the apps.* events of every learner
writing to it, on the same neighbourhood or, when that has none yet, the nearby ones; only
when the recommender cannot answer, this service's own tables (the same counts, kept as the
events are written), and the page says which."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ascent.recommender.v1 import recommender_service_pb2 as recommender_pb

from services.apps.ranking import Evidence
from services.apps.repository import AppsRepository
from services.common.ml.hyperparameters import MODELS

SUGGESTIONS, TRIALS, WHATIF = "suggestions", "trials", "whatif"
SPLIT, EVALUATION = "split", "evaluation"


@dataclass(frozen=True)
class Measured:
    """A measured score change of one transformation (the evidence a trial adds)."""

    key: str
    kind: str
    delta: float


@dataclass(frozen=True)
class Transform:
    """A transformation kind's measured score changes."""

    trials: int = 0
    helped: int = 0
    delta_sum: float = 0.0


@dataclass(frozen=True)
class Trained:
    """A trained configuration's validation scores."""

    model: str
    params_json: str
    metric: str
    trials: int
    validation_sum: float

    @property
    def mean(self) -> float:
        return self.validation_sum / self.trials if self.trials else 0.0


KNOWLEDGE_BASE, THIS_INSTALL = "knowledge base", "this install"
# The forecaster's neighbourhoods ("ts:len=…:season=…:trend=…") are this service's alone.
SERIES_PREFIX = "ts:"


@dataclass(frozen=True)
class Forecasted:
    trials: int
    wins: int
    smape_sum: float


@dataclass(frozen=True)
class Knowledge:
    """What is known on datasets like this one, and from where."""

    neighbourhood: str
    source: str = THIS_INSTALL
    # "same" neighbourhood, "near" (one bucket away) or "none".
    scope: str = "none"
    recommendations: dict[str, Evidence] = field(default_factory=dict)
    transforms: dict[str, Transform] = field(default_factory=dict)
    trainings: list[Trained] = field(default_factory=list)
    analyses: int = 0
    # The forecaster's record per model on series like this one (this install's table
    # `apps_forecast_outcomes`: the recommender holds no forecasting evidence).
    forecasts: dict[str, Forecasted] = field(default_factory=dict)

    @property
    def where(self) -> str:
        place = "nearby datasets" if self.scope == "near" else "similar datasets"
        return place if self.source == KNOWLEDGE_BASE else f"{place} (this install only)"


def local_knowledge(repo: AppsRepository, neighbourhood: str) -> Knowledge:
    """This service's own tables: the stand-in when the recommender cannot answer."""
    if not neighbourhood:
        return Knowledge(neighbourhood)
    recommendations = {k: Evidence.of(r) for k, r in repo.outcomes(neighbourhood).items()}
    transforms = {
        k: Transform(r.trials, r.helped, r.delta_sum)
        for k, r in repo.transform_outcomes(neighbourhood).items()
    }
    trainings = [
        Trained(r.model, r.params_json, r.metric, r.trials, r.validation_sum)
        for r in repo.training_outcomes(neighbourhood)
        if r.trials
    ]
    forecasts = {
        k: Forecasted(r.trials, r.wins, r.smape_sum)
        for k, r in repo.forecast_outcomes(neighbourhood).items()
    }
    known = bool(recommendations or transforms or trainings or forecasts)
    return Knowledge(
        neighbourhood,
        THIS_INSTALL,
        "same" if known else "none",
        recommendations,
        transforms,
        trainings,
        sum(t.trials for t in trainings) + sum(t.trials for t in transforms.values()),
        forecasts,
    )


def knowledge_of(response: recommender_pb.AppEvidenceResponse) -> Knowledge:
    """The recommender's answer (RecommenderService.AppEvidence)."""
    return Knowledge(
        response.neighbourhood,
        KNOWLEDGE_BASE,
        response.scope or "none",
        {
            k.kind: Evidence(k.shown, k.applied, k.dismissed, k.improved, k.not_improved)
            for k in response.kinds
        },
        {k.kind: Transform(k.trials, k.helped, k.delta_sum) for k in response.kinds if k.trials},
        [
            Trained(t.model, t.params_json, t.metric, t.trials, t.validation_sum)
            for t in response.trainings
            if t.trials
        ],
        response.analyses,
    )


def _weight(trials: int, helped: int) -> float:
    return 0.5 + (helped + 1.0) / (trials + 2.0)


def rank_suggestions(knowledge: Knowledge, data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("suggestions")
    items = [s for s in raw if isinstance(s, dict)] if isinstance(raw, list) else []
    ranked = []
    for position, item in enumerate(items):
        seen = knowledge.transforms.get(str(item.get("kind", "")))
        trials, helped = (seen.trials, seen.helped) if seen is not None else (0, 0)
        weight = _weight(trials, helped)
        priority = item.get("priority")
        base = float(priority) if isinstance(priority, int | float) else 0.0
        if seen is not None and trials:
            mean = seen.delta_sum / trials
            evidence = (
                f"measured {trials}× on {knowledge.where}: helped {helped}×, "
                f"mean change {mean:+.4f}"
            )
        else:
            evidence = "no evidence yet on similar datasets"
        ranked.append(
            (
                -base * weight,
                position,
                {**item, "rank_weight": round(weight, 3), "evidence": evidence},
            )
        )
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return {
        **data,
        "suggestions": [entry[2] for entry in ranked],
        "neighbourhood": knowledge.neighbourhood,
        "evidence_source": knowledge.source,
    }


def measured(kind: str, data: dict[str, Any]) -> list[Measured]:
    """The score changes a completed playground section measured."""
    found: list[Measured] = []
    if kind == TRIALS:
        for trial in data.get("trials") or []:
            delta = trial.get("delta") if isinstance(trial, dict) else None
            if isinstance(delta, int | float):
                found.append(
                    Measured(str(trial.get("key", "")), str(trial.get("kind", "")), float(delta))
                )
    elif kind == WHATIF:
        changes = data.get("changes") or []
        delta = data.get("delta")
        # Only a single change is attributable to one transformation.
        if len(changes) == 1 and isinstance(delta, int | float) and isinstance(changes[0], dict):
            change = changes[0]
            transform = str(change.get("transform", ""))
            key = f"{transform}:{change.get('column', '')}"
            found.append(Measured(key, transform, float(delta)))
    return [m for m in found if m.kind]


def record_measured(repo: AppsRepository, neighbourhood: str, items: list[Measured]) -> None:
    for item in items:
        row = repo.transform_outcome(neighbourhood, item.kind[:40])
        row.trials += 1
        row.helped += int(item.delta > 0)
        row.delta_sum += item.delta


def _params_json(params: Any) -> str:
    return json.dumps(params if isinstance(params, dict) else {}, sort_keys=True)[:500]


def record_training(repo: AppsRepository, neighbourhood: str, data: dict[str, Any]) -> None:
    validation, model = data.get("validation"), str(data.get("model", ""))
    if not neighbourhood or model not in MODELS or not isinstance(validation, int | float):
        return
    row = repo.training_outcome(neighbourhood, model, _params_json(data.get("params")))
    row.metric = str(data.get("metric", ""))[:20]
    row.best_validation = (
        float(validation) if row.trials == 0 else max(row.best_validation, float(validation))
    )
    row.trials += 1
    row.validation_sum += float(validation)


def recommend_training(knowledge: Knowledge, data: dict[str, Any]) -> dict[str, Any]:
    """The split section with the neighbourhood's recommended starting points (best mean
    validation first) and, for the chosen model, ranges from its best configurations; with
    no evidence, the documented defaults (services/common/ml/hyperparameters.py)."""
    rows = sorted(knowledge.trainings, key=lambda r: -r.mean)
    starting = [
        {
            "model": r.model,
            "title": MODELS[r.model].title if r.model in MODELS else r.model,
            "params": json.loads(r.params_json),
            "mean_validation": round(r.mean, 6),
            "trials": r.trials,
            "metric": r.metric,
        }
        for r in rows[:3]
    ]
    model = str(data.get("model", ""))
    spec = MODELS.get(model)
    ranges: list[dict[str, Any]] = []
    if spec is not None:
        mine = [r for r in rows if r.model == model]
        best = mine[: max(1, len(mine) // 2)] if len(mine) >= 2 else []
        for param in spec.params:
            values = [
                v
                for r in best
                if isinstance(v := json.loads(r.params_json).get(param.name), int | float)
            ]
            if values:
                ranges.append(
                    {
                        "name": param.name,
                        "explanation": param.explanation,
                        "low": min(values),
                        "high": max(values),
                        "source": f"evidence: the best {len(best)} of {len(mine)} configurations "
                        f"tried on {knowledge.where} ({sum(r.trials for r in mine)} analyses)",
                    }
                )
            else:
                ranges.append(
                    {
                        "name": param.name,
                        "explanation": param.explanation,
                        "low": param.low,
                        "high": param.high,
                        "default": param.default,
                        "source": "documented default (no evidence for datasets like this yet)",
                    }
                )
    count = sum(r.trials for r in rows)
    return {
        **data,
        "recommended": starting,
        "ranges": ranges,
        "evidence_count": count,
        "evidence": (
            f"based on {count} run{'' if count == 1 else 's'} on {knowledge.where}"
            if count
            else "documented default"
        ),
        "evidence_source": knowledge.source,
    }


# -- Time-Series Forecaster (issue 15) -------------------------------------------------------
# Which model wins for which kind of series: each completed backtest adds, per model, one
# trial (and a win for the lowest mean MAE) to (series neighbourhood, model) in
# `apps_forecast_outcomes`. The backtest's models are shown in the order of P(win) on similar
# series (Beta(1, 1) prior: (wins + 1) / (trials + 2)), most likely winner first; with no
# evidence, the order is the backtest's own (lowest MAE first).
BACKTEST = "backtest"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def rank_forecast_models(knowledge: Knowledge, data: dict[str, Any]) -> dict[str, Any]:
    raw = data.get("models")
    models = [m for m in raw if isinstance(m, dict)] if isinstance(raw, list) else []
    neighbourhood = knowledge.neighbourhood
    outcomes = knowledge.forecasts
    ranked = [m for m in data.get("ranked") or [] if isinstance(m, str)]
    ranked_items: list[tuple[float, int, dict[str, Any]]] = []
    for model in models:
        name = str(model.get("model", ""))
        seen = outcomes.get(name)
        trials, wins = (seen.trials, seen.wins) if seen is not None else (0, 0)
        weight = (wins + 1.0) / (trials + 2.0)
        if seen is not None and seen.trials:
            evidence = (
                f"on {seen.trials} similar series it won {seen.wins}×, "
                f"mean sMAPE {seen.smape_sum / seen.trials:.2f} %"
            )
        else:
            evidence = "no evidence yet on similar series"
        position = ranked.index(name) if name in ranked else len(ranked)
        ranked_items.append(
            (
                -weight if outcomes else 0.0,
                position,
                {**model, "win_probability": round(weight, 3), "evidence": evidence},
            )
        )
    ranked_items.sort(key=lambda item: (item[0], item[1]))
    shown = [item[2] for item in ranked_items]
    expected = shown[0]["model"] if outcomes and shown else None
    return {
        **data,
        "models": shown,
        "expected": expected,
        "evidence_count": max((o.trials for o in outcomes.values()), default=0),
        "neighbourhood": neighbourhood,
    }


def forecast_scores(data: dict[str, Any]) -> list[tuple[str, float, float, float]]:
    """(model, MAE, RMSE, sMAPE) of each model the backtest scored."""
    found = []
    for model in data.get("models") or []:
        if not isinstance(model, dict):
            continue
        mae, rmse, smape = (_number(model.get(k)) for k in ("mae", "rmse", "smape"))
        if mae is not None and rmse is not None and smape is not None:
            found.append((str(model.get("model", ""))[:40], mae, rmse, smape))
    return [f for f in found if f[0]]


def record_forecast(repo: AppsRepository, neighbourhood: str, data: dict[str, Any]) -> None:
    winner = data.get("winner")
    for model, _mae, _rmse, smape in forecast_scores(data):
        row = repo.forecast_outcome(neighbourhood, model)
        row.trials += 1
        row.wins += int(model == winner)
        row.smape_sum += smape


# Sections the service enriches with evidence before showing or storing them.
ENRICHERS: dict[str, Callable[[Knowledge, dict[str, Any]], dict[str, Any]]] = {
    SUGGESTIONS: rank_suggestions,
    SPLIT: recommend_training,
    BACKTEST: rank_forecast_models,
}
