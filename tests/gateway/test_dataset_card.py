"""The dataset card on large data (issue 19): histograms of a stated sample, counts of every
row, computed once per dataset."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from gateway.cards import CardCache
from gateway.datasets import columnar_copy, parse_dataset, summarize


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"x": rng.normal(size=rows), "y": rng.integers(0, 2, size=rows)})
    data.loc[::10, "x"] = np.nan
    return data


def test_histograms_come_from_the_stated_sample_and_counts_from_every_row() -> None:
    card = summarize(frame(5_000), "y", "big.csv", sample_rows=1_000)
    assert card.sampleRows == 1_000
    assert card.rows == 5_000
    assert card.missing["x"] == 500
    assert sum(item.count for item in card.balance) == 5_000
    # 1,000 sampled rows, minus the sampled ones that are missing.
    assert 850 <= sum(card.histograms["x"]["counts"]) <= 950
    # The sample is the same every time (seed 0): the card does not flicker between views.
    assert summarize(frame(5_000), "y", "big.csv", sample_rows=1_000) == card


def test_a_small_dataset_is_charted_whole() -> None:
    card = summarize(frame(800), "y", "small.csv", sample_rows=1_000)
    assert card.sampleRows == 0
    assert sum(card.histograms["x"]["counts"]) == 720


def test_the_card_of_the_checked_frame_is_kept_by_content_and_target(tmp_path: Path) -> None:
    parsed = parse_dataset(frame(50).to_csv(index=False).encode(), 1_000)
    assert parsed.frame is not None
    cache = CardCache(tmp_path / "cards")
    card = summarize(parsed.frame, parsed.target, "")
    cache.save("a" * 64, "y", card.model_dump_json())
    assert cache.load("a" * 64, "y") == card.model_dump_json()
    assert cache.load("a" * 64, "x") is None
    assert cache.load("b" * 64, "y") is None


def test_the_columnar_copy_reads_back_as_the_csv_does() -> None:
    content = b"id,when,price,flag,city,n,label\n" + b"".join(
        b"%d,2024-01-%02d,%s,%s,%s,%s,%d\n"
        % (
            i,
            1 + i % 28,
            b"" if i % 7 == 0 else b"%.3f" % (i / 3),
            b"True" if i % 2 else b"False",
            b"" if i % 5 == 0 else b"c%d" % (i % 4),
            b"" if i % 11 == 0 else b"%d" % i,
            i % 3,
        )
        for i in range(500)
    )
    parsed = parse_dataset(content, 1000)
    assert parsed.frame is not None
    columnar = columnar_copy(parsed.frame)
    assert columnar is not None
    from_csv = pd.read_csv(io.BytesIO(parsed.content))
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(columnar)), from_csv)
    # A column pyarrow cannot type gets no copy (the CSV serves).
    mixed = pd.DataFrame({"v": [1, "two", 3.0], "label": [0, 1, 0]})
    assert columnar_copy(mixed) is None
