"""Profiling, caching, learning and ranking on a real database."""

from __future__ import annotations

import json
import math
import uuid
from typing import Any, Unpack

import pandas as pd
import pytest
from ascent.events.v1 import gateway_pb2, learning_pb2, recommender_pb2
from sqlalchemy import func, select

from services.common import events
from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.errors import AscentError
from services.common.events import new_meta
from services.common.ml.metafeatures import BUILTIN_IRIS
from services.common.ml.pipelines import (
    PRIOR_RATIONALE,
    canonical_spec,
    pipeline_key,
    prior_specs,
    spec_from_outcome,
)
from services.common.ml.tasks import infer_task_type
from services.common.outbox import outbox
from services.recommender.flows import ensure_profile
from services.recommender.handlers import DatasetsHandler, RunsHandler
from services.recommender.models import Observation
from services.recommender.repository import RecommenderRepository
from services.recommender.service import RecommenderService
from services.recommender.trust import CELL_CAP
from tests.recommender.data import mixed_csv, numeric_classification_csv, regression_csv
from tests.support.messy import messy_csv
from tests.support.protos import RunFields, make_run

RF = {"steps": ["SimpleImputer"], "estimator": "RandomForestClassifier", "params": {}}


def run_event(
    dataset_sha256: str,
    spec: dict[str, Any] | None,
    accuracy: float | None = None,
    /,
    **fields: Unpack[RunFields],
) -> learning_pb2.RunCompleted:
    """A run event; its score counts as the coach's own program's unless `scored_by` says
    otherwise (only platform-computed scores teach the knowledge base)."""
    run = make_run(
        {
            "id": str(uuid.uuid4()),
            "dataset_sha256": dataset_sha256,
            "status": "ok",
            "scored_by": "coach",
        },
        **fields,
    )
    if accuracy is not None:
        run.outcome.accuracy = accuracy
    if spec is not None:
        run.outcome.pipeline_json = json.dumps(spec)
        run.outcome.model_type = spec["estimator"]
    return learning_pb2.RunCompleted(meta=new_meta("execution"), run=run)


def observations(db: Database, run_ids: list[str]) -> int:
    with db.session() as session:
        return int(
            session.scalar(
                select(func.count(Observation.id)).where(Observation.run_id.in_(run_ids))
            )
            or 0
        )


def test_iris_meta_features(db: Database, service: RecommenderService) -> None:
    meta = ensure_profile(db, service, "")
    assert meta.dataset_key == BUILTIN_IRIS
    assert (meta.rows, meta.columns, meta.n_classes) == (150, 4, 3)
    assert meta.task_type == "classification"
    assert meta.missing_ratio == 0
    assert meta.categorical_ratio == 0
    assert meta.class_imbalance == 1.0
    assert meta.target == "target"


def test_categorical_and_missing_meta_features(
    db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    sha = store.put(mixed_csv(seed=1))
    meta = ensure_profile(db, service, sha)
    frame = pd.read_csv(store.existing_path(sha))
    assert (meta.rows, meta.columns) == (60, 3)
    assert meta.task_type == "classification"
    assert meta.n_classes == 2
    assert meta.target == "label"
    assert meta.categorical_ratio == pytest.approx(1 / 3, abs=1e-6)
    assert meta.missing_ratio == pytest.approx(frame.isna().sum().sum() / frame.size, abs=1e-6)
    counts = frame["label"].value_counts()
    assert meta.class_imbalance == pytest.approx(counts.min() / counts.max(), abs=1e-6)


def test_regression_meta_features(
    db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    meta = ensure_profile(db, service, store.put(regression_csv()))
    assert meta.task_type == "regression"
    assert (meta.rows, meta.columns, meta.n_classes) == (80, 2, 0)
    assert meta.class_imbalance == 1.0


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["a", "b", "a"], "classification"),
        ([True, False, True], "classification"),
        ([0, 1, 2] * 20, "classification"),
        ([0.5, 1.25, 3.0, 4.75] * 5, "regression"),
        (list(range(100)), "regression"),
        # 15 distinct integers in 100 rows: more than max(10, 5% of rows), a quantity.
        ([i % 15 for i in range(100)], "regression"),
        ([i % 15 for i in range(1000)], "classification"),
    ],
)
def test_task_type_rule(values: list[object], expected: str) -> None:
    assert infer_task_type(pd.Series(values)) == expected


def test_profile_is_computed_once_per_content(
    db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    sha = store.put(numeric_classification_csv(seed=7))
    first = ensure_profile(db, service, sha)
    # With the file gone, only the cached row can answer.
    store.existing_path(sha).unlink()
    assert ensure_profile(db, service, sha) == first


def test_unreadable_unknown_and_malformed_datasets(
    db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    garbage = store.put(b"\x00\xff\xfe not,a\ncsv\x00\x81" * 3)
    with pytest.raises(AscentError) as unreadable:
        ensure_profile(db, service, garbage)
    assert unreadable.value.code == "invalid_argument"
    assert "CSV" in unreadable.value.message or "column" in unreadable.value.message
    with pytest.raises(AscentError) as missing:
        ensure_profile(db, service, "a" * 64)
    assert missing.value.code == "not_found"
    with pytest.raises(AscentError) as malformed:
        ensure_profile(db, service, "../etc/passwd")
    assert malformed.value.code == "invalid_argument"


def test_recommend_from_priors_on_empty_knowledge_base(
    sqlite_db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    for csv, task in (
        (numeric_classification_csv(seed=3), "classification"),
        (regression_csv(seed=3), "regression"),
    ):
        meta = ensure_profile(sqlite_db, service, store.put(csv))
        with sqlite_db.session() as session:
            recs = service.recommend(session, meta, limit=10)
        assert [r.spec for r in recs] == prior_specs(task)
        assert all(r.expected_score == 0 and r.support == 0 for r in recs)
        assert all(r.rationale == PRIOR_RATIONALE for r in recs)
        with sqlite_db.session() as session:
            assert len(service.recommend(session, meta, limit=2)) == 2


def test_knowledge_base_learns_and_replay_is_idempotent(
    sqlite_db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    handlers = RunsHandler(sqlite_db, service)
    seen = store.put(numeric_classification_csv(seed=11))
    similar = store.put(numeric_classification_csv(seed=12))
    different = store.put(regression_csv(seed=11))
    linear = {"steps": [], "estimator": "LogisticRegression", "params": {}}
    batch = [
        run_event(seen, RF, 0.95),
        run_event(seen, RF, 0.91),
        run_event(seen, linear, 0.80),
        run_event(different, {"estimator": "Ridge"}, None),
        run_event(seen, None, 0.5),  # no pipeline and no model type: nothing to learn
        run_event(seen, RF, 0.99, has_error=True),
        run_event("b" * 64, RF, 0.99),  # dataset gone: skipped cleanly
        # Challenge runs read the challenge's files, not the (Iris) dataset they name.
        run_event("", RF, 0.97, challenge_slug="first-classifier"),
        run_event("", RF, 0.97, challenge_slug="first-classifier", practice=True),
    ]
    added = [handlers.record("learning.run.completed.v1", event) for event in batch]
    assert added == [True, True, True, False, False, False, False, False, False]

    meta = ensure_profile(sqlite_db, service, similar)
    with sqlite_db.session() as session:
        recs = service.recommend(session, meta, limit=10)
    assert recs[0].key == pipeline_key(RF)
    assert recs[0].expected_score == pytest.approx(0.93)
    assert recs[0].support == 2
    assert "worked on 1 similar dataset(s)" in recs[0].rationale
    assert "best on 1 of them" in recs[0].rationale
    assert recs[1].key == pipeline_key(linear)
    # Priors follow what was observed, without repeating a known pipeline.
    assert [r.rationale for r in recs[2:]] == [PRIOR_RATIONALE] * 3
    assert len({r.key for r in recs}) == len(recs)

    # Replaying every event (and the same run under a new event id) changes nothing.
    ids = [event.run.id for event in batch]
    before = observations(sqlite_db, ids)
    assert [handlers.record("learning.run.completed.v1", event) for event in batch] == [
        False
    ] * len(batch)
    again = learning_pb2.RunCompleted(meta=new_meta("execution"), run=batch[0].run)
    assert handlers.record("learning.run.completed.v1", again) is False
    assert observations(sqlite_db, ids) == before == 3


def test_similar_dataset_outweighs_distant_one(
    sqlite_db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    handlers = RunsHandler(sqlite_db, service)
    near = store.put(numeric_classification_csv(seed=21, rows=300))
    far = store.put(mixed_csv(seed=21, rows=3000))
    query = store.put(numeric_classification_csv(seed=22, rows=330))
    gb = {"steps": [], "estimator": "GradientBoostingClassifier", "params": {}}
    for event in (run_event(near, RF, 0.90), run_event(far, gb, 0.99), run_event(far, RF, 0.6)):
        assert handlers.record("learning.run.completed.v1", event)
    meta = ensure_profile(sqlite_db, service, query)
    with sqlite_db.session() as session:
        recs = service.recommend(session, meta, limit=3)
    assert recs[0].key == pipeline_key(RF), [r.rationale for r in recs]


def test_pipeline_keys_are_canonical() -> None:
    a = {"params": {"b": 1, "a": 2}, "estimator": "SVC", "steps": ["StandardScaler"]}
    b = {"steps": ["StandardScaler"], "estimator": "SVC", "params": {"a": 2, "b": 1}}
    assert pipeline_key(a) == pipeline_key(b)
    assert spec_from_outcome("", "LogisticRegression") == {
        "steps": [],
        "estimator": "LogisticRegression",
        "params": {},
    }
    assert spec_from_outcome("not json", "SVC") == canonical_spec({"estimator": "SVC"})
    assert spec_from_outcome("", "") is None
    assert math.isclose(len(prior_specs("regression")), 3)


def test_repository_has_no_observations_for_unknown_task(sqlite_db: Database) -> None:
    with sqlite_db.session() as session:
        assert RecommenderRepository(session).pipeline_stats("classification") == []


def test_profile_carries_the_role_of_each_column(
    db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    """Issue 13, item 16: identifiers, dates and free text are told apart from categories,
    and the roles reach the coach with the profile (cached and re-read)."""
    sha = store.put(messy_csv(rows=400))
    first = ensure_profile(db, service, sha)
    cached = ensure_profile(db, service, sha)
    expected = {
        "customer_id": "id",
        "signup_date": "date",
        "review": "text",
        "plan": "categorical",
        "age": "numeric",
        "monthly_spend": "numeric",
    }
    assert first.column_roles == expected
    assert cached.column_roles == expected


def test_similar_datasets_are_cited_by_name_never_by_hash(
    sqlite_db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    """Issue 13, item 15: "similar datasets" were cited as "cd80158f (target 'target')"."""
    named = store.put(numeric_classification_csv(seed=11))
    unnamed = store.put(numeric_classification_csv(seed=13))
    mine = store.put(numeric_classification_csv(seed=12))
    uploaded = gateway_pb2.DatasetUploaded(
        meta=new_meta("gateway"), dataset_sha256=named, filename="customers 2024.csv"
    )
    handler = DatasetsHandler(sqlite_db, service)
    assert handler.record("gateway.dataset.uploaded.v1", uploaded) is True
    assert handler.record("gateway.dataset.uploaded.v1", uploaded) is False  # replayed
    with sqlite_db.session() as session:  # profiled on upload, before any run
        assert service.cached_profile(session, named) is not None
    runs = RunsHandler(sqlite_db, service)
    runs.record("learning.run.completed.v1", run_event(named, RF, 0.95))
    runs.record("learning.run.completed.v1", run_event(unnamed, RF, 0.9))
    meta = ensure_profile(sqlite_db, service, mine)
    with sqlite_db.session() as session:
        rationale = service.recommend(session, meta, limit=1)[0].rationale
    assert "customers 2024.csv (150 rows) (0.950)" in rationale
    assert "an uploaded 150-row dataset predicting 'cls' (0.900)" in rationale
    assert named[:8] not in rationale and unnamed[:8] not in rationale


def test_only_platform_scores_count_and_within_the_caps(
    sqlite_db: Database, service: RecommenderService, store: DatasetStore
) -> None:
    """Issue 20 §3, the trust rules (trust.py): a printed score is a claim, not evidence."""
    handlers = RunsHandler(sqlite_db, service)
    sha = store.put(numeric_classification_csv(seed=31, features=2))
    stump = {"steps": [], "estimator": "DecisionTreeClassifier", "params": {"max_depth": 1}}
    record = handlers.record
    # The learner's own code printed it, or the run names no dataset: never evidence.
    assert not record("s", run_event(sha, stump, 1.0, scored_by="", owner_id="mallory"))
    assert not record("s", run_event("", stump, 1.0, owner_id="mallory"))
    assert not record("s", run_event("", stump, 1.0, scored_by="", owner_id="mallory"))
    # A perfect score where the best landmarker reaches 0.75: an outlier, even trusted.
    assert not record("s", run_event(sha, stump, 1.0, owner_id="mallory"))
    # An app's program computed it: trusted.
    assert record("s", run_event(sha, RF, 0.8, scored_by="", app_slug="training", owner_id="a"))
    # The same learner repeating one pipeline on one dataset counts CELL_CAP times.
    added = [record("s", run_event(sha, RF, 0.8, owner_id="bo")) for _ in range(CELL_CAP + 2)]
    assert added == [True] * CELL_CAP + [False, False]
    with sqlite_db.session() as session:
        trusts = session.scalars(select(Observation.trust).where(Observation.dataset_key == sha))
        assert sorted(trusts) == ["app"] + ["coach"] * CELL_CAP
        # Each observation learnt is an event (the knowledge base's growth, issue 20 §4).
        learnt = session.execute(
            select(outbox.c.payload).where(
                outbox.c.subject == events.RECOMMENDER_OBSERVATION_RECORDED
            )
        ).all()
    recorded = [recommender_pb2.ObservationRecorded.FromString(row.payload) for row in learnt]
    assert (
        sorted(r.trust for r in recorded if r.dataset_key == sha) == ["app"] + ["coach"] * CELL_CAP
    )
