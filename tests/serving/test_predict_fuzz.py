"""The predict path under arbitrary input (hypothesis): whatever the body — not JSON, NaN,
wrong shapes, wrong types, huge numbers, unknown columns — the answer is predictions or an
AscentError that maps to a 4xx, never anything that would become a 5xx."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from skl2onnx import convert_sklearn  # type: ignore[import-untyped]
from skl2onnx.common.data_types import (  # type: ignore[import-untyped]
    FloatTensorType,
    Int64TensorType,
    StringTensorType,
)
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from services.common.errors import AscentError
from services.common.ml.model_export import Feature
from services.serving.limits import RateLimiter
from services.serving.loader import load_model
from services.serving.service import (
    ModelCache,
    PredictionLog,
    Predictor,
    Served,
    key_digest,
)

FEATURES = (Feature("age", "number"), Feature("rooms", "integer"), Feature("city", "string"))
KEY = "asc_fuzz-key"


def served() -> Served:
    frame = pd.DataFrame(
        {
            "age": [22.0, 35.0, 58.0, 41.0, 19.0, 63.0] * 5,
            "rooms": [1, 3, 4, 2, 1, 5] * 5,
            "city": ["a", "b", "c", "a", "b", "c"] * 5,
        }
    )
    y = [0, 1, 1, 0, 0, 1] * 5
    model = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("num", "passthrough", ["age", "rooms"]),
                        ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"]),
                    ]
                ),
            ),
            ("clf", RandomForestClassifier(n_estimators=5, random_state=0)),
        ]
    ).fit(frame, y)
    types = [
        ("age", FloatTensorType([None, 1])),
        ("rooms", Int64TensorType([None, 1])),
        ("city", StringTensorType([None, 1])),
    ]
    onx = convert_sklearn(
        model, initial_types=types, options={id(model): {"zipmap": False}}, target_opset=17
    )
    loaded = load_model(bytes(onx.SerializeToString()), FEATURES, "columns")
    return Served("dep", "owner", key_digest(KEY), 1, loaded, ("0", "1"))


@pytest.fixture(scope="module")
def predictor() -> Predictor:
    model = served()
    return Predictor(
        ModelCache(lambda _id: model, 4),
        RateLimiter(rate=1e9, burst=10**9),
        PredictionLog(max_queue=100),
        max_rows=50,
        max_body_bytes=20_000,
        log_rows=10,
    )


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
cell = json_values | st.sampled_from([0, 1.5, -3, 2**63, 1e39, "a", "zz", "", True])
good_row = st.fixed_dictionaries({"age": cell, "rooms": cell, "city": cell})
odd_row = st.dictionaries(st.sampled_from(["age", "rooms", "city", "other"]), cell, max_size=4)
bodies = st.one_of(
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.lists(good_row | odd_row | json_values, max_size=60).map(
        lambda rows: json.dumps({"rows": rows}).encode()
    ),
    st.sampled_from(
        [
            b'{"rows": [{"age": NaN, "rooms": 1, "city": "a"}]}',
            b'{"rows": [{"age": Infinity, "rooms": 1, "city": "a"}]}',
            b'{"rows": [{"age": 1e400, "rooms": 1, "city": "a"}]}',
            b'{"rows": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            b"\xff\xfe",
            b'{"rows": []}',
            b'{"rows": {}}',
            b" " * 20_001,
        ]
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies)
def test_predict_answers_or_refuses_with_a_4xx(predictor: Predictor, body: bytes) -> None:
    try:
        outcome = predictor.predict("dep", KEY, body)
    except AscentError as err:
        refused: AscentError | None = err
    else:
        refused = None
    if refused is not None:
        assert 400 <= refused.http_status < 500, (refused.code, refused.message)
        return
    rows: list[Any] = json.loads(body)["rows"]
    assert len(outcome.predictions) == len(rows)
    assert set(outcome.predictions) <= {0, 1}


def test_a_valid_row_is_predicted_and_a_wrong_key_refused(predictor: Predictor) -> None:
    body = json.dumps({"rows": [{"age": 30.0, "rooms": 2, "city": "b"}]}).encode()
    outcome = predictor.predict("dep", KEY, body)
    assert outcome.predictions[0] in (0, 1) and outcome.probabilities is not None
    assert np.isclose(sum(outcome.probabilities[0]), 1.0)
    with pytest.raises(AscentError) as refused:
        predictor.predict("dep", "asc_other", body)
    assert refused.value.http_status == 401
