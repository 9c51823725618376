"""Business logic of the apps service: analyses (start, finish, cancel), recommendations
ranked by evidence, and the evidence itself (views, applied/dismissed suggestions, whether
the session's next run improved). No transport imports; callers own the unit of work."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ascent.apps.v1 import apps_service_pb2 as pb
from ascent.events.v1 import apps_pb2
from ascent.types.v1 import run_pb2
from sqlalchemy.orm import Session

from services.apps import evidence
from services.apps.models import Analysis, AnalysisSection, AppliedSuggestion
from services.apps.ranking import order
from services.apps.repository import AppsRepository
from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.ml.scoring import better, ranking_score
from services.common.outbox import enqueue
from services.common.report_sections import ReportSection

PRODUCER = "apps"
RUNNING, COMPLETED, FAILED, CANCELLED = "running", "completed", "failed", "cancelled"
QUALITY, OVERVIEW = "quality", "overview"
VERDICTS = ("applied", "dismissed")
MAX_VIEW_SECONDS = 3600.0


@dataclass(frozen=True)
class NewAnalysis:
    id: str
    run_id: str
    code: str
    request: pb.StartAnalysisRequest


def start(session: Session, new: NewAnalysis) -> Analysis:
    request = new.request
    row = Analysis(
        id=new.id,
        app_slug=request.app_slug,
        owner_id=request.owner_id,
        session_id=request.session_id,
        dataset_sha256=request.dataset_sha256,
        dataset_name=request.dataset_name,
        target=request.target,
        options_json=request.options_json or "{}",
        code=new.code,
        run_id=new.run_id,
        status=RUNNING,
        error_message="",
        neighbourhood="",
        created_at=utcnow(),
        duration_ms=0,
    )
    AppsRepository(session).add(row)
    enqueue(
        session,
        PRODUCER,
        events.APPS_ANALYSIS_STARTED,
        apps_pb2.AnalysisStarted(
            analysis_id=row.id,
            app_slug=row.app_slug,
            owner_id=row.owner_id,
            session_id=row.session_id,
            dataset_sha256=row.dataset_sha256,
            run_id=row.run_id,
        ),
    )
    return row


def _outcome_of(run: run_pb2.Run | None, sections: list[ReportSection]) -> tuple[str, str]:
    """(status, learner-safe message) of an analysis from its run."""
    if run is None:
        return FAILED, "The analysis did not finish: the sandbox was unavailable. Try again."
    if run.status == "cancelled":
        return CANCELLED, "You stopped the analysis; nothing of it was kept."
    if run.status != "ok" or run.has_error:
        message = run.error.message or f"The program ended with status {run.status}."
        return FAILED, f"The analysis failed: {message}"
    if not sections:
        return FAILED, "The analysis printed no results."
    return COMPLETED, ""


def neighbourhood_of(sections: list[ReportSection]) -> str:
    """The meta-feature neighbourhood a program reported (its overview's, else the first
    section that carries one)."""
    overview = next((s for s in sections if s.kind == OVERVIEW), None)
    if overview is not None:
        return str(overview.data.get("neighbourhood", ""))[:100]
    placed = next((s for s in sections if "neighbourhood" in s.data), None)
    return str(placed.data.get("neighbourhood", ""))[:100] if placed is not None else ""


def finish(
    session: Session,
    analysis_id: str,
    run: run_pb2.Run | None,
    sections: list[ReportSection],
    duration_ms: int,
    knowledge: evidence.Knowledge | None = None,
) -> Analysis:
    """Store the end of an analysis. Only a completed one keeps its sections (a failed or
    cancelled one keeps none: no half result). Recommendations are ordered by the evidence of
    the dataset's neighbourhood (`knowledge`: the recommender's, else this service's tables),
    and each counts as shown there."""
    repo = AppsRepository(session)
    row = repo.analysis(analysis_id)
    if row is None:
        raise AscentError("not_found", "There is no such analysis.")
    if row.status != RUNNING:
        return row
    status, message = _outcome_of(run, sections)
    row.status, row.error_message = status, message
    row.completed_at = utcnow()
    row.duration_ms = duration_ms
    quality_score: float | None = None
    recommendation_keys: list[str] = []
    recommendation_kinds: list[str] = []
    if status == COMPLETED:
        row.neighbourhood = neighbourhood_of(sections)
        if knowledge is None or knowledge.neighbourhood != row.neighbourhood:
            knowledge = evidence.local_knowledge(repo, row.neighbourhood)
        for position, section in enumerate(sections):
            data = section.data
            if section.kind == QUALITY:
                data = rank_quality(knowledge, data)
                count_shown(repo, row.neighbourhood, data)
                score = data.get("score")
                quality_score = float(score) if isinstance(score, int | float) else None
                recommendation_keys = [str(r.get("key")) for r in data["recommendations"]]
                recommendation_kinds = [str(r.get("kind", "")) for r in data["recommendations"]]
            elif section.kind in evidence.ENRICHERS:
                data = evidence.ENRICHERS[section.kind](knowledge, data)
            repo.add(
                AnalysisSection(
                    analysis_id=row.id,
                    position=position,
                    kind=section.kind,
                    version=section.version,
                    data_json=json.dumps(data, separators=(",", ":"), allow_nan=False),
                )
            )
    if status == COMPLETED:
        _learn(session, repo, row, sections)
        if row.app_slug == AUTOML:
            _publish_automl_trials(session, row, sections)
        if row.app_slug == FORECAST:
            _learn_forecast(session, repo, row, sections)
    event = apps_pb2.AnalysisCompleted(
        analysis_id=row.id,
        app_slug=row.app_slug,
        owner_id=row.owner_id,
        session_id=row.session_id,
        dataset_sha256=row.dataset_sha256,
        run_id=row.run_id,
        status=status,
        duration_ms=duration_ms,
        sections=[s.kind for s in sections] if status == COMPLETED else [],
        neighbourhood=row.neighbourhood,
        recommendations=recommendation_keys,
        recommendation_kinds=recommendation_kinds,
    )
    if quality_score is not None:
        event.quality_score = quality_score
    trained = _trained(sections) if status == COMPLETED else None
    if trained is not None:
        event.training.CopyFrom(trained)
    enqueue(session, PRODUCER, events.APPS_ANALYSIS_COMPLETED, event)
    return row


def _trained(sections: list[ReportSection]) -> apps_pb2.TrainedModel | None:
    """A sandbox training's configuration and validation score (the event's `training`)."""
    found = next((s for s in sections if s.kind == evidence.EVALUATION), None)
    if found is None:
        return None
    data = found.data
    validation, model = data.get("validation"), str(data.get("model", ""))
    if not isinstance(validation, int | float) or isinstance(validation, bool) or not model:
        return None
    params = data.get("params")
    return apps_pb2.TrainedModel(
        model=model[:40],
        params_json=json.dumps(params if isinstance(params, dict) else {}, sort_keys=True)[:500],
        metric=str(data.get("metric", ""))[:20],
        validation=float(validation),
    )


# -- AutoML Trainer (issue 15) -------------------------------------------------------------
AUTOML, TRIAL = "automl", "trial"


def _publish_automl_trials(session: Session, row: Analysis, sections: list[ReportSection]) -> None:
    """Every trial of a completed AutoML search feeds the knowledge base: one event each,
    which the recommender records as an observation. The program is the platform's (built
    by `programs.automl`), so its cross-validated scores are trusted outcomes."""
    for section in sections:
        if section.kind != TRIAL:
            continue
        data = section.data
        number, score, spec = data.get("number"), data.get("score"), data.get("spec")
        if not isinstance(number, int) or not isinstance(score, int | float):
            continue
        if not isinstance(spec, dict) or not isinstance(spec.get("estimator"), str):
            continue
        seconds = data.get("seconds")
        enqueue(
            session,
            PRODUCER,
            events.APPS_AUTOML_TRIAL,
            apps_pb2.AutomlTrial(
                analysis_id=row.id,
                owner_id=row.owner_id,
                dataset_sha256=row.dataset_sha256,
                number=number,
                pipeline_json=json.dumps(spec, sort_keys=True)[:4000],
                metric=str(data.get("metric", ""))[:20],
                score=float(score),
                duration_ms=int(float(seconds) * 1000) if isinstance(seconds, int | float) else 0,
                warm=bool(data.get("warm")),
                ensemble=str(data.get("ensemble") or "")[:20],
            ),
        )


# -- Time-Series Forecaster (issue 15) -------------------------------------------------------
FORECAST = "forecast"


def _number_of(data: dict[str, Any], key: str) -> float:
    value = data.get(key)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else 0.0


def _learn_forecast(
    session: Session, repo: AppsRepository, row: Analysis, sections: list[ReportSection]
) -> None:
    """A completed backtest: which model won on this kind of series (the evidence that
    orders the models for similar series) and the event that says so."""
    backtest = next((s for s in sections if s.kind == evidence.BACKTEST), None)
    if backtest is None or not row.neighbourhood:
        return
    data = backtest.data
    scores = evidence.forecast_scores(data)
    if not scores:
        return
    evidence.record_forecast(repo, row.neighbourhood, data)
    raw = data.get("characteristics")
    traits: dict[str, Any] = raw if isinstance(raw, dict) else {}

    def number(key: str) -> float:
        return _number_of(traits, key)

    enqueue(
        session,
        PRODUCER,
        events.APPS_FORECAST_EVALUATED,
        apps_pb2.ForecastEvaluated(
            analysis_id=row.id,
            owner_id=row.owner_id,
            dataset_sha256=row.dataset_sha256,
            neighbourhood=row.neighbourhood,
            length=int(number("length")),
            seasonal_strength=number("seasonal_strength"),
            trend_strength=number("trend_strength"),
            period=int(number("period")),
            winner=str(data.get("winner", ""))[:40],
            horizon=int(_number_of(data, "horizon")),
            folds=int(_number_of(data, "folds")),
            scores=[
                apps_pb2.ForecastScore(model=m, mae=mae, rmse=rmse, smape=smape)
                for m, mae, rmse, smape in scores
            ],
        ),
    )


def fail_interrupted(session: Session) -> int:
    """Analyses left `running` by a previous process of this service (it stopped mid-run)
    end as failed, with no sections; returns how many."""
    rows = AppsRepository(session).running()
    for row in rows:
        row.status = FAILED
        row.error_message = "The analysis was interrupted (the service restarted). Run it again."
        row.completed_at = utcnow()
    return len(rows)


def _learn(
    session: Session, repo: AppsRepository, row: Analysis, sections: list[ReportSection]
) -> None:
    """The evidence a completed playground or sandbox analysis adds (services/apps/evidence.py):
    measured score changes of transformations (each also an event) and training outcomes."""
    if not row.neighbourhood:
        return
    for section in sections:
        if section.kind == evidence.EVALUATION:
            evidence.record_training(repo, row.neighbourhood, section.data)
        items = evidence.measured(section.kind, section.data)
        evidence.record_measured(repo, row.neighbourhood, items)
        for item in items:
            enqueue(
                session,
                PRODUCER,
                events.APPS_SUGGESTION_EVALUATED,
                apps_pb2.SuggestionEvaluated(
                    analysis_id=row.id,
                    app_slug=row.app_slug,
                    owner_id=row.owner_id,
                    suggestion_key=item.key[:300],
                    neighbourhood=row.neighbourhood,
                    run_id=row.run_id,
                    improved=item.delta > 0,
                    score_change=item.delta,
                    kind=item.kind[:40],
                ),
            )


def rank_quality(knowledge: evidence.Knowledge, data: dict[str, Any]) -> dict[str, Any]:
    """The quality section with its recommendations ordered by evidence."""
    raw = data.get("recommendations")
    recommendations = [r for r in raw if isinstance(r, dict)] if isinstance(raw, list) else []
    ranked = order(recommendations, knowledge.recommendations, knowledge.where)
    return {
        **data,
        "recommendations": ranked,
        "neighbourhood": knowledge.neighbourhood,
        "evidence_source": knowledge.source,
    }


def count_shown(repo: AppsRepository, neighbourhood: str, data: dict[str, Any]) -> None:
    """This service's own count of the kinds shown (the recommender counts them from the
    completed event)."""
    if not neighbourhood:
        return
    for kind in {str(r.get("kind", "")) for r in data.get("recommendations", [])}:
        repo.outcome(neighbourhood, kind).shown += 1


def owned(session: Session, analysis_id: str, owner_id: str) -> Analysis:
    row = AppsRepository(session).analysis(analysis_id)
    if row is None or row.owner_id != owner_id:
        raise AscentError("not_found", "There is no such analysis.")
    return row


def _timestamp(value: datetime | None, target: Any) -> None:
    if value is not None:
        target.FromDatetime(value)


def to_message(session: Session, row: Analysis) -> pb.Analysis:
    message = pb.Analysis(
        id=row.id,
        app_slug=row.app_slug,
        owner_id=row.owner_id,
        session_id=row.session_id,
        dataset_sha256=row.dataset_sha256,
        dataset_name=row.dataset_name,
        target=row.target,
        options_json=row.options_json,
        code=row.code,
        status=row.status,
        run_id=row.run_id,
        error_message=row.error_message,
        duration_ms=row.duration_ms,
    )
    _timestamp(row.created_at, message.created_at)
    _timestamp(row.completed_at, message.completed_at)
    for section in AppsRepository(session).sections(row.id):
        message.sections.add(
            kind=section.kind, version=section.version, data_json=section.data_json
        )
    return message


def get(session: Session, request: pb.GetAnalysisRequest) -> pb.GetAnalysisResponse:
    repo = AppsRepository(session)
    if request.analysis_id:
        row = repo.analysis(request.analysis_id)
        if row is not None and row.owner_id != request.owner_id:
            row = None
    else:
        row = repo.latest(request.owner_id, request.app_slug, request.session_id)
    if row is None:
        return pb.GetAnalysisResponse(found=False)
    return pb.GetAnalysisResponse(found=True, analysis=to_message(session, row))


def record_view(session: Session, request: pb.RecordViewRequest) -> None:
    row = owned(session, request.analysis_id, request.owner_id)
    view = request.view.strip()[:40]
    if not view or not 0 < request.seconds:
        raise AscentError("invalid_argument", "A view needs a name and a positive duration.")
    seconds = min(float(request.seconds), MAX_VIEW_SECONDS)
    AppsRepository(session).add_view_time(row.app_slug, row.neighbourhood, view, seconds)
    enqueue(
        session,
        PRODUCER,
        events.APPS_VIEW_RECORDED,
        apps_pb2.ViewRecorded(
            analysis_id=row.id,
            app_slug=row.app_slug,
            owner_id=row.owner_id,
            view=view,
            seconds=seconds,
        ),
    )


def _recommendation(session: Session, row: Analysis, key: str) -> dict[str, Any]:
    for section in AppsRepository(session).sections(row.id):
        if section.kind != QUALITY:
            continue
        for item in json.loads(section.data_json).get("recommendations", []):
            if isinstance(item, dict) and item.get("key") == key:
                return item
    raise AscentError("not_found", "This analysis has no such recommendation.")


def apply_suggestion(session: Session, request: pb.ApplySuggestionRequest) -> str:
    """Record the learner's decision on a recommendation (once per analysis and key) and
    return its code (empty when dismissed)."""
    if request.verdict not in VERDICTS:
        raise AscentError("invalid_argument", "verdict must be 'applied' or 'dismissed'.")
    row = owned(session, request.analysis_id, request.owner_id)
    item = _recommendation(session, row, request.suggestion_key)
    code = str(item.get("code", "")) if request.verdict == "applied" else ""
    repo = AppsRepository(session)
    if repo.applied(row.id, request.suggestion_key) is not None:
        return code
    kind = str(item.get("kind", ""))
    last = repo.session_score(row.session_id)
    repo.add(
        AppliedSuggestion(
            analysis_id=row.id,
            suggestion_key=request.suggestion_key,
            kind=kind,
            verdict=request.verdict,
            neighbourhood=row.neighbourhood,
            session_id=row.session_id,
            owner_id=row.owner_id,
            app_slug=row.app_slug,
            baseline=last.score if last is not None else None,
            applied_at=utcnow(),
            # A dismissal waits for nothing.
            evaluated_run_id="" if request.verdict == "applied" else "-",
        )
    )
    if row.neighbourhood:
        outcome = repo.outcome(row.neighbourhood, kind)
        if request.verdict == "applied":
            outcome.applied += 1
        else:
            outcome.dismissed += 1
    enqueue(
        session,
        PRODUCER,
        events.APPS_SUGGESTION_APPLIED,
        apps_pb2.SuggestionApplied(
            analysis_id=row.id,
            app_slug=row.app_slug,
            owner_id=row.owner_id,
            session_id=row.session_id,
            suggestion_key=request.suggestion_key,
            verdict=request.verdict,
            neighbourhood=row.neighbourhood,
            kind=kind[:40],
        ),
    )
    return code


def on_run_completed(session: Session, run: run_pb2.Run) -> int:
    """A learner's notebook run finished: it decides every suggestion applied on its session
    since the last run (improved = its score beats the session's score from before), and
    becomes the session's last score. App runs and unscored runs decide nothing. Returns how
    many suggestions it decided."""
    if run.app_slug or not run.session_id:
        return 0
    score = ranking_score(run.outcome)
    if score is None:
        return 0
    repo = AppsRepository(session)
    decided = 0
    for waiting in repo.waiting_suggestions(run.session_id):
        waiting.evaluated_run_id = run.id
        if waiting.baseline is None:
            continue  # no earlier score: whether it helped is unknowable
        improved = better(score.metric, score.value, waiting.baseline)
        waiting.improved = int(improved)
        if waiting.neighbourhood:
            outcome = repo.outcome(waiting.neighbourhood, waiting.kind)
            if improved:
                outcome.improved += 1
            else:
                outcome.not_improved += 1
        enqueue(
            session,
            PRODUCER,
            events.APPS_SUGGESTION_EVALUATED,
            apps_pb2.SuggestionEvaluated(
                analysis_id=waiting.analysis_id,
                app_slug=waiting.app_slug,
                owner_id=waiting.owner_id,
                suggestion_key=waiting.suggestion_key,
                neighbourhood=waiting.neighbourhood,
                run_id=run.id,
                improved=improved,
                kind=waiting.kind[:40],
            ),
        )
        decided += 1
    repo.set_session_score(run.session_id, score.value, run.id)
    return decided
