"""A generated messy CSV like the learners' (issue 13, item 16): an identifier, a date, free
text, categoricals and numbers, with a yes/no target that depends on the words of the text
and the month of the date (so one-hot encoding them loses the signal)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

NEGATIVE = ("slow", "broken", "refund", "crashes", "rude", "expensive")
POSITIVE = ("great", "fast", "helpful", "love", "reliable", "cheap")
NEUTRAL = (
    "the", "app", "service", "support", "order", "delivery", "account", "team", "was",
    "my", "and", "price", "update", "today", "again", "really", "quite", "week",
)  # fmt: skip


def messy_frame(rows: int = 3000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mood = rng.normal(size=rows)
    reviews = []
    for value in mood:
        words = list(rng.choice(NEUTRAL, size=rng.integers(4, 9)))
        pool = NEGATIVE if value < 0 else POSITIVE
        words += list(rng.choice(pool, size=rng.integers(1, 3)))
        rng.shuffle(words)
        reviews.append(" ".join(words))
    days = rng.integers(0, 3 * 365, size=rows)
    dates = pd.Timestamp("2022-01-01") + pd.to_timedelta(days, unit="D")
    winter = np.isin(dates.month, [11, 12, 1, 2])
    age = rng.integers(18, 80, size=rows)
    plan = rng.choice(["basic", "plus", "pro"], size=rows)
    score = -1.6 * mood + 1.4 * winter + 0.015 * (age - 50) + rng.normal(scale=0.4, size=rows)
    return pd.DataFrame(
        {
            "customer_id": [f"C{index:06d}" for index in rng.permutation(rows)],
            "signup_date": dates.strftime("%Y-%m-%d"),
            "review": reviews,
            "plan": plan,
            "age": age,
            "monthly_spend": np.round(rng.gamma(2.0, 20.0, size=rows), 2),
            "churned": np.where(score > 0.5, "yes", "no"),
        }
    )


def messy_csv(rows: int = 3000, seed: int = 7) -> bytes:
    out = io.StringIO()
    messy_frame(rows, seed).to_csv(out, index=False)
    return out.getvalue().encode()
