"""Extended meta-features, online learning with Thompson sampling, and cold-start priors."""

from __future__ import annotations

import json
import math
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from ascent.events.v1 import coach_pb2, learning_pb2
from ascent.types.v1 import run_pb2

from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.events import new_meta
from services.common.ml.metafeatures import EXTRA_FEATURES, iris_frame, profile_frame
from services.common.ml.pipelines import pipeline_key
from services.recommender.flows import ensure_profile
from services.recommender.handlers import FeedbackHandler, RunsHandler
from services.recommender.service import PRIORS_PATH, Priors, RecommenderService
from tests.recommender.data import numeric_classification_csv

HGB = {"steps": ["SimpleImputer"], "estimator": "HistGradientBoostingClassifier", "params": {}}
KNN = {"steps": ["StandardScaler"], "estimator": "KNeighborsClassifier", "params": {}}
SVC = {"steps": ["StandardScaler"], "estimator": "SVC", "params": {}}


def event(
    sha: str, spec: dict[str, Any], accuracy: float, duration_ms: int = 500
) -> learning_pb2.RunCompleted:
    run = run_pb2.Run(
        id=str(uuid.uuid4()),
        dataset_sha256=sha,
        status="ok",
        duration_ms=duration_ms,
        scored_by="coach",
    )
    run.outcome.accuracy = accuracy
    run.outcome.model_type = spec["estimator"]
    run.outcome.pipeline_json = json.dumps(spec)
    return learning_pb2.RunCompleted(meta=new_meta("execution"), run=run)


def test_extended_meta_features_on_iris() -> None:
    meta = profile_frame("iris", iris_frame())
    assert set(meta.extra) == set(EXTRA_FEATURES)
    assert meta.extra["class_entropy"] == pytest.approx(1.0)  # three equal classes
    assert meta.extra["majority_share"] == pytest.approx(1 / 3, abs=1e-6)
    assert meta.extra["log_rows"] == pytest.approx(math.log1p(150), abs=1e-6)
    assert meta.extra["dimensionality"] == pytest.approx(4 / 150, abs=1e-6)
    assert meta.extra["numeric_ratio"] == 1.0
    # Iris is easy for 1-NN and naive Bayes; one split (a stump) separates one class of three.
    assert meta.extra["landmark_1nn"] > 0.9
    assert meta.extra["landmark_nb"] > 0.9
    assert 0.5 < meta.extra["landmark_stump"] < 0.75
    assert 0 < meta.extra["skew_mean"] < 1


def test_meta_features_on_skewed_imbalanced_mixed_data() -> None:
    rng = np.random.default_rng(0)
    rows = 400
    frame = pd.DataFrame(
        {
            "income": rng.lognormal(3, 1, rows),  # strongly right-skewed
            "colour": rng.choice(["red", "blue"], rows),
            "noise": rng.normal(size=rows),
            "label": np.where(rng.random(rows) < 0.1, "rare", "common"),
        }
    )
    frame.loc[::10, "noise"] = np.nan
    meta = profile_frame("mixed", frame)
    assert meta.task_type == "classification"
    assert meta.extra["skew_max"] > 2
    assert meta.extra["numeric_ratio"] == pytest.approx(2 / 3, abs=1e-6)
    assert meta.extra["majority_share"] > 0.85
    assert meta.extra["class_entropy"] < 0.6
    # Random features: the landmarkers do no better than predicting the majority class.
    assert meta.extra["landmark_stump"] == pytest.approx(meta.extra["majority_share"], abs=0.05)


def test_regression_landmarkers_are_r2() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, size=(300, 2))
    frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": 3 * x[:, 0] - x[:, 1]})
    meta = profile_frame("linear", frame)
    assert meta.task_type == "regression"
    assert meta.extra["landmark_nb"] == pytest.approx(1.0, abs=1e-6)  # the linear fit is exact
    assert meta.extra["class_entropy"] == 0


def test_profile_with_extras_is_cached_in_database(
    db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    sha = store.put(numeric_classification_csv(seed=41))
    first = ensure_profile(db, service, sha)
    with db.session() as session:
        cached = service.cached_profile(session, sha)
    assert cached is not None
    assert cached.extra == first.extra
    assert set(cached.extra) == set(EXTRA_FEATURES)


def test_a_pipeline_that_keeps_winning_rises(
    sqlite_db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    """HGB starts ahead; SVC keeps winning on new similar datasets and overtakes it."""
    handlers = RunsHandler(sqlite_db, service)
    query = ensure_profile(sqlite_db, service, store.put(numeric_classification_csv(seed=50)))
    first = store.put(numeric_classification_csv(seed=51))
    handlers.record("s", event(first, HGB, 0.95))
    handlers.record("s", event(first, SVC, 0.90))

    def top() -> str:
        with sqlite_db.session() as session:
            return service.recommend(session, query, limit=3)[0].key

    assert top() == pipeline_key(HGB)
    for seed in range(52, 56):
        sha = store.put(numeric_classification_csv(seed=seed))
        handlers.record("s", event(sha, HGB, 0.90))
        handlers.record("s", event(sha, SVC, 0.97))
    assert top() == pipeline_key(SVC)
    with sqlite_db.session() as session:
        best = service.recommend(session, query, limit=3)[0]
    assert best.support == 5
    assert "best on 4 of them" in best.rationale
    assert best.expected_cost_ms == pytest.approx(500)


def test_thompson_sampling_keeps_exploring(sqlite_db: Database, store: DatasetStore) -> None:
    """Two close pipelines with little evidence: random draws put each one first sometimes;
    greedy ranking never does."""
    handlers = RunsHandler(sqlite_db, RecommenderService(store))
    query_sha = store.put(numeric_classification_csv(seed=60))
    sha = store.put(numeric_classification_csv(seed=61))
    handlers.record("s", event(sha, HGB, 0.93))
    handlers.record("s", event(sha, KNN, 0.92))

    def tops(service: RecommenderService, draws: int) -> set[str]:
        meta = ensure_profile(sqlite_db, service, query_sha)
        found = set()
        for _ in range(draws):
            with sqlite_db.session() as session:
                found.add(service.recommend(session, meta, limit=2)[0].key)
        return found

    assert tops(RecommenderService(store, seed=1), 40) == {pipeline_key(HGB), pipeline_key(KNN)}
    assert tops(RecommenderService(store, seed=1, explore=0.0), 10) == {pipeline_key(HGB)}
    with sqlite_db.session() as session:
        recs = RecommenderService(store, seed=1).recommend(
            session, ensure_profile(sqlite_db, RecommenderService(store), query_sha), limit=2
        )
    assert all(r.uncertainty > 0 for r in recs)


def test_bundled_priors_give_cold_start_advice(
    sqlite_db: Database, store: DatasetStore, tmp_path: Path
) -> None:
    priors = Priors.load(PRIORS_PATH)
    assert len(priors.profiles) >= 20
    assert {m.task_type for m in priors.profiles.values()} == {"classification", "regression"}
    service = RecommenderService(store, priors=priors, seed=0, explore=0.0)
    meta = ensure_profile(sqlite_db, service, store.put(numeric_classification_csv(seed=70)))
    with sqlite_db.session() as session:
        recs = service.recommend(session, meta, limit=5)
    assert len(recs) == 5
    assert all(r.support > 0 and r.expected_score > 0 for r in recs)
    assert recs[0].rationale.startswith("worked on ")
    assert all(r.expected_cost_ms > 0 for r in recs)
    # A missing priors file is an empty knowledge base, not an error.
    assert Priors.load(tmp_path / "absent.json").results == []


def rated(proposal_id: str, key: str, rating: int, verdict: str) -> coach_pb2.ProposalRated:
    return coach_pb2.ProposalRated(
        meta=new_meta("coach"),
        proposal_id=proposal_id,
        rating=rating,
        verdict=verdict,
        pipeline_keys=[key],
    )


def test_accepted_proposals_lift_a_pipeline_and_rejections_sink_it(
    sqlite_db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    runs = RunsHandler(sqlite_db, service)
    feedback = FeedbackHandler(sqlite_db, service)
    sha = store.put(numeric_classification_csv(seed=80))
    runs.record("s", event(sha, HGB, 0.930))
    runs.record("s", event(sha, KNN, 0.925))
    meta = ensure_profile(sqlite_db, service, store.put(numeric_classification_csv(seed=81)))

    def order() -> list[str]:
        with sqlite_db.session() as session:
            return [r.key for r in service.recommend(session, meta, limit=2)]

    assert order() == [pipeline_key(HGB), pipeline_key(KNN)]
    liked = [rated(f"p{i}", pipeline_key(KNN), 5, "accepted") for i in range(3)]
    assert [feedback.record("coach.proposal.rated.v1", e) for e in liked] == [True] * 3
    assert order() == [pipeline_key(KNN), pipeline_key(HGB)]
    with sqlite_db.session() as session:
        top = service.recommend(session, meta, limit=1)[0]
    assert "learners rated it +1.0 on 3 proposal(s)" in top.rationale
    # Replays change nothing; a later verdict on the same proposals replaces the earlier one.
    assert [feedback.record("coach.proposal.rated.v1", e) for e in liked] == [False] * 3
    for i in range(3):
        feedback.record("coach.proposal.rated.v1", rated(f"p{i}", pipeline_key(KNN), 1, "rejected"))
    assert order() == [pipeline_key(HGB), pipeline_key(KNN)]
    # Feedback without a rating or verdict teaches nothing.
    assert (
        feedback.record("coach.proposal.rated.v1", rated("p9", pipeline_key(KNN), 0, "")) is False
    )
