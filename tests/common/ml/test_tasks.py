"""The one task-type rule, and the generated code applying the same rule at run time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from services.coach.codegen import generate_code
from services.common.ml.pipelines import prior_specs
from services.common.ml.tasks import (
    CLASS_ROW_SHARE,
    CLASSIFICATION,
    MAX_CLASS_VALUES,
    MIN_CLASS_LIMIT,
    REGRESSION,
    infer_task_type,
)

CASES: list[tuple[str, list[Any], str]] = [
    ("text labels", ["a", "b", "a"], CLASSIFICATION),
    ("booleans", [True, False, True], CLASSIFICATION),
    ("3 classes in 60 rows", [0, 1, 2] * 20, CLASSIFICATION),
    ("integer-valued floats", [0.0, 1.0, 2.0] * 10, CLASSIFICATION),
    ("few fractional values", [0.5, 1.5, 2.5] * 10, REGRESSION),
    ("a quantity", list(range(100)), REGRESSION),
    # The case the three old thresholds disagreed on: more than max(10, 5% of 100) values.
    ("15 distinct integers in 100 rows", [i % 15 for i in range(100)], REGRESSION),
    ("15 distinct integers in 300 rows", [i % 15 for i in range(300)], CLASSIFICATION),
    ("10 distinct integers in 20 rows", [i % 10 for i in range(20)], CLASSIFICATION),
    ("21 distinct integers in 1000 rows", [i % 21 for i in range(1000)], REGRESSION),
    ("missing values are ignored", [0, 1, None, 1, 0, None], CLASSIFICATION),
]


@pytest.mark.parametrize(("values", "expected"), [(v, e) for _, v, e in CASES])
def test_task_type_rule(values: list[Any], expected: str) -> None:
    assert infer_task_type(pd.Series(values)) == expected


def test_empty_target_is_classification_like_the_seed() -> None:
    assert infer_task_type(pd.Series([np.nan, np.nan])) == CLASSIFICATION
    assert infer_task_type(pd.Series([], dtype=float)) == CLASSIFICATION


def test_row_share_limit_boundary() -> None:
    # 12 distinct integers are a label from 240 rows (5% of 240 = 12), not from 239.
    assert CLASS_ROW_SHARE * 240 == 12 > MIN_CLASS_LIMIT
    assert infer_task_type(pd.Series([i % 12 for i in range(240)])) == CLASSIFICATION
    assert infer_task_type(pd.Series([i % 12 for i in range(239)])) == REGRESSION
    many = [i % (MAX_CLASS_VALUES + 1) for i in range(10_000)]
    assert infer_task_type(pd.Series(many)) == REGRESSION


def _runtime_rule() -> Callable[[pd.Series], str]:
    """`detect_task` exactly as the coach's generated code defines it."""
    code = generate_code(prior_specs(CLASSIFICATION)[0], CLASSIFICATION, "rule")
    start = code.index("def detect_task(")
    end = code.index("task_type = detect_task(y)")
    namespace: dict[str, Any] = {"pd": pd}
    exec(compile(code[start:end], "<detect_task>", "exec"), namespace)
    rule: Callable[[pd.Series], str] = namespace["detect_task"]
    return rule


@pytest.mark.parametrize(("name", "values", "expected"), CASES)
def test_generated_code_applies_the_same_rule(name: str, values: list[Any], expected: str) -> None:
    # The generated code drops rows without a target before it detects the task.
    target = pd.Series(values).dropna()
    assert _runtime_rule()(target) == expected == infer_task_type(target), name
