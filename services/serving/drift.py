"""Data drift of a deployment's inputs against its training reference (issue 16, monitor).

The reference is a per-feature summary computed **in the sandbox** at deploy time by the
export program (`reference` report section), stored as JSON on the version, so serving
never needs the training rows nor any learner object:

- numbers: `n`, `mean`, `std` and the 101 percentiles (0 %, 1 %, …, 100 %);
- categories: the counts of the 50 most frequent values and the count of all the others.

Why a summary rather than re-reading the dataset by its hash: the export run already holds
the training rows the model was fitted on (`X_train`, after the run's own split and
cleaning), which a dataset file does not — and a summary of ~100 numbers a feature is small,
JSON, and never code.

Tests, per feature (`scipy.stats`):
- numbers: **PSI** over the reference deciles (10 bins, each holding a tenth of the training
  rows) and the one-sample **Kolmogorov–Smirnov** test of the live values against the
  reference CDF (the percentiles, linearly interpolated);
- categories: **PSI** over the categories (plus "other") and **chi²** goodness of fit of the
  live counts against the reference frequencies.

A feature has drifted when PSI ≥ `psi` (default 0.2, the usual "significant shift" rule),
or for numbers when the KS statistic D ≥ `ks` (default 0.1: a tenth of the rows moved
across the CDF, so a large window does not flag a trivial shift) **and** its p-value <
`p_value` (default 0.001; the reference counts as a sample of its `n` training rows, so a
small training set does not make noise look like drift), or for categories when the chi²
p-value < `p_value`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

OTHER = "__other__"
EPSILON = 1e-4  # floor of a bin's proportion in PSI (an empty bin would be log(0))
PSI_DEFAULT = 0.2
KS_DEFAULT = 0.1
P_DEFAULT = 0.001
MIN_ROWS = 30  # fewer live values than this: not enough to test
EXACT_KS_ROWS = 1_000  # above this many (effective) rows the KS p-value is the asymptotic one


@dataclass(frozen=True)
class Thresholds:
    psi: float = PSI_DEFAULT
    ks: float = KS_DEFAULT
    p_value: float = P_DEFAULT


@dataclass(frozen=True)
class FeatureDrift:
    name: str
    kind: str  # "number" | "string"
    rows: int
    psi: float
    ks_statistic: float | None
    ks_p_value: float | None
    chi2_statistic: float | None
    chi2_p_value: float | None
    drifted: bool
    reference_mean: float | None
    current_mean: float | None
    # for categories: the category whose share moved most, with both shares
    top_change: str
    detail: str


def psi(reference: NDArray[np.float64], current: NDArray[np.float64]) -> float:
    """Population stability index of two proportion vectors over the same bins."""
    r = np.clip(np.asarray(reference, dtype=float), EPSILON, None)
    c = np.clip(np.asarray(current, dtype=float), EPSILON, None)
    r, c = r / r.sum(), c / c.sum()
    return float(np.sum((c - r) * np.log(c / r)))


def ks_statistic(ordered: NDArray[np.float64], cdf_values: NDArray[np.float64]) -> float:
    """The one-sample Kolmogorov–Smirnov D of sorted values against a CDF evaluated at them:
    max over i of i/n − F(x_(i)) and F(x_(i)) − (i−1)/n — what `scipy.stats.ks_1samp`
    computes, without sorting again (tests/serving/test_drift.py checks it against scipy)."""
    n = len(ordered)
    if n == 0:
        return 0.0
    plus = float((np.arange(1.0, n + 1) / n - cdf_values).max())
    minus = float((cdf_values - np.arange(0.0, n) / n).max())
    return max(plus, minus)


def ks_p_value(statistic: float, live: int, reference: int) -> float:
    """The p-value of D: the reference is itself a sample of `reference` training rows, so
    the two-sample effective size n·m/(n+m) (0 = a known CDF: the one-sample test)."""
    size = live if reference <= 0 else live * reference / (live + reference)
    if size > EXACT_KS_ROWS:  # the exact distribution costs tens of ms; the limit is as good
        return float(stats.kstwobign.sf(statistic * math.sqrt(size)))
    return float(stats.kstwo.sf(statistic, max(1, round(size))))


def reference_cdf(quantiles: Sequence[float]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The knots (x, F(x)) of the reference CDF from its percentiles: a value repeated across
    several percentiles (a step) keeps its highest probability."""
    q = np.asarray(quantiles, dtype=float)
    p = np.linspace(0.0, 1.0, len(q))
    xs, idx = np.unique(q, return_index=False, return_inverse=True)
    fs = np.zeros(len(xs))
    np.maximum.at(fs, idx, p)
    return xs, fs


def _cdf(xs: NDArray[np.float64], fs: NDArray[np.float64]) -> Any:
    def cdf(x: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.interp(x, xs, fs, left=0.0, right=1.0)

    return cdf


def ks_statistic_tied(
    ordered: NDArray[np.float64], xs: NDArray[np.float64], fs: NDArray[np.float64]
) -> float:
    """D = sup |F_live − F_ref| for a reference with repeated percentiles (an integer or
    few-valued feature: point masses). scipy's formula (`ks_statistic` above), which compares
    F_ref(x) with the live CDF just *below* each live value, reads every step of the reference
    as a gap (D ≈ 0.2 for training-like traffic of a 1-5 count); here both CDFs are compared
    where they are defined, right-continuous, at the live values (`ordered`, sorted) and the
    reference's knots (for continuous data this differs from scipy's D by at most 1/n)."""
    points = np.union1d(ordered, xs)
    live = np.searchsorted(ordered, points, side="right") / len(ordered)
    reference = np.interp(points, xs, fs, left=0.0, right=1.0)
    return float(np.max(np.abs(live - reference)))


def numeric_drift(
    name: str, reference: dict[str, Any], values: NDArray[np.float64], limits: Thresholds
) -> FeatureDrift:
    quantiles = reference.get("quantiles") or []
    current = values[np.isfinite(values)]
    if len(quantiles) < 3 or len(current) < MIN_ROWS:
        return _untested(name, "number", len(current), len(quantiles) < 3)
    xs, fs = reference_cdf(quantiles)
    # Bins with a tenth of the training rows each: inner edges at the deciles.
    q = np.asarray(quantiles, dtype=float)
    edges = np.unique(q[[round(k * (len(q) - 1) / 10) for k in range(1, 10)]])
    cdf = _cdf(xs, fs)
    ref_props = np.diff(np.concatenate([[0.0], cdf(edges), [1.0]]))
    # One sort serves both tests (100,000 rows: ~3 ms): a bin (e_{k-1}, e_k] holds the
    # values <= e_k minus those <= e_{k-1}, and KS needs the order statistics.
    ordered = np.sort(current)
    at_most = np.searchsorted(ordered, edges, side="right")
    counts = np.diff(np.concatenate([[0], at_most, [len(ordered)]]))
    value = psi(ref_props, counts / len(current))
    if len(xs) < len(q):
        # Repeated percentiles (an integer or few-valued feature): the tie-aware D.
        d = ks_statistic_tied(ordered, xs, fs)
    else:
        d = ks_statistic(ordered, cdf(ordered))
    p = ks_p_value(d, len(current), int(reference.get("n") or 0))
    drifted = value >= limits.psi or (d >= limits.ks and p < limits.p_value)
    ref_mean = float(reference.get("mean", float(np.mean(q))))
    cur_mean = float(np.mean(current))
    std = float(reference.get("std") or 0.0)
    shift = f"{(cur_mean - ref_mean) / std:+.2f} std" if std > 0 else f"{cur_mean - ref_mean:+.3g}"
    return FeatureDrift(
        name=name,
        kind="number",
        rows=len(current),
        psi=value,
        ks_statistic=d,
        ks_p_value=p,
        chi2_statistic=None,
        chi2_p_value=None,
        drifted=drifted,
        reference_mean=ref_mean,
        current_mean=cur_mean,
        top_change="",
        detail=f"mean {ref_mean:.4g} → {cur_mean:.4g} ({shift})",
    )


def categorical_drift(
    name: str, reference: dict[str, Any], values: Sequence[Any], limits: Thresholds
) -> FeatureDrift:
    counts_ref: dict[str, int] = {
        str(k): int(v) for k, v in (reference.get("counts") or {}).items()
    }
    other_ref = int(reference.get("other") or 0)
    if not counts_ref or len(values) < MIN_ROWS:
        return _untested(name, "string", len(values), not counts_ref)
    categories = [*counts_ref, OTHER]
    index = {c: i for i, c in enumerate(categories)}
    observed = np.zeros(len(categories))
    # Counter hashes each value once (np.unique over an object array sorts 100,000 strings).
    for category, count in Counter(map(str, values)).items():
        observed[index.get(category, len(categories) - 1)] += count
    ref = np.array([*counts_ref.values(), other_ref], dtype=float)
    ref_props = ref / ref.sum()
    n = observed.sum()
    # chi² needs an expected count in every cell: the reference shares, floored, renormalised.
    expected_props = np.clip(ref_props, EPSILON, None)
    expected = expected_props / expected_props.sum() * n
    chi = stats.chisquare(observed, expected)
    cur_props = observed / n
    value = psi(ref_props, cur_props)
    moved = int(np.argmax(np.abs(cur_props - ref_props)))
    label = categories[moved] if categories[moved] != OTHER else "(other values)"
    detail = f"'{label}' {ref_props[moved]:.0%} → {cur_props[moved]:.0%}"
    drifted = value >= limits.psi or float(chi.pvalue) < limits.p_value
    return FeatureDrift(
        name=name,
        kind="string",
        rows=int(n),
        psi=value,
        ks_statistic=None,
        ks_p_value=None,
        chi2_statistic=float(chi.statistic),
        chi2_p_value=float(chi.pvalue),
        drifted=drifted,
        reference_mean=None,
        current_mean=None,
        top_change=label,
        detail=detail,
    )


def _untested(name: str, kind: str, rows: int, no_reference: bool) -> FeatureDrift:
    return FeatureDrift(
        name=name,
        kind=kind,
        rows=rows,
        psi=0.0,
        ks_statistic=None,
        ks_p_value=None,
        chi2_statistic=None,
        chi2_p_value=None,
        drifted=False,
        reference_mean=None,
        current_mean=None,
        top_change="",
        detail="no training reference"
        if no_reference
        else f"{rows} live values: at least {MIN_ROWS} are needed",
    )


def feature_drift(
    name: str, kind: str, reference: dict[str, Any] | None, column: list[Any], limits: Thresholds
) -> FeatureDrift:
    """One feature's drift; `kind` is the training type (number / integer / string)."""
    if kind == "string":
        return categorical_drift(name, reference or {}, column, limits)
    try:
        numbers = np.asarray(column, dtype=float)
    except (TypeError, ValueError):  # the log holds checked rows; skip anything else
        numbers = np.array([v for v in column if isinstance(v, int | float)], dtype=float)
    return numeric_drift(name, reference or {}, numbers, limits)


def finite(value: float | None) -> float:
    """A JSON/proto-safe number (NaN and infinities become 0)."""
    if value is None or not math.isfinite(value):
        return 0.0
    return float(value)
