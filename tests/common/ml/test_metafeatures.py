"""Meta-features: the task type from the shared rule, class statistics, landmarkers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from services.common.errors import AscentError
from services.common.ml.metafeatures import (
    BUILTIN_IRIS,
    EXTRA_FEATURES,
    MetaFeatures,
    profile_builtin_iris,
    profile_frame,
)
from services.common.ml.tasks import CLASSIFICATION, REGRESSION


def test_iris_profile() -> None:
    meta = profile_builtin_iris()
    assert (meta.dataset_key, meta.rows, meta.columns) == (BUILTIN_IRIS, 150, 4)
    assert (meta.task_type, meta.n_classes, meta.class_imbalance) == (CLASSIFICATION, 3, 1.0)
    assert set(meta.extra) == set(EXTRA_FEATURES)
    assert meta.get("landmark_1nn") > 0.8


def test_fifteen_integer_values_in_100_rows_profile_as_regression() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=100)
    frame = pd.DataFrame({"x": x, "colour": rng.choice(["r", "g"], 100), "y": np.arange(100) % 15})
    meta = profile_frame("k", frame)
    assert (meta.task_type, meta.n_classes, meta.class_imbalance) == (REGRESSION, 0, 1.0)
    assert meta.categorical_ratio == 0.5
    assert meta.get("class_entropy") == 0.0


def test_classification_statistics_and_missing_cells() -> None:
    frame = pd.DataFrame({"x": [1.0, None, 3.0, 4.0] * 5, "label": ["a", "a", "a", "b"] * 5})
    meta = profile_frame("k", frame)
    assert (meta.task_type, meta.n_classes) == (CLASSIFICATION, 2)
    assert meta.class_imbalance == pytest.approx(1 / 3, abs=1e-6)
    assert meta.missing_ratio == pytest.approx(5 / 40)
    assert meta.get("majority_share") == 0.75
    # The extended features do not take part in equality (older cached profiles lack them).
    assert meta == MetaFeatures(**{**meta.__dict__, "extra": {}})


def test_unusable_frames_are_refused() -> None:
    with pytest.raises(AscentError, match="two columns"):
        profile_frame("k", pd.DataFrame({"y": [1, 2]}))
    with pytest.raises(AscentError, match="no rows"):
        profile_frame("k", pd.DataFrame({"x": [], "y": []}))
