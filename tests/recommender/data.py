"""Small CSV datasets written for the tests (content made unique per test on request)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def mixed_csv(seed: int = 0, rows: int = 60) -> bytes:
    """Classification with a text column and missing values (the seed template crashes)."""
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue"], size=rows)
    size = rng.normal(10, 3, size=rows).round(3)
    weight = rng.normal(50, 10, size=rows).round(3)
    size[::7] = np.nan
    label = np.where((colour == "red") | (size > 11), "yes", "no")
    frame = pd.DataFrame({"colour": colour, "size": size, "weight": weight, "label": label})
    return frame.to_csv(index=False).encode()


def regression_csv(seed: int = 0, rows: int = 80) -> bytes:
    rng = np.random.default_rng(seed)
    x1 = rng.uniform(0, 10, size=rows).round(4)
    x2 = rng.uniform(0, 5, size=rows).round(4)
    price = (3.5 * x1 - 2.0 * x2 + rng.normal(0, 1, size=rows)).round(4)
    return pd.DataFrame({"x1": x1, "x2": x2, "price": price}).to_csv(index=False).encode()


def numeric_classification_csv(seed: int, rows: int = 150, features: int = 4) -> bytes:
    """Iris-like: numeric features, three balanced integer classes."""
    rng = np.random.default_rng(seed)
    labels = np.repeat([0, 1, 2], rows // 3)
    data = {f"f{i}": (rng.normal(size=len(labels)) + labels).round(4) for i in range(features)}
    data["cls"] = labels
    return pd.DataFrame(data).to_csv(index=False).encode()
