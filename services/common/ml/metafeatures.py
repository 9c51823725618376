"""Meta-features of a tabular dataset (pure: pandas, and sklearn for the landmarkers).

Convention of the seed template: the target is the LAST column, every other column a feature.
The task type comes from the platform's one rule (`services.common.ml.tasks`). The
recommender computes these and the coach receives them (over gRPC) to diagnose a run.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from services.common.errors import AscentError
from services.common.ml.columns import column_roles
from services.common.ml.tasks import CLASSIFICATION, infer_task_type

# The dataset key of the starter's fallback when no CSV is uploaded.
BUILTIN_IRIS = "builtin:iris"


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
    # auto-sklearn-style statistics and landmarkers (name -> value); see EXTRA_FEATURES.
    # Empty for profiles cached before they existed: similarity then uses the basic ones.
    extra: dict[str, float] = field(default_factory=dict, compare=False)
    # Role of each feature column (`services.common.ml.columns`); empty when unknown.
    column_roles: dict[str, str] = field(default_factory=dict, compare=False)

    def get(self, name: str, default: float = 0.0) -> float:
        return float(self.extra.get(name, default))


# Extended meta-features, in the auto-sklearn tradition. Landmarkers are 3-fold scores of
# cheap models on a subsample of at most LANDMARK_ROWS rows: accuracy for classification,
# R2 (clipped to [-1, 1]) for regression, where "naive Bayes" is a linear least-squares fit.
EXTRA_FEATURES = (
    "log_rows",
    "log_features",
    "dimensionality",
    "numeric_ratio",
    "class_entropy",
    "majority_share",
    "skew_mean",
    "skew_max",
    "kurt_mean",
    "kurt_max",
    "landmark_stump",
    "landmark_nb",
    "landmark_1nn",
)
LANDMARK_ROWS = 500


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
    extra = extra_features(features, target, task_type)
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
        extra=extra,
        column_roles=column_roles(features),
    )


def _finite(value: float, default: float = 0.0) -> float:
    value = float(value)
    return round(value, 6) if math.isfinite(value) else default


def _moments(numeric: pd.DataFrame) -> dict[str, float]:
    """Mean and max of |skewness| and kurtosis over numeric columns (0 when there are none)."""
    varying = numeric.loc[:, numeric.nunique(dropna=True) > 1] if not numeric.empty else numeric
    if varying.shape[1] == 0:
        return {"skew_mean": 0.0, "skew_max": 0.0, "kurt_mean": 0.0, "kurt_max": 0.0}
    skew = varying.skew().abs().replace([np.inf, -np.inf], np.nan).fillna(0.0)
    kurt = varying.kurt().replace([np.inf, -np.inf], np.nan).fillna(0.0)
    return {
        "skew_mean": _finite(skew.mean()),
        "skew_max": _finite(skew.max()),
        "kurt_mean": _finite(kurt.mean()),
        "kurt_max": _finite(kurt.max()),
    }


def _landmark_matrix(features: pd.DataFrame) -> np.ndarray:
    """Numbers only: numeric columns median-imputed, text columns as category codes."""
    columns: list[np.ndarray] = []
    for name in features.columns:
        column = features[name]
        if pd.api.types.is_bool_dtype(column):
            column = column.astype(float)
        if pd.api.types.is_numeric_dtype(column):
            values = pd.to_numeric(column, errors="coerce").astype(float)
            median = values.median()
            columns.append(values.fillna(0.0 if pd.isna(median) else median).to_numpy())
        else:
            columns.append(column.astype("category").cat.codes.to_numpy(dtype=float))
    if not columns:
        return np.zeros((len(features), 1))
    matrix = np.column_stack(columns)
    spread = matrix.std(axis=0)
    spread[spread == 0] = 1.0
    scaled: np.ndarray = (matrix - matrix.mean(axis=0)) / spread
    return scaled


def _landmarks(features: pd.DataFrame, target: pd.Series, task_type: str) -> dict[str, float]:
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    known = target.notna()
    features, target = features[known], target[known]
    if len(target) > LANDMARK_ROWS:
        sample = target.sample(n=LANDMARK_ROWS, random_state=0).index
        features, target = features.loc[sample], target.loc[sample]
    matrix = _landmark_matrix(features)
    y: np.ndarray  # text labels or float targets
    if task_type == CLASSIFICATION:
        labels = target.astype(str).to_numpy()
        smallest = int(pd.Series(labels).value_counts().min()) if len(labels) else 0
        if len(labels) < 6 or pd.Series(labels).nunique() < 2:
            return {"landmark_stump": 0.0, "landmark_nb": 0.0, "landmark_1nn": 0.0}
        folds = (
            StratifiedKFold(3, shuffle=True, random_state=0)
            if smallest >= 3
            else KFold(3, shuffle=True, random_state=0)
        )
        models = {
            "landmark_stump": DecisionTreeClassifier(max_depth=1, random_state=0),
            "landmark_nb": GaussianNB(),
            "landmark_1nn": KNeighborsClassifier(n_neighbors=1),
        }
        scoring, y = "accuracy", labels
    else:
        if len(target) < 6:
            return {"landmark_stump": 0.0, "landmark_nb": 0.0, "landmark_1nn": 0.0}
        folds = KFold(3, shuffle=True, random_state=0)
        models = {
            "landmark_stump": DecisionTreeRegressor(max_depth=1, random_state=0),
            "landmark_nb": LinearRegression(),
            "landmark_1nn": KNeighborsRegressor(n_neighbors=1),
        }
        scoring, y = "r2", target.astype(float).to_numpy()
    scores: dict[str, float] = {}
    for name, model in models.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                value = float(np.mean(cross_val_score(model, matrix, y, cv=folds, scoring=scoring)))
            except ValueError:
                value = 0.0
        scores[name] = _finite(min(1.0, max(-1.0, value)))
    return scores


def extra_features(features: pd.DataFrame, target: pd.Series, task_type: str) -> dict[str, float]:
    rows, width = features.shape
    numeric = features.select_dtypes(include="number")
    extra: dict[str, float] = {
        "log_rows": _finite(math.log1p(rows)),
        "log_features": _finite(math.log1p(width)),
        "dimensionality": _finite(width / max(rows, 1)),
        "numeric_ratio": _finite(numeric.shape[1] / max(width, 1)),
        "class_entropy": 0.0,
        "majority_share": 0.0,
    }
    if task_type == CLASSIFICATION:
        shares = target.dropna().astype(str).value_counts(normalize=True)
        if len(shares) > 1:
            entropy = -float((shares * np.log(shares)).sum())
            extra["class_entropy"] = _finite(entropy / math.log(len(shares)))
        extra["majority_share"] = _finite(shares.max() if len(shares) else 0.0)
    extra.update(_moments(numeric))
    extra.update(_landmarks(features, target, task_type))
    return extra


def iris_frame() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    iris = load_iris()
    frame = pd.DataFrame(iris.data, columns=iris.feature_names)
    frame["target"] = iris.target
    return frame


def profile_builtin_iris() -> MetaFeatures:
    return profile_frame(BUILTIN_IRIS, iris_frame())
