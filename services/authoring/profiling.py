"""Dataset checks of an authored challenge (pure functions, no I/O): reading the CSV, the
inferred task type (the platform's rule, `services.common.ml.tasks`), the obvious problems
an instructor should see before publishing, and the platform's split into a public training
part and a hidden test part."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from services.common.challenge_data import ChallengeSplit, split_frame
from services.common.curriculum import PUBLIC_FRACTION
from services.common.errors import AscentError
from services.common.ml.scoring import metric_label, ranking_metric
from services.common.ml.tasks import CLASSIFICATION, REGRESSION, infer_task_type

MIN_ROWS = 20
# Fewer rows than this in a class: too few to learn from and to appear in the test part.
TINY_CLASS = 5
# A single column that predicts the target this well on held-out rows is a leak.
LEAK_SCORE = 0.98
# Only the first columns are screened for leaks: each costs a small cross-validated model.
MAX_LEAK_COLUMNS = 40


@dataclass
class Problem:
    severity: str  # error | warning
    kind: str
    message: str
    column: str = ""


@dataclass
class Profile:
    rows: int
    columns: list[str]
    inferred_task_type: str
    problems: list[Problem] = field(default_factory=list)
    class_counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def read_csv(content: bytes) -> pd.DataFrame:
    try:
        return pd.read_csv(io.BytesIO(content))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, UnicodeDecodeError):
        raise AscentError("invalid_argument", "The dataset is not a readable CSV.") from None


def _id_like(series: pd.Series, rows: int) -> bool:
    if rows < MIN_ROWS or series.nunique(dropna=False) != rows:
        return False
    if pd.api.types.is_float_dtype(series):
        return False
    if pd.api.types.is_integer_dtype(series):
        # Unique integers counting up (row numbers, customer numbers) identify rows.
        ordered = np.sort(series.to_numpy())
        return bool(np.all(np.diff(ordered) > 0)) and (ordered[-1] - ordered[0]) < 10 * rows
    return True


def _leak_score(feature: pd.Series, target: pd.Series, task_type: str) -> float:
    """How well this one column alone predicts the target on held-out rows (cross-validated
    accuracy for classification, R² for regression)."""
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    if pd.api.types.is_numeric_dtype(feature):
        x = feature.fillna(feature.median()).to_numpy(dtype=float).reshape(-1, 1)
    else:
        x = pd.factorize(feature.astype(str))[0].reshape(-1, 1).astype(float)
    if task_type == CLASSIFICATION:
        y = pd.factorize(target.astype(str))[0]
        model: object = DecisionTreeClassifier(max_depth=4, random_state=0)
        folds = min(3, int(np.bincount(y).min()))
        if folds < 2:
            return 0.0
        return float(cross_val_score(model, x, y, cv=folds, scoring="accuracy").mean())
    y_num = pd.to_numeric(target, errors="coerce").to_numpy(dtype=float)
    model = DecisionTreeRegressor(max_depth=6, random_state=0)
    return float(cross_val_score(model, x, y_num, cv=3, scoring="r2").mean())


def profile(frame: pd.DataFrame, target: str, task_type: str = "") -> Profile:
    """The dataset's shape and its obvious problems for this target. `task_type` "" means the
    inferred one. Errors block publishing; warnings are shown."""
    rows = len(frame)
    columns = [str(c) for c in frame.columns]
    result = Profile(rows=rows, columns=columns, inferred_task_type="")
    if rows < MIN_ROWS:
        result.problems.append(
            Problem("error", "too_few_rows", f"The dataset has {rows} rows; at least {MIN_ROWS}.")
        )
    if not target or target not in columns:
        result.problems.append(
            Problem(
                "error",
                "no_target",
                f"The target column {target!r} is not a column of the dataset."
                if target
                else "Choose the target column.",
                target,
            )
        )
        return result
    series = frame[target]
    labelled = series.dropna()
    if labelled.empty or labelled.nunique() < 2:
        result.problems.append(
            Problem(
                "error",
                "no_target",
                f"The target column {target!r} has no usable values: it is empty or constant, "
                "so there is nothing to predict.",
                target,
            )
        )
        return result
    inferred = infer_task_type(series)
    result.inferred_task_type = inferred
    task = task_type or inferred
    missing = int(series.isna().sum())
    if missing:
        result.problems.append(
            Problem(
                "warning",
                "missing_target",
                f"{missing} rows have no value in {target!r}; they are left out of the split.",
                target,
            )
        )
    if task == REGRESSION and not pd.api.types.is_numeric_dtype(labelled):
        result.problems.append(
            Problem(
                "error",
                "no_target",
                f"The target column {target!r} is not numeric, so it cannot be a regression "
                "target; choose classification.",
                target,
            )
        )
        return result
    if task == CLASSIFICATION:
        counts = labelled.astype(str).value_counts()
        result.class_counts = {str(k): int(v) for k, v in counts.items()}
        if len(counts) > 50:
            result.problems.append(
                Problem(
                    "error",
                    "no_target",
                    f"{target!r} has {len(counts)} classes; is it a regression target?",
                    target,
                )
            )
            return result
        tiny = [f"{label} ({count})" for label, count in counts.items() if count < TINY_CLASS]
        if tiny:
            result.problems.append(
                Problem(
                    "warning",
                    "tiny_class",
                    f"Classes with fewer than {TINY_CLASS} rows: {', '.join(tiny[:10])}. They "
                    "may be missing from the hidden test part and are hard to learn.",
                    target,
                )
            )
    features = [c for c in columns if c != target]
    usable = frame.loc[series.notna()]
    for column in features:
        values = frame[column]
        if values.nunique(dropna=False) <= 1:
            result.problems.append(
                Problem(
                    "warning",
                    "constant_column",
                    f"{column!r} has the same value in every row: it carries no information.",
                    column,
                )
            )
        elif _id_like(values, rows):
            result.problems.append(
                Problem(
                    "warning",
                    "id_column",
                    f"{column!r} looks like an ID (a different value in every row): a model "
                    "should not learn from it.",
                    column,
                )
            )
    for column in features[:MAX_LEAK_COLUMNS]:
        values = usable[column]
        if values.nunique(dropna=False) <= 1 or _id_like(frame[column], rows):
            continue
        if len(usable) < MIN_ROWS:
            break
        score = _leak_score(values, usable[target], task)
        if score >= LEAK_SCORE:
            result.problems.append(
                Problem(
                    "warning",
                    "leaky_column",
                    f"{column!r} alone predicts {target!r} almost perfectly "
                    f"({metric_label(ranking_metric(task))} {score:.3f}): it "
                    "probably leaks the answer.",
                    column,
                )
            )
    return result


def make_split(
    frame: pd.DataFrame, target: str, task_type: str, test_fraction: float, seed: int
) -> tuple[ChallengeSplit, str]:
    """Rows without a target value cannot be graded or learnt from: they are dropped."""
    labelled = frame.loc[frame[target].notna()].reset_index(drop=True)
    return split_frame(labelled, target, task_type, test_fraction, seed, PUBLIC_FRACTION)
