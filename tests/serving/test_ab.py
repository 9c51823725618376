"""A/B testing in the serving service (services/serving/abtest.py) over a real SQLite
registry and real ONNX models: the split's validation, routing shares over many requests
(deterministic per request id, random without one), per-version metrics from the written
prediction log, a restart keeping the split and a new version ending it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from skl2onnx import convert_sklearn  # type: ignore[import-untyped]
from skl2onnx.common.data_types import (  # type: ignore[import-untyped]
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from services.common.db import Database
from services.common.errors import AscentError
from services.common.ml.model_export import ExportedModel, Feature
from services.serving import abtest, service
from services.serving.limits import RateLimiter
from services.serving.models import Deployment
from services.serving.service import ModelCache, PredictionLog, Predictor, RunInfo

FEATURES = (Feature("age", "number"), Feature("rooms", "integer"), Feature("city", "string"))
OWNER = "owner-1"


def training_frame() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "age": rng.normal(40, 12, 400),
            "rooms": rng.integers(1, 6, 400),
            "city": rng.choice(["north", "south", "east"], 400, p=[0.6, 0.3, 0.1]),
        }
    )
    y = np.where(frame["age"] + 5 * frame["rooms"] > 55, "big", "small")
    return frame, y


def exported(estimator: Any) -> ExportedModel:
    frame, y = training_frame()
    model = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("num", "passthrough", ["age", "rooms"]),
                        ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"]),
                    ]
                ),
            ),
            ("clf", estimator),
        ]
    ).fit(frame, y)
    types = [
        ("age", FloatTensorType([None, 1])),
        ("rooms", Int64TensorType([None, 1])),
        ("city", StringTensorType([None, 1])),
    ]
    onx = convert_sklearn(
        model, initial_types=types, options={id(model): {"zipmap": False}}, target_opset=17
    )
    reference = {
        "age": {
            "kind": "number",
            "n": len(frame),
            "quantiles": [float(q) for q in np.percentile(frame["age"], np.arange(101))],
            "mean": float(frame["age"].mean()),
            "std": float(frame["age"].std()),
        },
        "rooms": {
            "kind": "number",
            "n": len(frame),
            "quantiles": [float(q) for q in np.percentile(frame["rooms"], np.arange(101))],
            "mean": float(frame["rooms"].mean()),
            "std": float(frame["rooms"].std()),
        },
        "city": {
            "kind": "string",
            "counts": {str(k): int(v) for k, v in frame["city"].value_counts().items()},
            "other": 0,
        },
    }
    return ExportedModel(
        bytes(onx.SerializeToString()),
        "sha",
        FEATURES,
        "columns",
        type(estimator).__name__,
        "model",
        ("big", "small"),
        1.0,
        400,
        {"reference": reference},
    )


RUN = RunInfo("run", OWNER, "session", "a run", "", "", "", {"accuracy": 0.9})


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'serving.db'}")
    database.migrate("serving", "services.serving.migrations")
    return database


def deploy_two(db: Database) -> str:
    """A deployment with v1 (a forest) and v2 (a logistic regression), v2 current."""
    with db.session() as session:
        deployment, _, _ = service.store_version(
            session,
            OWNER,
            "",
            "ab",
            RUN,
            exported(RandomForestClassifier(n_estimators=5, random_state=0)),
            {},
        )
        dep_id = deployment.id
    with db.session() as session:
        service.store_version(
            session, OWNER, dep_id, "", RUN, exported(LogisticRegression(max_iter=500)), {}
        )
    return dep_id


def predictor_over(db: Database) -> Predictor:
    def load(deployment_id: str) -> service.Served | None:
        with db.session() as session:
            return service.load_served(session, deployment_id)

    return Predictor(
        ModelCache(load, 4),
        RateLimiter(rate=1e9, burst=10**9),
        PredictionLog(max_queue=10**6),
        max_rows=100,
        max_body_bytes=100_000,
        log_rows=10,
    )


def set_split(db: Database, dep_id: str, arms: list[tuple[int, float]], owner: str = OWNER) -> Any:
    with db.session() as session:
        return abtest.set_split(session, owner, dep_id, arms)


BODY = json.dumps({"rows": [{"age": 51.0, "rooms": 2, "city": "north"}]}).encode()


def test_split_validation_refuses_what_is_not_a_split(db: Database) -> None:
    dep_id = deploy_two(db)
    cases: list[tuple[list[tuple[int, float]], str]] = [
        ([(1, 1.0)], "2 or 3 versions"),
        ([(1, 0.25), (2, 0.25), (1, 0.25), (2, 0.25)], "at most 3"),
        ([(1, 0.5), (1, 0.5)], "twice"),
        ([(1, 0.5), (7, 0.5)], "v7 is not a version"),
        ([(1, 0.0), (2, 1.0)], "between 0 and 1"),
        ([(1, float("nan")), (2, 0.5)], "between 0 and 1"),
        ([(1, 0.5), (2, 0.4)], "sum to 0.9"),
    ]
    for arms, message in cases:
        with pytest.raises(AscentError) as err:
            set_split(db, dep_id, arms)
        assert err.value.code == "invalid_argument" and message in err.value.message, arms
    # Another learner's deployment is not found, whatever the split.
    with pytest.raises(AscentError) as err:
        set_split(db, dep_id, [(1, 0.5), (2, 0.5)], owner="someone-else")
    assert err.value.code == "not_found"
    # Shares within rounding of 1 are accepted and renormalised.
    response = set_split(db, dep_id, [(1, 0.8), (2, 0.2000000001)])
    assert [a.version for a in response.split.arms] == [1, 2]
    assert abs(sum(a.share for a in response.split.arms) - 1.0) < 1e-12
    assert response.split.since and response.current_version == 2
    # Cleared: no arms, no "since".
    cleared = set_split(db, dep_id, [])
    assert list(cleared.split.arms) == [] and cleared.split.since == ""


def test_versions_with_other_columns_cannot_share_an_endpoint(db: Database) -> None:
    dep_id = deploy_two(db)
    other = exported(LogisticRegression(max_iter=500))
    narrower = ExportedModel(
        other.onnx, "sha", FEATURES[:2], "columns", "x", "model", ("a", "b"), 1.0, 1
    )
    with db.session() as session:
        service.store_version(session, OWNER, dep_id, "", RUN, narrower, {})
    with pytest.raises(AscentError) as err:
        set_split(db, dep_id, [(1, 0.5), (3, 0.5)])
    assert err.value.code == "unprocessable" and "same columns" in err.value.message


def test_routing_follows_the_shares_and_is_stable_per_request_id(db: Database) -> None:
    dep_id = deploy_two(db)
    set_split(db, dep_id, [(1, 0.8), (2, 0.2)])
    predictor = predictor_over(db)
    served = predictor.cache.get(dep_id)
    assert served is not None
    n = 20_000
    # Fresh ids: the shares within 1.5 points (≈ 5 standard errors at n = 20,000).
    by_id = Counter(served.route(f"req-{i}").version for i in range(n))
    assert abs(by_id[1] / n - 0.8) < 0.015 and abs(by_id[2] / n - 0.2) < 0.015
    # No id: a random draw with the same shares.
    drawn = Counter(served.route("").version for _ in range(n))
    assert abs(drawn[1] / n - 0.8) < 0.015
    # The same id always reaches the same version; another deployment hashes it apart.
    assert len({served.route("user-42").version for _ in range(50)}) == 1
    assert abtest.route_point(dep_id, "user-42") != abtest.route_point("other", "user-42")
    # Three arms (a third version first).
    with db.session() as session:
        service.store_version(
            session, OWNER, dep_id, "", RUN, exported(LogisticRegression(C=0.01)), {}
        )
    set_split(db, dep_id, [(1, 0.5), (2, 0.3), (3, 0.2)])
    predictor.cache.invalidate(dep_id)
    served = predictor.cache.get(dep_id)
    assert served is not None
    three = Counter(served.route(f"r{i}").version for i in range(n))
    for version, share in ((1, 0.5), (2, 0.3), (3, 0.2)):
        assert abs(three[version] / n - share) < 0.015, three


def test_the_predict_path_answers_with_the_routed_version_and_logs_it(db: Database) -> None:
    dep_id = deploy_two(db)
    set_split(db, dep_id, [(1, 0.5), (2, 0.5)])
    predictor = predictor_over(db)
    with db.session() as session:
        key = "asc_test"
        deployment = session.get(Deployment, dep_id)
        assert deployment is not None
        deployment.key_sha256 = service.key_digest(key)
    answered = Counter(predictor.predict(dep_id, key, BODY, f"id-{i}").version for i in range(400))
    assert set(answered) == {1, 2} and 150 < answered[1] < 250
    assert predictor.predict(dep_id, key, BODY, "id-7").version == (
        predictor.predict(dep_id, key, BODY, "id-7").version
    )
    # A refused request is logged under the version it was routed to.
    with pytest.raises(AscentError):
        predictor.predict(dep_id, key, b'{"rows": [{"age": 1}]}', "id-bad")
    entries = predictor.log.drain()
    with db.session() as session:
        service.write_log(session, entries, set(), 10_000, timedelta(days=30), False)
    with db.session() as session:
        metrics = abtest.version_metrics(session, OWNER, dep_id, 0)
    by_version = {m.version: m for m in metrics.versions}
    assert set(by_version) == {1, 2}
    routed = Counter(e.version for e in entries if e.status == "ok")
    for version in (1, 2):
        m = by_version[version]
        assert m.ok == routed[version] and m.share == 0.5
        assert m.p50_ms > 0 and m.p95_ms >= m.p50_ms and not m.numeric
        assert m.predictions == m.ok  # one row per request
        assert abs(sum(label.share for label in m.labels) - 1.0) < 1e-9
    assert sum(m.errors for m in metrics.versions) == 1
    assert by_version[2].current and not by_version[1].current
    with db.session() as session, pytest.raises(AscentError):
        abtest.version_metrics(session, OWNER, dep_id, 10**6)


def test_a_restart_keeps_the_split_and_a_new_version_ends_it(db: Database) -> None:
    dep_id = deploy_two(db)
    set_split(db, dep_id, [(1, 0.3), (2, 0.7)])
    # A new process: a fresh cache over the same database.
    served = predictor_over(db).cache.get(dep_id)
    assert served is not None
    assert [(a.version, round(a.upper, 6)) for a in served.split] == [(1, 0.3), (2, 1.0)]
    with db.session() as session:
        card = service.get_deployment(session, OWNER, dep_id, "")
    assert [(a.version, a.share) for a in card.split.arms] == [(1, 0.3), (2, 0.7)]
    with db.session() as session:
        service.store_version(session, OWNER, dep_id, "", RUN, exported(LogisticRegression()), {})
    served = predictor_over(db).cache.get(dep_id)
    assert served is not None and served.split == () and served.version == 3
    assert {served.route(f"x{i}").version for i in range(100)} == {3}
