"""The recommender's own view of a dataset: reading its CSV and the coordinates of its
meta-features (`services.common.ml.metafeatures`) used for similarity."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from services.common.errors import AscentError
from services.common.ml.metafeatures import MetaFeatures


def read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError as exc:
        raise AscentError("invalid_argument", "The dataset file is empty.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise AscentError(
            "invalid_argument",
            f"The dataset is not a readable CSV file ({detail}); expected comma-separated "
            "UTF-8 text with a header row.",
        ) from exc


def feature_vector(meta: MetaFeatures) -> list[float]:
    """Coordinates used for similarity; sizes on a log scale so 100 vs 1,000 rows counts
    like 1,000 vs 10,000."""
    return [
        math.log1p(meta.rows),
        math.log1p(meta.columns),
        meta.missing_ratio,
        meta.categorical_ratio,
        float(meta.n_classes),
        meta.class_imbalance,
    ]
