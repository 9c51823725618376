"""Dataset checks and the platform's split of an uploaded dataset."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import numpy as np
import pandas as pd

from services.authoring.profiling import make_split, profile
from services.common.ml.tasks import infer_task_type


def frame(rows: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rows)
    label = np.where(x + rng.normal(0, 1.0, rows) > 0, "a", "b").astype(object)
    label[:4] = "rare"  # a tiny third class
    return pd.DataFrame(
        {
            "id": np.arange(rows),
            "x": x.round(3),
            "noise": rng.normal(size=rows).round(3),
            "const": 1,
            "leak": np.where(label == "a", 10, np.where(label == "b", 20, 30)),
            "label": label,
        }
    )


class Finding(Protocol):
    """A problem the profile reports, as far as these tests read it."""

    @property
    def severity(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def column(self) -> str: ...


def kinds(problems: Iterable[Finding], severity: str = "warning") -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for p in problems:
        if p.severity == severity:
            found.setdefault(p.kind, set()).add(p.column)
    return found


def test_profile_flags_id_constant_leaky_and_tiny_classes() -> None:
    result = profile(frame(), "label")
    assert result.inferred_task_type == "classification" and not result.errors
    found = kinds(result.problems)
    assert found["id_column"] == {"id"}
    assert found["constant_column"] == {"const"}
    assert found["leaky_column"] == {"leak"}
    assert found["tiny_class"] == {"label"}
    assert "x" not in found.get("leaky_column", set()) and result.class_counts["rare"] == 4


def test_no_usable_target_is_an_error() -> None:
    data = frame()
    for target, message in (
        ("missing", "not a column"),
        ("const", "no usable values"),
    ):
        errors = profile(data, target).errors
        assert errors and errors[0].kind == "no_target" and message in errors[0].message
    data["empty"] = np.nan
    assert profile(data, "empty").errors[0].kind == "no_target"
    # A text target cannot be a regression target.
    assert "not numeric" in profile(data, "label", "regression").errors[0].message
    assert profile(data.head(10), "label").errors[0].kind == "too_few_rows"


def test_task_type_inference() -> None:
    assert infer_task_type(pd.Series(["x", "y"])) == "classification"
    assert infer_task_type(pd.Series([0, 1, 2, 1])) == "classification"
    assert infer_task_type(pd.Series(np.linspace(0, 1, 100))) == "regression"
    assert infer_task_type(pd.Series([0.5, 1.5, 2.5])) == "regression"


def test_stratified_split_sizes_and_public_private_parts() -> None:
    data = frame(300)
    parts, method = make_split(data, "label", "classification", 0.3, seed=11)
    assert method == "stratified"
    assert len(parts.train) == 210 and len(parts.test_labels) == 90
    assert "label" not in parts.test_features.columns and "label" in parts.train.columns
    # Class shares survive on both sides (the rare class too).
    test_counts = pd.Series(parts.test_labels).value_counts()
    assert test_counts["rare"] >= 1 and (parts.train["label"] == "rare").sum() >= 2
    share = (data["label"] == "a").mean()
    assert abs(test_counts["a"] / 90 - share) < 0.02
    # Public rows: 30 % of the test set (issue 17: a minority), positions within it; private
    # is the rest.
    assert len(parts.public_rows) == 27 and len(set(parts.public_rows)) == 27
    assert all(0 <= i < 90 for i in parts.public_rows)
    again, _ = make_split(data, "label", "classification", 0.3, seed=11)
    assert again.public_rows == parts.public_rows and again.test_labels == parts.test_labels


def test_random_split_for_regression_and_singleton_classes() -> None:
    data = frame(100)
    data["y"] = np.linspace(0, 5, 100)
    parts, method = make_split(data, "y", "regression", 0.2, seed=1)
    assert method == "random" and len(parts.test_labels) == 20
    data.loc[0, "label"] = "only-one"
    _, method = make_split(data, "label", "classification", 0.2, seed=1)
    assert method == "random"
    # Rows without a target value are left out.
    data.loc[1:4, "y"] = np.nan
    parts, _ = make_split(data, "y", "regression", 0.2, seed=1)
    assert len(parts.train) + len(parts.test_labels) == 96
