"""AutoML trials feed the knowledge base: one observation per (analysis, trial), once;
ensembles and unusable trials teach nothing; a recorded trial is then recommended."""

from __future__ import annotations

import json

from ascent.events.v1 import apps_pb2

from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.events import new_meta
from services.common.ml.pipelines import pipeline_key
from services.recommender.automl import AutomlTrialsHandler
from services.recommender.flows import ensure_profile
from services.recommender.service import RecommenderService
from tests.recommender.data import numeric_classification_csv

SVC = {
    "steps": ["SimpleImputer", "OneHotEncoder", "StandardScaler"],
    "estimator": "SVC",
    "params": {"C": 3.0},
}


def trial(sha: str, number: int, score: float, ensemble: str = "") -> apps_pb2.AutomlTrial:
    return apps_pb2.AutomlTrial(
        meta=new_meta("apps"),
        analysis_id="a1",
        dataset_sha256=sha,
        number=number,
        pipeline_json=json.dumps(SVC),
        metric="accuracy",
        score=score,
        duration_ms=300,
        ensemble=ensemble,
    )


def test_trials_become_observations_once(sqlite_db: Database, store: DatasetStore) -> None:
    service = RecommenderService(store, seed=0, explore=0.0)
    handler = AutomlTrialsHandler(sqlite_db, service)
    sha = store.put(numeric_classification_csv(seed=70))
    event = trial(sha, 0, 0.97)
    assert handler.record("apps.automl.trial.v1", event) is True
    assert handler.record("apps.automl.trial.v1", event) is False, "a redelivery adds nothing"
    assert handler.record("apps.automl.trial.v1", trial(sha, 1, 0.99, "voting")) is False
    bad = trial(sha, 2, 0.5)
    bad.metric = "f1"
    assert handler.record("apps.automl.trial.v1", bad) is False
    meta = ensure_profile(sqlite_db, service, sha)
    with sqlite_db.session() as session:
        best = service.recommend(session, meta, limit=1)[0]
    assert best.key == pipeline_key(SVC) and best.support == 1
