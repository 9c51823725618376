"""The drift statistics (services/serving/drift.py) against scipy and hand values, and the
drift report over a real SQLite prediction log (alert row + outbox event, once)."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import numpy as np
from ascent.serving.v1 import serving_service_pb2 as pb
from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import Database, utcnow
from services.common.outbox import outbox
from services.serving import drift, monitor
from services.serving.models import Deployment, ModelVersion, Prediction

LIMITS = drift.Thresholds()


def test_psi_matches_the_hand_formula() -> None:
    ref = np.array([0.5, 0.5])
    cur = np.array([0.8, 0.2])
    expected = (0.8 - 0.5) * math.log(0.8 / 0.5) + (0.2 - 0.5) * math.log(0.2 / 0.5)
    assert math.isclose(drift.psi(ref, cur), expected, rel_tol=1e-12)
    assert drift.psi(ref, ref) == 0.0


def test_numeric_drift_ks_is_scipys_against_the_reference_cdf() -> None:
    # Percentiles of U(0, 1): the interpolated reference CDF is exactly the uniform CDF.
    reference = {"quantiles": list(np.linspace(0, 1, 101)), "mean": 0.5, "std": 0.2887}
    rng = np.random.default_rng(7)
    same = rng.uniform(0, 1, 2_000)
    result = drift.numeric_drift("x", reference, same, LIMITS)
    expected = stats.ks_1samp(same, stats.uniform.cdf, method="asymp")  # 2,000 rows
    assert result.ks_statistic is not None
    assert math.isclose(result.ks_statistic, expected.statistic, rel_tol=1e-9)
    assert result.ks_p_value is not None
    assert math.isclose(result.ks_p_value, expected.pvalue, rel_tol=1e-6)
    assert not result.drifted and result.psi < 0.02
    # A reference of few training rows is itself noisy: the same D weighs less.
    assert drift.ks_p_value(0.1, 500, 225) > 10 * drift.ks_p_value(0.1, 500, 0)
    # Deciles of the reference: PSI by hand over ten bins of a shifted sample.
    shifted = rng.uniform(0.3, 1.3, 2_000)
    moved = drift.numeric_drift("x", reference, shifted, LIMITS)
    counts = np.histogram(np.clip(shifted, -1, 2), bins=[-1, *np.linspace(0.1, 0.9, 9), 2])[0]
    assert math.isclose(moved.psi, drift.psi(np.full(10, 0.1), counts / len(shifted)))
    assert moved.drifted and moved.psi > 1.0
    assert "std" in moved.detail


def test_categorical_drift_chi2_and_psi() -> None:
    reference = {"counts": {"a": 600, "b": 300}, "other": 100}
    values = ["a"] * 30 + ["b"] * 60 + ["z"] * 10  # "z" is unknown: counted as other
    result = drift.categorical_drift("c", reference, values, LIMITS)
    expected = stats.chisquare([30, 60, 10], [60, 30, 10])
    assert result.chi2_statistic is not None
    assert math.isclose(result.chi2_statistic, expected.statistic)
    assert math.isclose(result.chi2_statistic, 30**2 / 60 + 30**2 / 30)
    assert result.drifted and result.top_change in ("a", "b")
    steady = drift.categorical_drift("c", reference, ["a"] * 60 + ["b"] * 30 + ["q"] * 10, LIMITS)
    assert not steady.drifted and steady.psi < 1e-9


def test_too_few_rows_or_no_reference_is_not_tested() -> None:
    assert not drift.numeric_drift("x", {}, np.ones(100), LIMITS).drifted
    few = drift.numeric_drift("x", {"quantiles": [0, 1, 2]}, np.ones(5), LIMITS)
    assert not few.drifted and "needed" in few.detail


def test_drift_report_over_the_log_alerts_once(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'serving.db'}")
    db.migrate("serving", "services.serving.migrations")
    now = utcnow()
    rng = np.random.default_rng(3)
    reference = {
        "x": {"kind": "number", "quantiles": list(np.linspace(0, 10, 101)), "mean": 5, "std": 2.9},
        "c": {"kind": "string", "counts": {"red": 50, "blue": 50}, "other": 0},
    }

    def seed(session: Session) -> None:
        session.add(
            Deployment(
                id="d1",
                owner_id="u1",
                name="m",
                key_sha256="0" * 64,
                key_prefix="asc_",
                current_version=1,
                created_at=now,
            )
        )
        session.add(
            ModelVersion(
                deployment_id="d1",
                version=1,
                run_id="r",
                model_type="t",
                input_mode="columns",
                features_json=json.dumps(
                    [{"name": "x", "type": "number"}, {"name": "c", "type": "string"}]
                ),
                onnx=b"",
                onnx_sha256="",
                reference_json=json.dumps(reference),
                created_at=now,
            )
        )
        for i in range(20):  # x shifted by +5, c steady
            values = [
                [float(v) + 5, "red" if j % 2 else "blue"]
                for j, v in enumerate(rng.uniform(0, 10, 10))
            ]
            session.add(
                Prediction(
                    deployment_id="d1",
                    version=1,
                    created_at=now + timedelta(seconds=i),
                    status="ok",
                    rows=10,
                    features_json=json.dumps({"columns": ["x", "c"], "values": values}),
                )
            )

    with db.session() as session:
        seed(session)
    # A small window shows the drift but raises no alert (its noise could flag steady ones).
    small = pb.GetDriftReportRequest(owner_id="u1", deployment_id="d1", window_rows=150)
    with db.session() as session:
        report = monitor.drift_report(session, small)
    assert report.rows == 150 and report.requests == 15 and report.has_reference
    assert report.features[0].drifted and not report.features[0].drifting_since
    with db.session() as session:
        assert list(session.scalars(select(outbox.c.subject))) == []
    request = pb.GetDriftReportRequest(
        owner_id="u1", deployment_id="d1", window_rows=monitor.ALERT_MIN_ROWS
    )
    with db.session() as session:
        report = monitor.drift_report(session, request)
    assert report.rows == monitor.ALERT_MIN_ROWS == 200
    first = report.features[0]
    assert first.name == "x" and first.drifted and first.drifting_since
    assert not report.features[1].drifted
    with db.session() as session:
        again = monitor.drift_report(session, request)
    assert again.features[0].drifting_since == first.drifting_since
    with db.session() as session:
        events = list(session.scalars(select(outbox.c.subject)))
    assert events.count("serving.drift.detected.v1") == 1


def test_an_integer_feature_like_its_training_counts_is_not_drift() -> None:
    # A count 1-5: the percentiles repeat (point masses). scipy's D against the interpolated
    # CDF reads each step as a gap (≈ 0.2); the tie-aware D stays at sampling noise.
    rng = np.random.default_rng(4)
    train = rng.integers(1, 6, 2_000)
    reference = {
        "quantiles": [float(q) for q in np.percentile(train, np.arange(101))],
        "mean": float(train.mean()),
        "std": float(train.std()),
        "n": 2_000,
    }
    same = rng.integers(1, 6, 1_000).astype(float)
    result = drift.numeric_drift("rooms", reference, same, LIMITS)
    assert result.ks_statistic is not None and result.ks_statistic < 0.05
    assert not result.drifted
    moved = drift.numeric_drift("rooms", reference, np.minimum(same + 1, 6), LIMITS)
    assert moved.drifted and moved.ks_statistic is not None and moved.ks_statistic > 0.15
