"""The apps' evidence in the knowledge base (issue 14): what learners did with the Data
Explorer's recommendations, what the Feature Engineering Playground measured, and what the
Model Training Sandbox trained, per meta-feature neighbourhood.

In: `apps.analysis.completed.v1` (recommendations shown; a training's configuration and
validation score), `apps.suggestion.applied.v1` (applied / dismissed),
`apps.suggestion.evaluated.v1` (did the next run improve; a transformation's measured score
change), each exactly once (process_once). Out: `AppEvidence`, which the apps service asks
for when it ranks, so the ranking rests on every learner writing to this knowledge base.

A neighbourhood is the apps' bucket string `task|r<rows>|c<columns>|m<missing>|k<categorical>`
(the programs compute it; `neighbourhood_of` derives it from the recommender's own profile
when no app ran on a dataset yet). Similar datasets share it; when it has no evidence yet, the
neighbourhoods of the same task one bucket away ("near") stand in, and the answer says so."""

from __future__ import annotations

import asyncio
import json
import logging

from ascent.events.v1 import apps_pb2
from ascent.recommender.v1 import recommender_service_pb2 as pb
from google.protobuf.message import Message
from sqlalchemy.orm import Session

from services.common import events
from services.common.db import Database
from services.common.ml.hyperparameters import MODELS
from services.common.ml.metafeatures import MetaFeatures
from services.common.outbox import process_once
from services.recommender.repository import RecommenderRepository

log = logging.getLogger(__name__)

APPS_CONSUMER = "recommender-apps"
EXPLORER, FEATURES, TRAINING = "explorer", "features", "training"
APPS = (EXPLORER, FEATURES, TRAINING)
# The bucket edges of the apps' programs (services/apps/programs/*.py.tmpl).
ROW_EDGES = (500, 5000, 50000)
COLUMN_EDGES = (8, 20, 60)
MISSING_EDGES = (0.001, 0.05, 0.2)
CATEGORICAL_EDGES = (0.01, 0.3, 0.7)


def _bucket(value: float, edges: tuple[float, ...]) -> int:
    return sum(value >= edge for edge in edges)


def neighbourhood_of(meta: MetaFeatures) -> str:
    """The apps' neighbourhood of a profiled dataset (target = its last column). Column and
    categorical counts include the target, as the programs count them."""
    columns = meta.columns + 1
    categorical = meta.categorical_ratio * meta.columns / columns
    return "|".join(
        [
            meta.task_type or "none",
            f"r{_bucket(meta.rows, ROW_EDGES)}",
            f"c{_bucket(columns, COLUMN_EDGES)}",
            f"m{_bucket(meta.missing_ratio, MISSING_EDGES)}",
            f"k{_bucket(categorical, CATEGORICAL_EDGES)}",
        ]
    )


def _parts(neighbourhood: str) -> tuple[str, list[int]] | None:
    task, *buckets = neighbourhood.split("|")
    try:
        values = [int(part[1:]) for part in buckets]
    except ValueError:
        return None
    return (task, values) if len(values) == 4 else None


def distance(a: str, b: str) -> int | None:
    """Buckets apart (L1), None when the tasks differ or a string is not a neighbourhood."""
    left, right = _parts(a), _parts(b)
    if left is None or right is None or left[0] != right[0]:
        return None
    return sum(abs(x - y) for x, y in zip(left[1], right[1], strict=True))


# -- the consumer --------------------------------------------------------------------------
def _params_json(raw: str) -> str:
    try:
        params = json.loads(raw) if raw else {}
    except ValueError:
        params = {}
    return json.dumps(params if isinstance(params, dict) else {}, sort_keys=True)[:500]


def record_completed(session: Session, event: apps_pb2.AnalysisCompleted) -> bool:
    if event.status != "completed" or not event.neighbourhood:
        return False
    repo = RecommenderRepository(session)
    hood = event.neighbourhood[:100]
    changed = False
    if event.app_slug == EXPLORER:
        for kind in {k[:40] for k in event.recommendation_kinds if k}:
            repo.app_evidence(EXPLORER, hood, kind).shown += 1
            changed = True
    if event.app_slug == TRAINING and event.HasField("training"):
        trained = event.training
        if trained.model in MODELS:
            row = repo.app_training(hood, trained.model, _params_json(trained.params_json))
            row.metric = trained.metric[:20]
            row.best_validation = (
                trained.validation
                if row.trials == 0
                else max(row.best_validation, trained.validation)
            )
            row.trials += 1
            row.validation_sum += trained.validation
            changed = True
    return changed


def record_applied(session: Session, event: apps_pb2.SuggestionApplied) -> bool:
    if event.app_slug not in APPS or not event.neighbourhood or not event.kind:
        return False
    row = RecommenderRepository(session).app_evidence(
        event.app_slug, event.neighbourhood[:100], event.kind[:40]
    )
    if event.verdict == "applied":
        row.applied += 1
    elif event.verdict == "dismissed":
        row.dismissed += 1
    else:
        return False
    return True


def record_evaluated(session: Session, event: apps_pb2.SuggestionEvaluated) -> bool:
    if event.app_slug not in APPS or not event.neighbourhood or not event.kind:
        return False
    row = RecommenderRepository(session).app_evidence(
        event.app_slug, event.neighbourhood[:100], event.kind[:40]
    )
    if event.HasField("score_change"):
        row.trials += 1
        row.helped += int(event.score_change > 0)
        row.delta_sum += event.score_change
    elif event.improved:
        row.improved += 1
    else:
        row.not_improved += 1
    return True


class AppsEvidenceHandler:
    """apps.* events → the apps' evidence, exactly once per event (one durable per subject:
    `recommender-apps` + the subject's entity)."""

    def __init__(self, db: Database, consumer: str) -> None:
        self.db = db
        self.consumer = consumer

    async def __call__(self, subject: str, event: Message) -> None:
        await asyncio.to_thread(self.record, subject, event)

    def record(self, subject: str, event: Message) -> bool:
        """True when the event changed the evidence."""
        meta = getattr(event, "meta", None)
        event_id = str(getattr(meta, "event_id", "")) if meta is not None else ""
        if not event_id:
            return False
        if isinstance(event, apps_pb2.AnalysisCompleted):
            completed = event

            def effect(session: Session) -> bool:
                return record_completed(session, completed)
        elif isinstance(event, apps_pb2.SuggestionApplied):
            applied = event

            def effect(session: Session) -> bool:
                return record_applied(session, applied)
        elif isinstance(event, apps_pb2.SuggestionEvaluated):
            evaluated = event

            def effect(session: Session) -> bool:
                return record_evaluated(session, evaluated)
        else:
            return False
        done, changed = process_once(self.db, self.consumer, subject, event_id, effect)
        return bool(done and changed)


# One durable consumer per subject (a consumer filters one subject).
CONSUMERS = {
    f"{APPS_CONSUMER}-analyses": events.APPS_ANALYSIS_COMPLETED,
    f"{APPS_CONSUMER}-suggestions": events.APPS_SUGGESTION_APPLIED,
    f"{APPS_CONSUMER}-evaluations": events.APPS_SUGGESTION_EVALUATED,
}


# -- the query -----------------------------------------------------------------------------
def _near(repo: RecommenderRepository, app_slug: str, neighbourhood: str) -> list[str]:
    parts = _parts(neighbourhood)
    if parts is None:
        return []
    return [
        other
        for other in repo.app_neighbourhoods(app_slug, parts[0])
        if distance(neighbourhood, other) == 1
    ]


def _merge_kinds(rows: list[pb.KindEvidence]) -> list[pb.KindEvidence]:
    merged: dict[str, pb.KindEvidence] = {}
    for row in rows:
        into = merged.setdefault(row.kind, pb.KindEvidence(kind=row.kind))
        into.shown += row.shown
        into.applied += row.applied
        into.dismissed += row.dismissed
        into.improved += row.improved
        into.not_improved += row.not_improved
        into.trials += row.trials
        into.helped += row.helped
        into.delta_sum += row.delta_sum
    return [merged[k] for k in sorted(merged)]


def _merge_trainings(rows: list[pb.TrainedConfiguration]) -> list[pb.TrainedConfiguration]:
    merged: dict[tuple[str, str], pb.TrainedConfiguration] = {}
    for row in rows:
        key = (row.model, row.params_json)
        into = merged.get(key)
        if into is None:
            merged[key] = pb.TrainedConfiguration()
            merged[key].CopyFrom(row)
            continue
        into.best_validation = max(into.best_validation, row.best_validation)
        into.trials += row.trials
        into.validation_sum += row.validation_sum
    return list(merged.values())


def _collect(
    repo: RecommenderRepository, app_slug: str, hoods: list[str]
) -> tuple[list[pb.KindEvidence], list[pb.TrainedConfiguration], int, set[str]]:
    """(kinds, trainings, analyses, neighbourhoods with evidence)."""
    kinds: list[pb.KindEvidence] = []
    trainings: list[pb.TrainedConfiguration] = []
    analyses = 0
    seen: set[str] = set()
    if app_slug == TRAINING:
        for t in repo.app_trainings_of(hoods):
            if not t.trials:
                continue
            seen.add(t.neighbourhood)
            analyses += t.trials
            trainings.append(
                pb.TrainedConfiguration(
                    model=t.model,
                    params_json=t.params_json,
                    metric=t.metric,
                    trials=t.trials,
                    validation_sum=t.validation_sum,
                    best_validation=t.best_validation,
                )
            )
    else:
        for e in repo.app_evidence_of(app_slug, hoods):
            seen.add(e.neighbourhood)
            # Explorer: every decision or evaluation; playground: every measured change.
            analyses += e.trials if app_slug == FEATURES else e.shown
            kinds.append(
                pb.KindEvidence(
                    kind=e.kind,
                    shown=e.shown,
                    applied=e.applied,
                    dismissed=e.dismissed,
                    improved=e.improved,
                    not_improved=e.not_improved,
                    trials=e.trials,
                    helped=e.helped,
                    delta_sum=e.delta_sum,
                )
            )
    return _merge_kinds(kinds), _merge_trainings(trainings), analyses, seen


def app_evidence(session: Session, app_slug: str, neighbourhood: str) -> pb.AppEvidenceResponse:
    """The neighbourhood's evidence, or (when it has none) its near neighbourhoods'."""
    response = pb.AppEvidenceResponse(neighbourhood=neighbourhood, scope="none")
    if app_slug not in APPS or not neighbourhood:
        return response
    repo = RecommenderRepository(session)
    for scope, hoods in (("same", [neighbourhood]), ("near", None)):
        if hoods is None:
            hoods = _near(repo, app_slug, neighbourhood)
        kinds, trainings, analyses, seen = _collect(repo, app_slug, hoods)
        if seen:
            response.scope = scope
            response.kinds.extend(kinds)
            response.trainings.extend(trainings)
            response.neighbourhoods = len(seen)
            response.analyses = analyses
            break
    return response
