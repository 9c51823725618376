"""The Model Training Sandbox's models and their hyperparameters: a one-line explanation, the
documented default and a recommended range for each (scikit-learn's defaults and the usual
tuning ranges from its user guide), and the values a validation curve sweeps.

Shared because the gateway draws the form from it and the apps service validates the
learner's choices against it (the same ranges in both places). The ranges here are the
fallback: where the apps service has evidence for a dataset's neighbourhood it says so and
recommends from it instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.common.errors import AscentError


@dataclass(frozen=True)
class Hyperparameter:
    name: str
    explanation: str
    default: Any
    low: float
    high: float
    # "int" | "float" | "log" (a float swept on a log scale)
    kind: str
    sweep: tuple[float, ...]


@dataclass(frozen=True)
class ModelSpec:
    key: str
    title: str
    summary: str
    params: tuple[Hyperparameter, ...]
    curve_param: str
    iterative: bool = False

    def param(self, name: str) -> Hyperparameter | None:
        return next((p for p in self.params if p.name == name), None)


def _p(
    name: str, explanation: str, default: Any, low: float, high: float, kind: str, *sweep: float
) -> Hyperparameter:
    return Hyperparameter(name, explanation, default, low, high, kind, tuple(sweep))


MODELS: dict[str, ModelSpec] = {
    spec.key: spec
    for spec in (
        ModelSpec(
            "linear",
            "Linear / logistic regression",
            "A weighted sum of the features: fast, readable, high bias on curved patterns.",
            (
                _p(
                    "C",
                    "Inverse regularisation strength: small C = simpler model (Ridge alpha = 1/C).",
                    1.0,
                    0.001,
                    100.0,
                    "log",
                    0.001,
                    0.01,
                    0.1,
                    1.0,
                    10.0,
                    100.0,
                ),
            ),
            "C",
        ),
        ModelSpec(
            "tree",
            "Decision tree",
            "Yes/no questions on the features: readable, overfits when deep.",
            (
                _p(
                    "max_depth",
                    "How many questions deep the tree may go: deeper = more variance.",
                    5,
                    1,
                    30,
                    "int",
                    1,
                    2,
                    3,
                    5,
                    8,
                    12,
                    20,
                ),
                _p(
                    "min_samples_leaf",
                    "Rows a leaf must hold: larger = smoother, less overfitting.",
                    1,
                    1,
                    100,
                    "int",
                    1,
                    2,
                    5,
                    10,
                    20,
                    50,
                ),
            ),
            "max_depth",
        ),
        ModelSpec(
            "forest",
            "Random forest",
            "Many decorrelated trees voting: low variance, strong default.",
            (
                _p(
                    "n_estimators",
                    "How many trees vote: more = steadier, slower; rarely hurts.",
                    100,
                    10,
                    500,
                    "int",
                    10,
                    25,
                    50,
                    100,
                    200,
                ),
                _p(
                    "max_depth",
                    "Depth of each tree (0 = unlimited is not offered: pick a bound).",
                    12,
                    1,
                    40,
                    "int",
                    2,
                    4,
                    6,
                    8,
                    12,
                    20,
                ),
                _p(
                    "min_samples_leaf",
                    "Rows a leaf must hold: larger = smoother trees.",
                    1,
                    1,
                    50,
                    "int",
                    1,
                    2,
                    5,
                    10,
                    20,
                ),
            ),
            "max_depth",
        ),
        ModelSpec(
            "boosting",
            "Gradient boosting",
            "Trees added one by one, each fixing the last one's errors: strong, can overfit.",
            (
                _p(
                    "n_estimators",
                    "Boosting stages (trees added in turn): more = lower bias, watch the gap.",
                    100,
                    10,
                    500,
                    "int",
                    10,
                    25,
                    50,
                    100,
                    200,
                ),
                _p(
                    "learning_rate",
                    "How much each new tree corrects: smaller needs more stages, overfits less.",
                    0.1,
                    0.001,
                    1.0,
                    "log",
                    0.01,
                    0.03,
                    0.1,
                    0.3,
                    1.0,
                ),
                _p(
                    "max_depth",
                    "Depth of each small tree: 2–5 is usual.",
                    3,
                    1,
                    10,
                    "int",
                    1,
                    2,
                    3,
                    4,
                    6,
                ),
            ),
            "learning_rate",
            iterative=True,
        ),
        ModelSpec(
            "knn",
            "k nearest neighbours",
            "Predicts from the k most similar training rows: no training, sensitive to scaling.",
            (
                _p(
                    "n_neighbors",
                    "How many neighbours vote: few = wiggly (variance), many = blurry (bias).",
                    5,
                    1,
                    100,
                    "int",
                    1,
                    3,
                    5,
                    9,
                    15,
                    25,
                    50,
                ),
            ),
            "n_neighbors",
        ),
        ModelSpec(
            "svm",
            "Support vector machine (RBF)",
            "A maximum-margin boundary in a kernel space: strong on mid-sized data.",
            (
                _p(
                    "C",
                    "Penalty for margin violations: large C fits the training rows harder.",
                    1.0,
                    0.001,
                    1000.0,
                    "log",
                    0.01,
                    0.1,
                    1.0,
                    10.0,
                    100.0,
                ),
                _p(
                    "gamma",
                    "Reach of one row's influence: large = wiggly boundary (variance).",
                    0.1,
                    0.0001,
                    10.0,
                    "log",
                    0.001,
                    0.01,
                    0.1,
                    1.0,
                ),
            ),
            "C",
        ),
        ModelSpec(
            "mlp",
            "Neural network (MLP)",
            "Layers of weighted sums and non-linearities, trained epoch by epoch.",
            (
                _p(
                    "hidden_layer_sizes",
                    "Neurons in the hidden layer: more = more capacity.",
                    64,
                    4,
                    512,
                    "int",
                    8,
                    16,
                    32,
                    64,
                    128,
                ),
                _p(
                    "alpha",
                    "L2 penalty on the weights: larger = simpler network.",
                    0.0001,
                    0.000001,
                    1.0,
                    "log",
                    0.00001,
                    0.0001,
                    0.001,
                    0.01,
                    0.1,
                ),
                _p(
                    "learning_rate_init",
                    "Step size of the weight updates: too large diverges, too small crawls.",
                    0.001,
                    0.00001,
                    0.1,
                    "log",
                    0.0001,
                    0.001,
                    0.01,
                    0.05,
                ),
                _p(
                    "max_iter",
                    "Training epochs (each one is a point of the loss curve).",
                    30,
                    1,
                    300,
                    "int",
                    10,
                    30,
                    60,
                    100,
                ),
            ),
            "alpha",
            iterative=True,
        ),
    )
}


def check_params(model: str, params: dict[str, Any]) -> dict[str, Any]:
    """The learner's hyperparameters, validated against their ranges (AscentError when one
    is unknown or out of range); the documented defaults fill in the rest."""
    spec = MODELS.get(model)
    if spec is None:
        raise AscentError("invalid_argument", f"model must be one of {', '.join(MODELS)}.")
    checked: dict[str, Any] = {}
    for name, value in params.items():
        param = spec.param(name)
        if param is None:
            raise AscentError("invalid_argument", f"{spec.title} has no hyperparameter {name!r}.")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise AscentError("invalid_argument", f"{name} must be a number.")
        if not param.low <= value <= param.high:
            raise AscentError(
                "invalid_argument", f"{name} must lie in {param.low:g}–{param.high:g}."
            )
        if param.kind == "int" and float(value) != int(value):
            raise AscentError("invalid_argument", f"{name} must be a whole number.")
        checked[name] = int(value) if param.kind == "int" else float(value)
    for param in spec.params:
        checked.setdefault(param.name, param.default)
    return checked
