"""The AutoML Trainer's builder: the learner's budget, search method and families, and the
recommender's top pipelines turned into warm-start trials of the program's search space."""

from __future__ import annotations

import json
from typing import Any

from services.common.errors import AscentError
from services.common.ml.pipelines import canonical_spec, pipeline_key

SEARCHES = ("grid", "random", "bayesian")
FAMILIES = ("linear", "tree", "forest", "extra_trees", "boosting", "knn", "svm", "mlp")
MIN_BUDGET, MAX_BUDGET, DEFAULT_BUDGET = 10, 300, 30
MAX_WARM = 5
MAX_TRIALS = 80
# Sandbox time beyond the budget: interpreter start, imports, reading the data (the program
# counts its budget from its first line, the sandbox from the process start).
WALL_MARGIN_SECONDS = 20.0

# The program's search space (`automl.py.tmpl` SPACE): per family, the hyperparameters a
# warm-start pipeline may fix, with their ranges (values outside are clipped into them).
SPACE: dict[str, dict[str, tuple[str, float, float]]] = {
    "linear": {"C": ("log", 0.001, 100.0)},
    "tree": {"max_depth": ("int", 1, 20), "min_samples_leaf": ("int", 1, 50)},
    "forest": {
        "n_estimators": ("int", 20, 200),
        "max_depth": ("int", 2, 30),
        "max_features": ("float", 0.2, 1.0),
        "min_samples_leaf": ("int", 1, 20),
    },
    "boosting": {
        "learning_rate": ("log", 0.01, 0.5),
        "max_iter": ("int", 30, 300),
        "max_leaf_nodes": ("int", 7, 63),
        "l2_regularization": ("log", 0.0001, 10.0),
    },
    "knn": {"n_neighbors": ("int", 1, 50)},
    "svm": {"C": ("log", 0.01, 100.0)},
    "mlp": {"alpha": ("log", 0.00001, 1.0)},
}
SPACE["extra_trees"] = dict(SPACE["forest"])

# The knowledge base's estimator names -> the program's families.
ESTIMATOR_FAMILIES = {
    "LogisticRegression": "linear",
    "Ridge": "linear",
    "DecisionTreeClassifier": "tree",
    "DecisionTreeRegressor": "tree",
    "RandomForestClassifier": "forest",
    "RandomForestRegressor": "forest",
    "ExtraTreesClassifier": "extra_trees",
    "ExtraTreesRegressor": "extra_trees",
    "HistGradientBoostingClassifier": "boosting",
    "HistGradientBoostingRegressor": "boosting",
    "GradientBoostingClassifier": "boosting",
    "GradientBoostingRegressor": "boosting",
    "KNeighborsClassifier": "knn",
    "KNeighborsRegressor": "knn",
    "SVC": "svm",
    "SVR": "svm",
    "MLPClassifier": "mlp",
    "MLPRegressor": "mlp",
}


def _clip(kind: str, low: float, high: float, value: Any) -> int | float | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    bounded = min(max(float(value), low), high)
    return round(bounded) if kind == "int" else round(bounded, 6)


def warm_trial(raw: Any, families: tuple[str, ...]) -> dict[str, Any] | None:
    """A recommended pipeline spec as one trial of the program's space, or None when its
    estimator is not a searched family. Parameters outside the space are left out."""
    try:
        spec = canonical_spec(raw)
    except ValueError:
        return None
    family = ESTIMATOR_FAMILIES.get(spec["estimator"])
    if family is None or family not in families:
        return None
    given = dict(spec["params"])
    if spec["estimator"] == "Ridge" and isinstance(given.get("alpha"), int | float):
        alpha = float(given.pop("alpha"))
        given["C"] = 1.0 / alpha if alpha > 0 else 100.0
    if spec["estimator"].startswith("GradientBoosting") and "n_estimators" in given:
        given["max_iter"] = given.pop("n_estimators")
    params: dict[str, Any] = {}
    for name, (kind, low, high) in SPACE[family].items():
        value = _clip(kind, low, high, given.get(name))
        if value is not None:
            params[name] = value
    scaler = "standard" if "StandardScaler" in spec["steps"] else "none"
    expected = raw.get("expected_score") if isinstance(raw, dict) else None
    return {
        "family": family,
        "params": params,
        "scaler": scaler,
        "key": pipeline_key(spec)[:500],
        "estimator": spec["estimator"],
        "expected_score": float(expected) if isinstance(expected, int | float) else None,
    }


def _yes_no(options: dict[str, Any], key: str) -> bool:
    """A switch from the API (true/false) or a page's select ("yes"/"no"); default on."""
    value = options.get(key, True)
    if value in (True, "yes"):
        return True
    if value in (False, "no"):
        return False
    raise AscentError("invalid_argument", f"{key} is true or false.")


def budget_of(options: dict[str, Any]) -> int:
    value = options.get("budget_seconds", DEFAULT_BUDGET)
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not MIN_BUDGET <= value <= MAX_BUDGET
    ):
        raise AscentError(
            "invalid_argument",
            f"The time budget must be {MIN_BUDGET} s to {MAX_BUDGET // 60} min "
            f"({MIN_BUDGET}–{MAX_BUDGET} seconds): a shorter one is too small for one trial.",
        )
    return int(value)


def wall_seconds(options: dict[str, Any]) -> float:
    """The sandbox wall time an AutoML run with these options needs: its budget plus the
    start-up margin (the budget is checked when the program is built)."""
    try:
        budget = budget_of(options)
    except AscentError:
        budget = DEFAULT_BUDGET
    return budget + WALL_MARGIN_SECONDS


def automl_values(options: dict[str, Any], sample_rows: int) -> dict[str, Any]:
    budget = budget_of(options)
    search = options.get("search", "bayesian")
    if search not in SEARCHES:
        raise AscentError("invalid_argument", f"search must be one of {', '.join(SEARCHES)}.")
    raw_families = options.get("families", list(FAMILIES))
    if (
        not isinstance(raw_families, list)
        or not raw_families
        or not all(isinstance(f, str) and f in FAMILIES for f in raw_families)
    ):
        raise AscentError(
            "invalid_argument", f"families must name one or more of {', '.join(FAMILIES)}."
        )
    families = tuple(f for f in FAMILIES if f in raw_families)
    ensembles = _yes_no(options, "ensembles")
    raw_warm = options.get("warm_start", []) if _yes_no(options, "warm") else []
    if isinstance(raw_warm, str):
        try:
            raw_warm = json.loads(raw_warm) if raw_warm.strip() else []
        except ValueError:
            raise AscentError("invalid_argument", "warm_start is not valid JSON.") from None
    if not isinstance(raw_warm, list) or len(raw_warm) > 20:
        raise AscentError("invalid_argument", "warm_start is a list of pipeline specs.")
    warm: list[dict[str, Any]] = []
    for raw in raw_warm:
        trial = warm_trial(raw, families)
        if trial is not None and all(trial["key"] != w["key"] for w in warm):
            warm.append(trial)
    folds = options.get("folds", 3)
    if not isinstance(folds, int) or isinstance(folds, bool) or not 2 <= folds <= 5:
        raise AscentError("invalid_argument", "folds must be a whole number in 2–5.")
    rows = options.get("sample_rows", min(sample_rows, 5000))
    if not isinstance(rows, int) or isinstance(rows, bool) or not 100 <= rows <= sample_rows:
        raise AscentError(
            "invalid_argument", f"sample_rows must be a whole number in 100–{sample_rows}."
        )
    return {
        "BUDGET_SECONDS": budget,
        "SEARCH": search,
        "FAMILIES": list(families),
        "WARM_START": warm[:MAX_WARM],
        "ENSEMBLES": ensembles,
        "FOLDS": folds,
        "SAMPLE_ROWS": rows,
        "MAX_TRIALS": MAX_TRIALS,
    }
