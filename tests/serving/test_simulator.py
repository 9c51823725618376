"""The traffic simulator (services/serving/simulator.py): rows drawn from a training
reference follow it (numbers, integers, categories), each drift moves what it says and
nothing else, the drift report reacts accordingly, bad drifts are 400s, and the requests go
through the real predict path paced by the key's rate limit."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ascent.serving.v1 import serving_service_pb2 as pb
from scipy import stats
from sklearn.linear_model import LogisticRegression

from services.common.db import Database
from services.common.errors import AscentError
from services.serving import drift, simulator
from services.serving.limits import RateLimiter
from services.serving.simulator import DriftSpec, RowSampler
from tests.serving.test_ab import FEATURES, deploy_two, exported, predictor_over

N = 5_000


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'serving.db'}")
    database.migrate("serving", "services.serving.migrations")
    return database


@pytest.fixture(scope="module")
def ref() -> dict[str, Any]:
    """The reference of the A/B test's training frame (age ~ N(40, 12), rooms 1-5, city)."""
    found: dict[str, Any] = exported(LogisticRegression(max_iter=500)).details["reference"]
    return found


def sample(ref: dict[str, Any], spec: DriftSpec, n: int = N, seed: int = 1) -> dict[str, list[Any]]:
    checked = simulator.check_drift(spec, FEATURES, ref)
    return RowSampler(FEATURES, ref, checked, np.random.default_rng(seed)).columns(n)


def test_rows_follow_the_training_reference(ref: dict[str, Any]) -> None:
    columns = sample(ref, DriftSpec())
    age = np.asarray(columns["age"])
    # The sampled ages against the reference CDF (its percentiles): KS finds nothing.
    xs, fs = drift.reference_cdf(ref["age"]["quantiles"])
    ks = stats.ks_1samp(age, lambda x: np.interp(x, xs, fs, left=0.0, right=1.0))
    assert ks.statistic < 0.03
    assert abs(age.mean() - ref["age"]["mean"]) < 0.1 * ref["age"]["std"]
    assert abs(age.std() - ref["age"]["std"]) < 0.1 * ref["age"]["std"]
    rooms = columns["rooms"]
    assert all(isinstance(v, int) for v in rooms) and set(rooms) <= {1, 2, 3, 4, 5}
    counts = ref["city"]["counts"]
    total = sum(counts.values())
    seen = Counter(columns["city"])
    for city, count in counts.items():
        assert abs(seen[city] / N - count / total) < 0.03, (city, seen)
    # The drift report sees no drift in rows like these.
    for feature in FEATURES:
        result = drift.feature_drift(
            feature.name,
            feature.type,
            ref[feature.name],
            columns[feature.name][:1000],
            drift.Thresholds(),
        )
        assert not result.drifted, result


def test_each_drift_moves_its_feature_and_nothing_else(ref: dict[str, Any]) -> None:
    base = sample(ref, DriftSpec())
    std = ref["age"]["std"]
    shifted = sample(ref, DriftSpec("shift", "age", 2.0))
    moved = np.mean(shifted["age"]) - np.mean(base["age"])
    assert abs(moved - 2.0 * std) < 0.1 * std
    assert abs(np.mean(shifted["rooms"]) - np.mean(base["rooms"])) < 0.1
    scaled = sample(ref, DriftSpec("scale", "age", 2.0))
    assert abs(np.std(scaled["age"]) / np.std(base["age"]) - 2.0) < 0.1
    assert abs(np.mean(scaled["age"]) - ref["age"]["mean"]) < 0.15 * std
    swapped = sample(ref, DriftSpec("swap", "city", 0.0, "north", "east"))
    counts = ref["city"]["counts"]
    total = sum(counts.values())
    seen = Counter(swapped["city"])
    assert abs(seen["north"] / N - counts["east"] / total) < 0.03
    assert abs(seen["east"] / N - counts["north"] / total) < 0.03
    assert abs(seen["south"] / N - counts["south"] / total) < 0.03
    # The drift report flags exactly the drifted feature.
    limits = drift.Thresholds()
    for spec, name in (
        (DriftSpec("shift", "age", 1.0), "age"),
        (DriftSpec("scale", "age", 2.5), "age"),
        (DriftSpec("swap", "city"), "city"),  # default: the most and the least frequent
    ):
        columns = sample(ref, spec, n=1_000, seed=3)
        flagged = [
            f.name
            for f in FEATURES
            if drift.feature_drift(f.name, f.type, ref[f.name], columns[f.name], limits).drifted
        ]
        assert flagged == [name], (spec, flagged)


def test_bad_drifts_are_refused_with_the_reason(ref: dict[str, Any]) -> None:
    cases = [
        (DriftSpec("melt", "age"), "one of"),
        (DriftSpec("shift", "height", 1.0), "'height' is not a column"),
        (DriftSpec("shift", "city", 1.0), "is a category"),
        (DriftSpec("swap", "age"), "is a number"),
        (DriftSpec("shift", "age", 11.0), "at most"),
        (DriftSpec("shift", "age", float("inf")), "finite"),
        (DriftSpec("scale", "age", 0.0), "(0, 10]"),
        (DriftSpec("swap", "city", 0.0, "north", "west"), "'west' is not a training category"),
        (DriftSpec("swap", "city", 0.0, "north", "north"), "two different"),
    ]
    for spec, message in cases:
        with pytest.raises(AscentError) as err:
            simulator.check_drift(spec, FEATURES, ref)
        assert err.value.code == "invalid_argument" and message in err.value.message, spec
    with pytest.raises(AscentError) as missing:
        RowSampler(FEATURES, {"age": ref["age"]}, DriftSpec(), np.random.default_rng(0))
    assert missing.value.code == "unprocessable" and "'rooms'" in missing.value.message


def test_requests_go_through_the_predict_path_paced_by_the_rate_limit(
    db: Database, ref: dict[str, Any]
) -> None:
    dep_id = deploy_two(db)
    predictor = predictor_over(db)
    predictor.limiter = RateLimiter(rate=200.0, burst=5)
    sampler = RowSampler(FEATURES, ref, DriftSpec("shift", "age", 3.0), np.random.default_rng(2))
    tally, answered, truncated, _ = simulator.send(
        sampler, 30, 4, lambda body, rid: predictor.predict_as_owner(dep_id, body, rid), 30.0
    )
    assert tally.sent == tally.ok == 30 and tally.rows == 120 and not truncated
    assert tally.waited > 0 and answered == Counter({2: 30})  # v2 is current, no split
    entries = predictor.log.drain()
    assert len(entries) == 30 and {e.status for e in entries} == {"ok"}  # waits not logged
    logged_age = [row[0] for e in entries for row in e.values]
    assert np.mean(logged_age) > ref["age"]["mean"] + 2.5 * ref["age"]["std"]
    # A budget that runs out stops the simulation and says so.
    predictor.limiter = RateLimiter(rate=0.01, burst=3)
    tally, _, truncated, _ = simulator.send(
        sampler, 10, 1, lambda body, rid: predictor.predict_as_owner(dep_id, body, rid), 0.5
    )
    assert truncated and tally.sent == 3
    # Requests and rows are bounded.
    for requests, rows in ((0, 1), (2_001, 1), (10, 101)):
        with pytest.raises(AscentError):
            simulator.check_request(
                pb.SimulateTrafficRequest(requests=requests, rows_per_request=rows)
            )
