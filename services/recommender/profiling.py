"""Meta-features of a tabular dataset (pure: pandas only, no I/O besides reading the CSV).

Convention of the seed template: the target is the LAST column, every other column a feature.

Task type rule (the coach's generated code applies the same rule at run time):
a target is a classification label when it is non-numeric or boolean, or when it is
integer-valued with at most 20 distinct values and at most max(10, 5% of rows) of them;
anything else numeric is a regression target. The `max(10, ...)` keeps small datasets
(e.g. 60 rows, 3 classes) classified correctly while 15 distinct integers in 100 rows are
treated as a quantity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from services.common.errors import AscentError
from services.recommender.pipelines import CLASSIFICATION, REGRESSION

BUILTIN_IRIS = "builtin:iris"

MAX_CLASS_VALUES = 20
MIN_CLASS_LIMIT = 10
CLASS_ROW_SHARE = 0.05


@dataclass(frozen=True)
class MetaFeatures:
    dataset_key: str
    rows: int
    columns: int
    task_type: str
    n_classes: int
    missing_ratio: float
    categorical_ratio: float
    class_imbalance: float
    target: str


def infer_task_type(target: pd.Series) -> str:
    values = target.dropna()
    if values.empty:
        return CLASSIFICATION
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        return CLASSIFICATION
    distinct = values.nunique()
    integer_valued = bool(((values % 1) == 0).all())
    limit = max(MIN_CLASS_LIMIT, CLASS_ROW_SHARE * len(values))
    if integer_valued and distinct <= MAX_CLASS_VALUES and distinct <= limit:
        return CLASSIFICATION
    return REGRESSION


def profile_frame(dataset_key: str, frame: pd.DataFrame) -> MetaFeatures:
    if frame.shape[1] < 2:
        raise AscentError(
            "invalid_argument",
            "The dataset needs at least two columns: features and a target (the last column).",
        )
    if frame.shape[0] == 0:
        raise AscentError("invalid_argument", "The dataset has no rows.")
    features = frame.iloc[:, :-1]
    target = frame.iloc[:, -1]
    task_type = infer_task_type(target)
    categorical = sum(
        1
        for name in features.columns
        if not pd.api.types.is_numeric_dtype(features[name])
        and not pd.api.types.is_bool_dtype(features[name])
    )
    cells = frame.shape[0] * frame.shape[1]
    missing_ratio = float(frame.isna().sum().sum()) / cells if cells else 0.0
    n_classes = 0
    imbalance = 1.0
    if task_type == CLASSIFICATION:
        counts = target.dropna().value_counts()
        n_classes = len(counts)
        imbalance = float(counts.min() / counts.max()) if n_classes else 1.0
    return MetaFeatures(
        dataset_key=dataset_key,
        rows=int(frame.shape[0]),
        columns=int(features.shape[1]),
        task_type=task_type,
        n_classes=n_classes,
        missing_ratio=round(missing_ratio, 6),
        categorical_ratio=round(categorical / features.shape[1], 6),
        class_imbalance=round(imbalance, 6),
        target=str(target.name),
    )


def read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError as exc:
        raise AscentError("invalid_argument", "The dataset file is empty.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise AscentError(
            "invalid_argument",
            f"The dataset is not a readable CSV file ({detail}); expected comma-separated "
            "UTF-8 text with a header row.",
        ) from exc


def iris_frame() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    iris = load_iris()
    frame = pd.DataFrame(iris.data, columns=iris.feature_names)
    frame["target"] = iris.target
    return frame


def profile_builtin_iris() -> MetaFeatures:
    return profile_frame(BUILTIN_IRIS, iris_frame())


def feature_vector(meta: MetaFeatures) -> list[float]:
    """Coordinates used for similarity; sizes on a log scale so 100 vs 1,000 rows counts
    like 1,000 vs 10,000."""
    return [
        math.log1p(meta.rows),
        math.log1p(meta.columns),
        meta.missing_ratio,
        meta.categorical_ratio,
        float(meta.n_classes),
        meta.class_imbalance,
    ]
