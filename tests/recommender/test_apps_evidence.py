"""The apps' events feed the knowledge base (issue 14): recommendations shown, applied and
evaluated, transformations measured and configurations trained are counted once per event,
per neighbourhood; AppEvidence answers for the same neighbourhood or, with none there yet,
the nearby ones (one bucket away, same task), and derives a dataset's neighbourhood from its
profile when no app ran on it."""

from __future__ import annotations

import json

from ascent.events.v1 import apps_pb2
from ascent.recommender.v1 import recommender_service_pb2 as pb

from services.common import events
from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.events import new_meta
from services.recommender.apps_evidence import (
    CONSUMERS,
    AppsEvidenceHandler,
    app_evidence,
    distance,
    neighbourhood_of,
)
from services.recommender.flows import ensure_profile
from services.recommender.service import RecommenderService
from tests.recommender.data import numeric_classification_csv

HOOD = "classification|r1|c1|m0|k1"
NEAR = "classification|r2|c1|m0|k1"


def handler(db: Database, subject: str) -> AppsEvidenceHandler:
    durable = next(d for d, s in CONSUMERS.items() if s == subject)
    return AppsEvidenceHandler(db, durable)


def ask(db: Database, app: str, hood: str) -> pb.AppEvidenceResponse:
    with db.session() as session:
        return app_evidence(session, app, hood)


def test_app_events_become_evidence_once_and_nearby_stands_in(sqlite_db: Database) -> None:
    completed = handler(sqlite_db, events.APPS_ANALYSIS_COMPLETED)
    applied = handler(sqlite_db, events.APPS_SUGGESTION_APPLIED)
    evaluated = handler(sqlite_db, events.APPS_SUGGESTION_EVALUATED)
    shown = apps_pb2.AnalysisCompleted(
        meta=new_meta("apps"),
        app_slug="explorer",
        status="completed",
        neighbourhood=HOOD,
        recommendations=["impute:age", "impute:fare", "drop_id:id"],
        recommendation_kinds=["impute", "impute", "drop_id"],
    )
    assert completed.record(events.APPS_ANALYSIS_COMPLETED, shown) is True
    assert completed.record(events.APPS_ANALYSIS_COMPLETED, shown) is False, "redelivered"
    decision = apps_pb2.SuggestionApplied(
        meta=new_meta("apps"),
        app_slug="explorer",
        neighbourhood=HOOD,
        suggestion_key="impute:age",
        kind="impute",
        verdict="applied",
    )
    assert applied.record(events.APPS_SUGGESTION_APPLIED, decision) is True
    helped = apps_pb2.SuggestionEvaluated(
        meta=new_meta("apps"),
        app_slug="explorer",
        neighbourhood=HOOD,
        suggestion_key="impute:age",
        kind="impute",
        improved=True,
    )
    assert evaluated.record(events.APPS_SUGGESTION_EVALUATED, helped) is True
    measured = apps_pb2.SuggestionEvaluated(
        meta=new_meta("apps"),
        app_slug="features",
        neighbourhood=HOOD,
        suggestion_key="log:x",
        kind="log",
        improved=False,
        score_change=-0.02,
    )
    assert evaluated.record(events.APPS_SUGGESTION_EVALUATED, measured) is True
    trained = apps_pb2.AnalysisCompleted(
        meta=new_meta("apps"),
        app_slug="training",
        status="completed",
        neighbourhood=HOOD,
        training=apps_pb2.TrainedModel(
            model="tree",
            params_json=json.dumps({"max_depth": 3}),
            metric="accuracy",
            validation=0.9,
        ),
    )
    assert completed.record(events.APPS_ANALYSIS_COMPLETED, trained) is True
    failed = apps_pb2.AnalysisCompleted(
        meta=new_meta("apps"), app_slug="training", status="failed", neighbourhood=HOOD
    )
    assert completed.record(events.APPS_ANALYSIS_COMPLETED, failed) is False

    explorer = ask(sqlite_db, "explorer", HOOD)
    assert explorer.scope == "same" and explorer.neighbourhoods == 1
    kinds = {k.kind: k for k in explorer.kinds}
    assert (kinds["impute"].shown, kinds["impute"].applied, kinds["impute"].improved) == (1, 1, 1)
    assert kinds["drop_id"].shown == 1 and kinds["drop_id"].applied == 0
    features = ask(sqlite_db, "features", HOOD)
    (log,) = features.kinds
    assert (log.kind, log.trials, log.helped, round(log.delta_sum, 3)) == ("log", 1, 0, -0.02)
    (config,) = ask(sqlite_db, "training", HOOD).trainings
    assert (config.model, json.loads(config.params_json), config.trials) == (
        "tree",
        {"max_depth": 3},
        1,
    )

    # A neighbourhood with nothing yet gets its neighbours' evidence, and says so.
    assert distance(HOOD, NEAR) == 1
    near = ask(sqlite_db, "training", NEAR)
    assert near.scope == "near" and near.analyses == 1 and near.trainings[0].model == "tree"
    far = ask(sqlite_db, "training", "classification|r3|c3|m0|k1")
    assert far.scope == "none" and not far.trainings
    assert ask(sqlite_db, "training", "regression|r1|c1|m0|k1").scope == "none"


def test_a_profiled_dataset_has_the_programs_neighbourhood(
    sqlite_db: Database, store: DatasetStore
) -> None:
    service = RecommenderService(store, seed=0, explore=0.0)
    sha = store.put(numeric_classification_csv(seed=71))
    meta = ensure_profile(sqlite_db, service, sha)
    hood = neighbourhood_of(meta)
    task, rows, columns, missing, categorical = hood.split("|")
    assert task == "classification" and missing == "m0" and categorical == "k0"
    assert rows == f"r{sum(meta.rows >= e for e in (500, 5000, 50000))}"
    assert columns == f"c{sum(meta.columns + 1 >= e for e in (8, 20, 60))}"
