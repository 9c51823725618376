"""What each feature column of a dataset is: the ONE rule for identifiers, dates and free text.

One-hot encoding every text column turns a `customer_id` of 9,000 rows into 9,000 columns
that carry no signal, a date into one column per day and a review into one column per
sentence. The recommender profiles each column with `column_roles` (carried to the coach in
the dataset's meta-features); the coach's generated code then drops identifiers, splits
dates into parts, vectorises free text (TF-IDF) and one-hot encodes only what is left,
capped at MAX_ONE_HOT categories per column.

Roles: "id" (a row label: no signal, or a leak through how rows were numbered), "date",
"text" (free text: several words per cell, mostly distinct), "categorical" (other text),
"numeric".
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pandas as pd

ID: Final = "id"
DATE: Final = "date"
TEXT: Final = "text"
CATEGORICAL: Final = "categorical"
NUMERIC: Final = "numeric"
ROLES: Final = (ID, DATE, TEXT, CATEGORICAL, NUMERIC)

# Names that say "row label": id, index, row_id, "Unnamed: 0" (a saved pandas index),
# anything ending in _id / " id"; and camelCase customerId / customerID (case-sensitive, so
# "paid" or "valid" are no identifiers).
ID_NAME: Final = re.compile(r"^(id|index|row_?id|unnamed: ?0|.*[_ ]id)$", re.I)
_CAMEL_ID: Final = re.compile(r"[a-z]I[dD]$")
# An identifier is (almost) unique per row: at least this share of the rows are distinct.
ID_DISTINCT_SHARE: Final = 0.95
# Text codes without an id-like name count as identifiers only on enough rows to tell.
ID_MIN_ROWS: Final = 20
# A date column: at least this share of its non-empty cells parse as dates.
DATE_PARSE_SHARE: Final = 0.9
# Free text: at least this many words per cell on average, and this share of distinct cells.
TEXT_MIN_WORDS: Final = 3.0
TEXT_DISTINCT_SHARE: Final = 0.3
# One-hot encoding keeps at most this many categories per column (the rest: "infrequent").
MAX_ONE_HOT: Final = 20
# Cells looked at per column (the rule must stay cheap on large files).
SAMPLE_CELLS: Final = 2000
_DATE_SHAPE: Final = re.compile(r"\d{1,4}[-/.]\d{1,2}([-/.]\d{1,4})?|\d{4}-\d{2}-\d{2}T")


def id_like_name(name: str) -> bool:
    name = name.strip()
    return bool(ID_NAME.match(name) or _CAMEL_ID.search(name))


def _looks_like_dates(values: pd.Series) -> bool:
    import pandas as pd

    text = values.astype(str)
    if not text.str.match(_DATE_SHAPE).mean() >= DATE_PARSE_SHARE:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= DATE_PARSE_SHARE)


def column_role(column: pd.Series) -> str:
    """The role of one feature column (see the module docstring)."""
    import pandas as pd

    values = column.dropna()
    if len(values) > SAMPLE_CELLS:
        values = values.sample(n=SAMPLE_CELLS, random_state=0)
    name = str(column.name).strip()
    if values.empty:
        return NUMERIC if pd.api.types.is_numeric_dtype(column) else CATEGORICAL
    distinct_share = values.nunique() / len(values)
    is_bool = pd.api.types.is_bool_dtype(column)
    is_number = pd.api.types.is_numeric_dtype(column) and not is_bool
    if is_number:
        integral = bool((values % 1 == 0).all())
        if id_like_name(name) and integral and distinct_share >= ID_DISTINCT_SHARE:
            return ID
        return NUMERIC
    if is_bool:
        return CATEGORICAL
    if id_like_name(name) and distinct_share >= ID_DISTINCT_SHARE:
        return ID
    if _looks_like_dates(values):
        return DATE
    words = float(values.astype(str).map(lambda cell: len(cell.split())).mean())
    if words >= TEXT_MIN_WORDS and distinct_share >= TEXT_DISTINCT_SHARE:
        return TEXT
    # Short, unique codes ("C00017", "a3f9…") on a whole table are row labels too.
    if len(values) >= ID_MIN_ROWS and distinct_share >= ID_DISTINCT_SHARE and words < 2:
        return ID
    return CATEGORICAL


def column_roles(features: pd.DataFrame) -> dict[str, str]:
    """Role per feature column, in column order."""
    return {str(name): column_role(features[name]) for name in features.columns}


def columns_with(roles: dict[str, str], role: str) -> list[str]:
    return [name for name, found in roles.items() if found == role]
