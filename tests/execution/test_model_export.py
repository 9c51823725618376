"""Deploy's export runs in the real sandbox: a run's code is re-run, its fitted model converted
to ONNX there, and only ONNX bytes + JSON come back (services/common/ml/model_export.py); the
serving loader then accepts the model and predicts what the fitted model predicts."""

from __future__ import annotations

import numpy as np
import pytest

from services.common.errors import AscentError
from services.common.ml.model_export import assemble, export_program
from services.common.report_sections import sections_of
from services.execution.sandbox import Limits, SandboxPool
from services.serving.loader import load_model, predict
from tests.execution.sandbox_helpers import run_code

pytestmark = pytest.mark.asyncio(loop_scope="module")

LIMITS = Limits(wall_seconds=60, cpu_seconds=60)

NUMERIC_RUN = """
import numpy as np, pandas as pd
from sklearn.ensemble import RandomForestClassifier
rng = np.random.default_rng(0)
X = pd.DataFrame(rng.normal(size=(300, 30)), columns=[f"f{i}" for i in range(30)])
y = (X["f0"] + X["f1"] > 0).astype(int)
model = RandomForestClassifier(n_estimators=20, max_depth=6, random_state=0).fit(X, y)
print("fitted", model.score(X, y))
"""

MIXED_RUN = """
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
X_train = pd.DataFrame({
    "age": [22.0, 35.0, 58.0, 41.0, 19.0, 63.0, 30.0, 47.0] * 10,
    "rooms": [1, 3, 4, 2, 1, 5, 2, 3] * 10,
    "city": ["a", "b", "c", "a", "b", "c", "a", "b"] * 10,
})
y = [0, 1, 1, 0, 0, 1, 0, 1] * 10
pipe = Pipeline([
    ("prep", ColumnTransformer([
        ("num", StandardScaler(), ["age", "rooms"]),
        ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"]),
    ])),
    ("clf", LogisticRegression()),
]).fit(X_train, y)
"""

CUSTOM_STEP_RUN = """
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
class Doubler(TransformerMixin, BaseEstimator):
    def fit(self, X, y=None):
        self.n_ = 1
        return self
    def transform(self, X):
        return X * 2
X = np.arange(20, dtype=float).reshape(10, 2)
model = Pipeline([("double", Doubler()), ("lr", LinearRegression())]).fit(X, X[:, 0])
"""


async def export(pool: SandboxPool, code: str):  # type: ignore[no-untyped-def]
    result = await run_code(pool, export_program(code), limits=LIMITS)
    assert result.status == "ok", result.stderr[-2000:]
    return assemble(sections_of(result.stdout))


async def test_a_numeric_forest_is_exported_and_served_as_it_predicts(pool: SandboxPool) -> None:
    exported = await export(pool, NUMERIC_RUN)
    assert exported.input_mode == "matrix"
    assert [f.name for f in exported.features] == [f"f{i}" for i in range(30)]
    assert {f.type for f in exported.features} == {"number"}
    assert exported.model_variable == "model"
    assert exported.model_type.endswith("RandomForestClassifier")
    assert exported.classes == ("0", "1")
    assert exported.agreement == 1.0
    assert exported.checked_rows == 300
    loaded = load_model(exported.onnx, exported.features, exported.input_mode)
    rows = {f"f{i}": np.zeros(2) for i in range(30)}
    rows["f0"] = np.array([3.0, -3.0])
    rows["f1"] = np.array([3.0, -3.0])
    assert predict(loaded, rows) == [1, 0]


async def test_a_column_transformer_pipeline_gets_one_input_per_column(pool: SandboxPool) -> None:
    exported = await export(pool, MIXED_RUN)
    assert exported.input_mode == "columns"
    assert [(f.name, f.type) for f in exported.features] == [
        ("age", "number"),
        ("rooms", "integer"),
        ("city", "string"),
    ]
    assert exported.model_variable == "pipe"
    assert exported.agreement == 1.0
    loaded = load_model(exported.onnx, exported.features, exported.input_mode)
    rows: dict[str, np.ndarray] = {
        "age": np.array([60.0, 20.0], dtype=np.float32),
        "rooms": np.array([5, 1], dtype=np.int64),
        "city": np.array(["c", "a"], dtype=object),
    }
    assert predict(loaded, rows) == [1, 0]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (CUSTOM_STEP_RUN, "Step 'double' (__main__.Doubler) has no ONNX converter"),
        ("x = 1\n", "No fitted scikit-learn model to export"),
        ("raise ValueError('boom')\n", "failed when it was re-run: ValueError: boom"),
    ],
)
async def test_what_cannot_be_exported_is_refused_with_the_reason(
    pool: SandboxPool, code: str, expected: str
) -> None:
    with pytest.raises(AscentError) as caught:
        await export(pool, code)
    assert expected in caught.value.message
    assert caught.value.http_status == 422
