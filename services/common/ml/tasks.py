"""The task type of a target column: the ONE rule of the platform.

A target is a classification label when it is non-numeric or boolean, or when it is
integer-valued with at most MAX_CLASS_VALUES distinct values and at most
max(MIN_CLASS_LIMIT, CLASS_ROW_SHARE × rows) of them; anything else numeric is a regression
target. The `max(10, ...)` keeps small datasets (e.g. 60 rows, 3 classes) classified
correctly while 15 distinct integers in 100 rows are treated as a quantity.

The coach's generated code applies the same rule at run time, inside the sandbox where this
package is not importable: `services/coach/codegen.py` embeds these constants in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pandas as pd

CLASSIFICATION: Final = "classification"
REGRESSION: Final = "regression"
TASK_TYPES: Final = (CLASSIFICATION, REGRESSION)

MAX_CLASS_VALUES: Final = 20
MIN_CLASS_LIMIT: Final = 10
CLASS_ROW_SHARE: Final = 0.05


def infer_task_type(target: pd.Series) -> str:
    """Classification or regression for this target; missing values are ignored and an
    empty target counts as classification (the seed's default)."""
    # Imported here so the constants (needed by the leaderboard and the curriculum loader)
    # do not load pandas.
    import pandas as pd

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
