"""Complete, runnable experiment code generated from a pipeline spec.

The code follows the seed starter template (same `/data/uploaded.csv` path with the Iris
fallback, last column as target, `train_test_split(test_size=0.2, random_state=42)` without
stratification so scores compare with the learner's baseline) and prints the extended stdout
protocol. A ColumnTransformer imputes and one-hot encodes, so it never crashes on text
columns or missing values. The task type is detected again at run time with the platform's
rule (`services.common.ml.tasks`, its constants embedded in the code); when it disagrees
with the spec, the estimator's counterpart for the other task is used, so the code always
runs.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any

from services.common.ml.columns import DATE, ID, MAX_ONE_HOT, TEXT, columns_with
from services.common.ml.pipelines import PipelineSpec, canonical_spec
from services.common.ml.tasks import (
    CLASS_ROW_SHARE,
    CLASSIFICATION,
    MAX_CLASS_VALUES,
    MIN_CLASS_LIMIT,
    REGRESSION,
)

DATA_PATH = "/data/uploaded.csv"


@dataclass(frozen=True)
class EstimatorInfo:
    module: str
    task: str
    counterpart: str
    scale_sensitive: bool


ESTIMATORS: dict[str, EstimatorInfo] = {
    "LogisticRegression": EstimatorInfo("sklearn.linear_model", CLASSIFICATION, "Ridge", True),
    "RandomForestClassifier": EstimatorInfo(
        "sklearn.ensemble", CLASSIFICATION, "RandomForestRegressor", False
    ),
    "ExtraTreesClassifier": EstimatorInfo(
        "sklearn.ensemble", CLASSIFICATION, "ExtraTreesRegressor", False
    ),
    "GradientBoostingClassifier": EstimatorInfo(
        "sklearn.ensemble", CLASSIFICATION, "GradientBoostingRegressor", False
    ),
    "HistGradientBoostingClassifier": EstimatorInfo(
        "sklearn.ensemble", CLASSIFICATION, "HistGradientBoostingRegressor", False
    ),
    "DecisionTreeClassifier": EstimatorInfo(
        "sklearn.tree", CLASSIFICATION, "DecisionTreeRegressor", False
    ),
    "KNeighborsClassifier": EstimatorInfo(
        "sklearn.neighbors", CLASSIFICATION, "KNeighborsRegressor", True
    ),
    "SVC": EstimatorInfo("sklearn.svm", CLASSIFICATION, "SVR", True),
    "GaussianNB": EstimatorInfo("sklearn.naive_bayes", CLASSIFICATION, "Ridge", False),
    "MLPClassifier": EstimatorInfo("sklearn.neural_network", CLASSIFICATION, "MLPRegressor", True),
    "LinearRegression": EstimatorInfo(
        "sklearn.linear_model", REGRESSION, "LogisticRegression", False
    ),
    "Ridge": EstimatorInfo("sklearn.linear_model", REGRESSION, "LogisticRegression", True),
    "Lasso": EstimatorInfo("sklearn.linear_model", REGRESSION, "LogisticRegression", True),
    "ElasticNet": EstimatorInfo("sklearn.linear_model", REGRESSION, "LogisticRegression", True),
    "RandomForestRegressor": EstimatorInfo(
        "sklearn.ensemble", REGRESSION, "RandomForestClassifier", False
    ),
    "ExtraTreesRegressor": EstimatorInfo(
        "sklearn.ensemble", REGRESSION, "ExtraTreesClassifier", False
    ),
    "GradientBoostingRegressor": EstimatorInfo(
        "sklearn.ensemble", REGRESSION, "GradientBoostingClassifier", False
    ),
    "HistGradientBoostingRegressor": EstimatorInfo(
        "sklearn.ensemble", REGRESSION, "HistGradientBoostingClassifier", False
    ),
    "DecisionTreeRegressor": EstimatorInfo(
        "sklearn.tree", REGRESSION, "DecisionTreeClassifier", False
    ),
    "KNeighborsRegressor": EstimatorInfo(
        "sklearn.neighbors", REGRESSION, "KNeighborsClassifier", True
    ),
    "SVR": EstimatorInfo("sklearn.svm", REGRESSION, "SVC", True),
    "MLPRegressor": EstimatorInfo("sklearn.neural_network", REGRESSION, "MLPClassifier", True),
}

# Short names learners print as MODEL_TYPE, resolved per task.
ALIASES: dict[str, dict[str, str]] = {
    "RandomForest": {
        CLASSIFICATION: "RandomForestClassifier",
        REGRESSION: "RandomForestRegressor",
    },
    "ExtraTrees": {CLASSIFICATION: "ExtraTreesClassifier", REGRESSION: "ExtraTreesRegressor"},
    "GradientBoosting": {
        CLASSIFICATION: "GradientBoostingClassifier",
        REGRESSION: "GradientBoostingRegressor",
    },
    "HistGradientBoosting": {
        CLASSIFICATION: "HistGradientBoostingClassifier",
        REGRESSION: "HistGradientBoostingRegressor",
    },
    "DecisionTree": {
        CLASSIFICATION: "DecisionTreeClassifier",
        REGRESSION: "DecisionTreeRegressor",
    },
    "KNeighbors": {CLASSIFICATION: "KNeighborsClassifier", REGRESSION: "KNeighborsRegressor"},
    "KNN": {CLASSIFICATION: "KNeighborsClassifier", REGRESSION: "KNeighborsRegressor"},
    "SVM": {CLASSIFICATION: "SVC", REGRESSION: "SVR"},
    "LogReg": {CLASSIFICATION: "LogisticRegression", REGRESSION: "Ridge"},
}

SCALERS = ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler")


def resolve_estimator(name: str, task_type: str) -> str | None:
    """The known estimator for `task_type` that `name` stands for, or None."""
    name = name.strip()
    if name in ALIASES:
        return ALIASES[name].get(task_type)
    info = ESTIMATORS.get(name)
    if info is None:
        return None
    return name if info.task == task_type else info.counterpart


def is_scale_sensitive(estimator: str) -> bool:
    info = ESTIMATORS.get(estimator)
    return bool(info and info.scale_sensitive)


def _valid_params(estimator: str, params: dict[str, Any]) -> dict[str, Any]:
    """Keep only parameters this scikit-learn estimator accepts with valid values."""
    info = ESTIMATORS[estimator]
    cls = getattr(importlib.import_module(info.module), estimator)
    accepted = cls().get_params()
    kept = {k: v for k, v in params.items() if k in accepted}
    try:
        cls(**kept)._validate_params()
    except Exception:
        return {}
    return kept


def runnable_spec(spec: PipelineSpec, task_type: str) -> PipelineSpec | None:
    """The canonical spec the generated code runs for `task_type` (None if unsupported).

    Steps are always imputation + one-hot encoding, plus StandardScaler when the spec asked
    for scaling or the estimator needs it; parameters a different estimator would reject
    are dropped (so a counterpart keeps e.g. `n_estimators` but not `C`).
    """
    spec = canonical_spec(spec)
    estimator = resolve_estimator(spec["estimator"], task_type)
    if estimator is None:
        return None
    params = _valid_params(estimator, spec["params"])
    scaled = is_scale_sensitive(estimator) or any(step in SCALERS for step in spec["steps"])
    steps = ["SimpleImputer", "OneHotEncoder", *(["StandardScaler"] if scaled else [])]
    return {"steps": steps, "estimator": estimator, "params": params}


def counterpart_spec(spec: PipelineSpec) -> PipelineSpec:
    """The same idea for the other task type (used when run-time detection disagrees)."""
    info = ESTIMATORS[spec["estimator"]]
    other = REGRESSION if info.task == CLASSIFICATION else CLASSIFICATION
    counterpart = runnable_spec(spec, other)
    assert counterpart is not None
    return counterpart


def _call(spec: PipelineSpec) -> str:
    args = ", ".join(f"{key}={value!r}" for key, value in sorted(spec["params"].items()))
    return f"{spec['estimator']}({args})"


def _imports(specs: list[PipelineSpec]) -> list[str]:
    by_module: dict[str, set[str]] = {}
    for spec in specs:
        by_module.setdefault(ESTIMATORS[spec["estimator"]].module, set()).add(spec["estimator"])
    return [
        f"from {module} import {', '.join(sorted(names))}"
        for module, names in sorted(by_module.items())
    ]


def _comment(text: str) -> str:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split()
        line = "#"
        for word in words:
            if len(line) + len(word) + 1 > 88:
                lines.append(line)
                line = "#"
            line += f" {word}"
        lines.append(line)
    return "\n".join(lines)


# Folds of the cross-validation on the training rows (`CV_SCORE:`, issue 20 §1).
CV_FOLDS = 3


def generate_code(
    spec: PipelineSpec,
    task_type: str,
    name: str,
    rationale: str = "",
    roles: dict[str, str] | None = None,
) -> str:
    """Complete Python code for `spec`; raises ValueError for an unsupported estimator.

    `roles` (column → role, `services.common.ml.columns`, from the dataset's profile) names
    the identifier columns the code drops, the date columns it splits into parts and the
    free-text columns it vectorises; without them every text column is one-hot encoded.
    """
    primary = runnable_spec(spec, task_type)
    if primary is None:
        raise ValueError(f"no code template for estimator {spec.get('estimator')!r}")
    secondary = counterpart_spec(primary)
    by_task = {task_type: primary, secondary_task(task_type): secondary}
    classification, regression = by_task[CLASSIFICATION], by_task[REGRESSION]
    # Python reads lines 1-2 for a "coding:" declaration, and a title such as
    # "RandomForest + Encoding: ..." would match it, so the free text starts on line 3.
    header = "\n".join(
        [
            "# Improved experiment proposed by the Ascent coach.",
            "#",
            _comment(f"{name}: {rationale}" if rationale else name),
        ]
    )
    roles = roles or {}
    return TEMPLATE.format(
        header=header,
        id_columns=columns_with(roles, ID),
        date_columns=columns_with(roles, DATE),
        text_columns=columns_with(roles, TEXT),
        max_one_hot=MAX_ONE_HOT,
        cv_folds=CV_FOLDS,
        estimator_imports="\n".join(_imports([classification, regression])),
        data_path=DATA_PATH,
        max_class_values=MAX_CLASS_VALUES,
        min_class_limit=MIN_CLASS_LIMIT,
        class_row_share=CLASS_ROW_SHARE,
        classification_model=_call(classification),
        classification_scale="StandardScaler" in classification["steps"],
        classification_spec=json.dumps(classification, sort_keys=True),
        regression_model=_call(regression),
        regression_scale="StandardScaler" in regression["steps"],
        regression_spec=json.dumps(regression, sort_keys=True),
    )


def secondary_task(task_type: str) -> str:
    return REGRESSION if task_type == CLASSIFICATION else CLASSIFICATION


TEMPLATE = '''{header}
import json

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_iris
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
)
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler
{estimator_imports}

# Load data (uses Iris if no CSV uploaded); the target is the last column.
try:
    df = pd.read_csv("{data_path}")
    X = df.iloc[:, :-1]
    y = df.iloc[:, -1]
except (FileNotFoundError, pd.errors.EmptyDataError):
    iris = load_iris()
    X = pd.DataFrame(iris.data, columns=iris.feature_names)
    y = pd.Series(iris.target, name="target")

# Rows without a target can be neither learned from nor scored.
has_target = y.notna()
X, y = X[has_target], y[has_target]


def detect_task(target):
    """Labels are text, booleans or a few distinct integers; anything else is a quantity."""
    if pd.api.types.is_bool_dtype(target) or not pd.api.types.is_numeric_dtype(target):
        return "classification"
    distinct = target.nunique()
    limit = max({min_class_limit}, {class_row_share} * len(target))
    if bool((target % 1 == 0).all()) and distinct <= {max_class_values} and distinct <= limit:
        return "classification"
    return "regression"


task_type = detect_task(y)
if task_type == "classification":
    model = {classification_model}
    scale_numeric = {classification_scale}
    pipeline_spec = {classification_spec}
else:
    model = {regression_model}
    scale_numeric = {regression_scale}
    pipeline_spec = {regression_spec}

if task_type == "classification" and not pd.api.types.is_numeric_dtype(y):
    y = pd.Series(LabelEncoder().fit_transform(y.astype(str)), index=y.index, name=y.name)

X = X.copy()
# Columns by role, from the dataset's profile: identifiers carry no signal (a model can only
# memorise them), a date means something through its parts, free text through its words.
id_columns = [c for c in {id_columns!r} if c in X.columns]
date_columns = [c for c in {date_columns!r} if c in X.columns]
text_columns = [c for c in {text_columns!r} if c in X.columns]
X = X.drop(columns=id_columns)
for column in date_columns:
    stamp = pd.to_datetime(X[column], errors="coerce", format="mixed")
    X[f"{{column}}_year"] = stamp.dt.year
    X[f"{{column}}_month"] = stamp.dt.month
    X[f"{{column}}_weekday"] = stamp.dt.day_of_week
    X = X.drop(columns=[column])
for column in text_columns:
    X[column] = X[column].fillna("").astype(str)
for column in X.columns:
    if pd.api.types.is_bool_dtype(X[column]):
        X[column] = X[column].astype(int)
numeric_features = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
categorical_features = [c for c in X.columns if c not in numeric_features + text_columns]

dataset_info = {{
    "rows": len(X),
    "columns": len(X.columns),
    "features": [str(c) for c in X.columns],
    "target": str(y.name),
    "task_type": task_type,
}}
print(f"DATASET_INFO: {{json.dumps(dataset_info)}}")
print(f"TASK_TYPE: {{task_type}}")

# Numeric columns: fill gaps with the median (and standardise for scale-sensitive models).
# Text columns: fill gaps with the most frequent value, then one-hot encode.
numeric_steps = [("impute", SimpleImputer(strategy="median"))]
if scale_numeric:
    numeric_steps.append(("scale", StandardScaler()))
transformers = []
if numeric_features:
    transformers.append(("numeric", Pipeline(numeric_steps), numeric_features))
if categorical_features:
    categorical_steps = [
        ("impute", SimpleImputer(strategy="most_frequent")),
        (
            "encode",
            OneHotEncoder(
                handle_unknown="ignore", max_categories={max_one_hot}, sparse_output=False
            ),
        ),
    ]
    transformers.append(("categorical", Pipeline(categorical_steps), categorical_features))
# Free text: one TF-IDF column per frequent word (the 200 most frequent) instead of one
# column per distinct sentence.
for column in text_columns:
    words = TfidfVectorizer(max_features=200)
    transformers.append((f"text_{{column}}", words, column))
# Dense output: every estimator of the template accepts it.
prepare = ColumnTransformer(transformers, sparse_threshold=0)
pipeline = Pipeline([("prepare", prepare), ("model", model)])

# Same split as the starter template, so the score compares with the baseline.
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

# Cross-validation on the training rows only: what "Improve with AI" compares proposals by,
# so the test rows score the chosen run once and never choose it.
if task_type == "classification":
    smallest = int(y_train.value_counts().min())
    folds = StratifiedKFold(n_splits=min({cv_folds}, smallest), shuffle=True, random_state=0)
    cv_ready, cv_scoring = smallest >= 2, "accuracy"
else:
    folds = KFold(n_splits=min({cv_folds}, len(y_train)), shuffle=True, random_state=0)
    cv_ready, cv_scoring = len(y_train) >= 2 * {cv_folds}, "r2"
if cv_ready:
    cv_scores = cross_val_score(pipeline, X_train, y_train, cv=folds, scoring=cv_scoring)
    cv_mean = float(np.nanmean(cv_scores))
    if np.isfinite(cv_mean):
        print(f"CV_SCORE: {{cv_mean:.4f}}")

pipeline.fit(X_train, y_train)
y_pred = pipeline.predict(X_test)

print(f"MODEL_TYPE: {{type(model).__name__}}")
if task_type == "classification":
    print(f"TRAIN_ACCURACY: {{accuracy_score(y_train, pipeline.predict(X_train)):.4f}}")
    print(f"ACCURACY: {{accuracy_score(y_test, y_pred):.4f}}")
    print(f"CONFUSION_MATRIX: {{json.dumps(confusion_matrix(y_test, y_pred).tolist())}}")
    print(f"PRECISION: {{precision_score(y_test, y_pred, average='macro', zero_division=0):.4f}}")
    print(f"RECALL: {{recall_score(y_test, y_pred, average='macro', zero_division=0):.4f}}")
    print(f"F1: {{f1_score(y_test, y_pred, average='macro', zero_division=0):.4f}}")
else:
    print(f"TRAIN_R2: {{r2_score(y_train, pipeline.predict(X_train)):.4f}}")
    print(f"R2: {{r2_score(y_test, y_pred):.4f}}")
    print(f"RMSE: {{float(np.sqrt(mean_squared_error(y_test, y_pred))):.4f}}")
    print(f"MAE: {{mean_absolute_error(y_test, y_pred):.4f}}")
print(f"PIPELINE: {{json.dumps(pipeline_spec)}}")
'''
