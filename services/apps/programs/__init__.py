"""The programs apps run: each app renders its learner-readable template with the learner's
choices. A template is a real Python file (`<slug>.py.tmpl`) with `{{NAME}}` placeholders that
are replaced by Python literals (`repr`), so no choice can inject code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.common.errors import AscentError
from services.common.ml.hyperparameters import MODELS, check_params
from services.common.ml.pipelines import EXPLAINABLE_ESTIMATORS

DATA_PATH = "/data/uploaded.csv"
_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ProgramRequest:
    target: str
    options: dict[str, Any]
    sample_rows: int
    data_path: str = DATA_PATH


def parse_options(options_json: str) -> dict[str, Any]:
    if not options_json.strip():
        return {}
    try:
        options = json.loads(options_json)
    except ValueError:
        raise AscentError("invalid_argument", "The app's options are not valid JSON.") from None
    if not isinstance(options, dict):
        raise AscentError("invalid_argument", "The app's options must be a JSON object.")
    return options


def _bounded_int(options: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = options.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise AscentError("invalid_argument", f"{key} must be a whole number in {low}–{high}.")
    return value


def render(template: str, values: dict[str, Any]) -> str:
    code = template
    for name, value in values.items():
        code = code.replace("{{" + name + "}}", repr(value))
    if "{{" in code:
        raise ValueError("a template placeholder was left unfilled")
    return code


def template(slug: str) -> str:
    return (_HERE / f"{slug}.py.tmpl").read_text(encoding="utf-8")


def explorer_program(request: ProgramRequest) -> str:
    sample_rows = _bounded_int(
        request.options, "sample_rows", request.sample_rows, 100, max(request.sample_rows, 100)
    )
    return render(
        template("explorer"),
        {"DATA": request.data_path, "TARGET": request.target, "SAMPLE_ROWS": sample_rows},
    )


FEATURE_TRANSFORMS = (
    "standard",
    "minmax",
    "robust",
    "log",
    "power",
    "bin",
    "onehot",
    "ordinal",
    "target",
    "date_parts",
    "tfidf",
    "interaction",
)


def _names(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise AscentError("invalid_argument", f"{what} must be a list of column names.")
    if len(value) > 200:
        raise AscentError("invalid_argument", f"{what} may name at most 200 columns.")
    return list(dict.fromkeys(value))


def features_program(request: ProgramRequest) -> str:
    """The playground: `drop` (columns) and `transforms` ({column or "a*b": transformation})
    are the learner's "what if"; the program scores the default pipeline and the variant on
    the same folds."""
    options = request.options
    drop = _names(options.get("drop", []), "drop")
    raw = options.get("transforms", {})
    if not isinstance(raw, dict) or len(raw) > 200:
        raise AscentError("invalid_argument", "transforms must map columns to transformations.")
    transforms: dict[str, str] = {}
    for column, transform in raw.items():
        if transform not in FEATURE_TRANSFORMS:
            raise AscentError(
                "invalid_argument",
                f"{transform!r} is not a transformation; use one of "
                f"{', '.join(FEATURE_TRANSFORMS)}.",
            )
        if (transform == "interaction") != ("*" in column):
            raise AscentError(
                "invalid_argument", "An interaction is written 'a*b' with transform 'interaction'."
            )
        transforms[str(column)] = str(transform)
    folds = _bounded_int(options, "folds", 3, 2, 10)
    sample_rows = _bounded_int(
        options, "sample_rows", request.sample_rows, 100, max(request.sample_rows, 100)
    )
    return render(
        template("features"),
        {
            "DATA": request.data_path,
            "TARGET": request.target,
            "DROP": drop,
            "TRANSFORMS": transforms,
            "SAMPLE_ROWS": sample_rows,
            "FOLDS": folds,
        },
    )


def training_program(request: ProgramRequest) -> str:
    """The sandbox: one model with checked hyperparameters, the validation curve over one of
    them, a train/validation/test split."""
    options = request.options
    model = options.get("model", "forest")
    if not isinstance(model, str) or model not in MODELS:
        raise AscentError("invalid_argument", f"model must be one of {', '.join(MODELS)}.")
    raw = options.get("params", {})
    if not isinstance(raw, dict):
        raise AscentError("invalid_argument", "params must map hyperparameters to numbers.")
    params = check_params(model, raw)
    spec = MODELS[model]
    curve_param = options.get("curve_param", spec.curve_param)
    swept = spec.param(curve_param) if isinstance(curve_param, str) else None
    if swept is None:
        raise AscentError(
            "invalid_argument", f"{spec.title} has no hyperparameter {curve_param!r}."
        )
    split = options.get("split", [0.6, 0.2, 0.2])
    if (
        not isinstance(split, list)
        or len(split) != 3
        or not all(isinstance(v, int | float) and 0.05 <= v <= 0.9 for v in split)
        or abs(sum(split) - 1.0) > 1e-6
    ):
        raise AscentError(
            "invalid_argument", "split is three shares (train, validation, test) summing to 1."
        )
    sample_rows = _bounded_int(
        options, "sample_rows", min(request.sample_rows, 10000), 100, max(request.sample_rows, 100)
    )
    values = [int(v) if swept.kind == "int" else float(v) for v in swept.sweep]
    return render(
        template("training"),
        {
            "DATA": request.data_path,
            "TARGET": request.target,
            "MODEL": model,
            "PARAMS": params,
            "CURVE_PARAM": swept.name,
            "CURVE_VALUES": values,
            "SPLIT": [float(v) for v in split],
            "SAMPLE_ROWS": sample_rows,
        },
    )


# -- AutoML Trainer (issue 15) ---------------------------------------------------------------
def automl_program(request: ProgramRequest) -> str:
    """The AutoML Trainer: a time-boxed Optuna search over families and preprocessing,
    warm-started by the recommender's pipelines (`programs/automl.py`)."""
    from services.apps.programs.automl import automl_values

    values = automl_values(request.options, request.sample_rows)
    return render(
        template("automl"), {"DATA": request.data_path, "TARGET": request.target, **values}
    )


# --- Model Explainability Suite (`explain`) ---------------------------------------------
# The estimators the explain program can re-create from a run's pipeline spec (the names its
# template imports; shared with the gateway, which offers only runs of these); a spec naming
# another is refused with what would work.
EXPLAIN_ESTIMATORS = EXPLAINABLE_ESTIMATORS
EXPLAIN_STEPS = ("SimpleImputer", "OneHotEncoder", "StandardScaler")
EXPLAINERS = ("auto", "tree", "linear", "kernel")
DEPTHS = ("beginner", "intermediate", "advanced")
# Used when the session has no run with a pipeline spec: the platform's first prior.
DEFAULT_EXPLAIN_SPEC: dict[str, Any] = {
    "steps": ["SimpleImputer", "OneHotEncoder"],
    "estimator": "RandomForestClassifier",
    "params": {"n_estimators": 100, "random_state": 42},
}


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def explain_spec(raw: Any) -> dict[str, Any]:
    """A pipeline spec the explain program can rebuild: a known estimator, known steps and
    scalar hyperparameters (the program keeps only those the estimator accepts)."""
    if not isinstance(raw, dict):
        raise AscentError("invalid_argument", "model.spec must be a pipeline spec object.")
    estimator = raw.get("estimator")
    if estimator not in EXPLAIN_ESTIMATORS:
        raise AscentError(
            "invalid_argument",
            f"The explainer cannot re-create {str(estimator)[:80]!r}; it rebuilds "
            f"{', '.join(EXPLAIN_ESTIMATORS)}. Pick a run that trained one of them.",
        )
    steps = raw.get("steps") or []
    params = raw.get("params") or {}
    if not isinstance(steps, list) or not isinstance(params, dict):
        raise AscentError("invalid_argument", "A pipeline spec has a steps list and params.")
    if len(params) > 50 or not all(
        isinstance(k, str) and _scalar(v) and len(str(v)) <= 100 for k, v in params.items()
    ):
        raise AscentError("invalid_argument", "Pipeline params must be up to 50 plain values.")
    return {
        "steps": [s for s in steps if s in EXPLAIN_STEPS],
        "estimator": str(estimator),
        "params": dict(params),
    }


def _choice(options: dict[str, Any], key: str, allowed: tuple[str, ...], default: str) -> str:
    value = options.get(key, default)
    if value not in allowed:
        raise AscentError("invalid_argument", f"{key} must be one of {', '.join(allowed)}.")
    return str(value)


def explain_program(request: ProgramRequest) -> str:
    """The suite: `model` {spec, from} (the gateway resolves the learner's run to its spec),
    `explainer`, `depth`, `row`, `group_column`, `explain_rows`, `explain_set`, `repeats`,
    `regression_change`."""
    options = request.options
    model = options.get("model") or {}
    if not isinstance(model, dict):
        raise AscentError("invalid_argument", "model must be an object {spec, from}.")
    spec = explain_spec(model.get("spec", DEFAULT_EXPLAIN_SPEC))
    source = str(model.get("from", "the platform's default model (no run picked)"))[:200]
    row = options.get("row")
    if row is not None and (not isinstance(row, int) or isinstance(row, bool) or row < 0):
        raise AscentError("invalid_argument", "row must be a row number (0 or more).")
    group = options.get("group_column")
    if group is not None and (not isinstance(group, str) or not group or len(group) > 200):
        raise AscentError("invalid_argument", "group_column must be a column name.")
    change = options.get("regression_change")
    if change is not None and (
        not isinstance(change, int | float) or isinstance(change, bool) or change <= 0
    ):
        raise AscentError("invalid_argument", "regression_change must be a positive number.")
    return render(
        template("explain"),
        {
            "DATA": request.data_path,
            "TARGET": request.target,
            "PIPELINE": spec,
            "MODEL_FROM": source,
            "EXPLAINER": _choice(options, "explainer", EXPLAINERS, "auto"),
            "DEPTH": _choice(options, "depth", DEPTHS, "advanced"),
            "ROW": row,
            "GROUP_COLUMN": group or None,
            "EXPLAIN_ROWS": _bounded_int(options, "explain_rows", 500, 20, 20000),
            "EXPLAIN_SET": _choice(options, "explain_set", ("test", "all"), "test"),
            "REPEATS": _bounded_int(options, "repeats", 5, 2, 50),
            "REGRESSION_CHANGE": float(change) if change is not None else None,
        },
    )


# slug -> how to build its program. An app is "available" when it has one here.
PROGRAMS = {
    "explorer": explorer_program,
    "features": features_program,
    "training": training_program,
    "automl": automl_program,
    "explain": explain_program,
}


# -- Deployment Assistant (issue 16) --
# Apps whose work another service does (no program here): available all the same.
ELSEWHERE = {"deploy": "serving"}


def build_program(slug: str, request: ProgramRequest) -> str:
    builder = PROGRAMS.get(slug)
    if builder is None:
        raise AscentError("not_found", f"The app {slug!r} has no program yet.")
    return builder(request)


# -- Time-Series Forecaster (`forecast`, issue 15) ------------------------------------------
FORECAST_MODELS = ("seasonal_naive", "holt_winters", "sarima", "boosting")
FORECAST_SOURCES = ("upload", "co2", "sunspots")


def _column(options: dict[str, Any], key: str) -> str | None:
    value = options.get(key)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 200:
        raise AscentError("invalid_argument", f"{key} must be a column name.")
    return value


def forecast_program(request: ProgramRequest) -> str:
    """The forecaster: `date_column`, `value_column` (None: detected), `source` (the upload
    or a built-in statsmodels series), `horizon`, `folds`, `period`, `models`."""
    options = request.options
    models = options.get("models", list(FORECAST_MODELS))
    if (
        not isinstance(models, list)
        or not models
        or not all(isinstance(m, str) and m in FORECAST_MODELS for m in models)
    ):
        raise AscentError(
            "invalid_argument", f"models must name some of {', '.join(FORECAST_MODELS)}."
        )
    horizon = options.get("horizon")
    period = options.get("period")
    return render(
        template("forecast"),
        {
            "DATA": request.data_path,
            "TARGET": request.target or None,
            "SOURCE": _choice(options, "source", FORECAST_SOURCES, "upload"),
            "DATE_COLUMN": _column(options, "date_column"),
            "VALUE_COLUMN": _column(options, "value_column"),
            "HORIZON": None if horizon is None else _bounded_int(options, "horizon", 28, 1, 366),
            "FOLDS": _bounded_int(options, "folds", 3, 2, 5),
            "PERIOD": None if period is None else _bounded_int(options, "period", 7, 2, 400),
            "MODELS": [m for m in FORECAST_MODELS if m in models],
        },
    )


PROGRAMS["forecast"] = forecast_program
