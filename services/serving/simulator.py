"""The traffic simulator (issue 16, monitor): realistic requests with a drift the learner
chooses, so they see drift happen on the deployment page and react.

Rows are drawn from the current version's **training reference** (`reference_json`, the
per-feature summary computed in the sandbox at deploy time), so no learner data or code is
needed: a number by inverse-CDF sampling of its 101 training percentiles (linear between
them, the CDF the drift report tests against; integers rounded), a category with its
training share among the kept (top-50) categories. Features are drawn independently — the
reference holds marginals only — which is what the drift report tests, feature by feature.

Drifts: `none`; `shift` (a number + amount × its training std); `scale` (its spread around
the training mean × amount); `swap` (two categories exchange their shares). Labels are not
touched (concept drift comes with feedback).

The requests go through the real predict path (`Predictor.predict_as_owner`: routing under
an A/B split, the key's rate limit, the checks, onnxruntime, the prediction log), so they
are logged and the drift report and the A/B metrics see them. Bounded: at most
`MAX_REQUESTS` requests of at most `MAX_ROWS` rows, one simulation per deployment at a time,
paced by the key's own token bucket (a request over the limit waits for its token, within a
time budget) — the learner's traffic is the only one it can slow down.
"""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from ascent.serving.v1 import serving_service_pb2 as pb
from numpy.typing import NDArray

from services.common.errors import AscentError
from services.common.ml.model_export import Feature

MAX_REQUESTS = 2_000
MAX_ROWS = 100
KINDS = ("none", "shift", "scale", "swap")
MAX_SHIFT = 10.0  # in training stds
MAX_SCALE = 10.0
INT64 = 2**63 - 1


@dataclass(frozen=True)
class DriftSpec:
    kind: str = "none"
    feature: str = ""
    amount: float = 0.0
    category_a: str = ""
    category_b: str = ""


def check_drift(
    spec: DriftSpec, features: tuple[Feature, ...], reference: dict[str, Any]
) -> DriftSpec:
    """The drift as it will be applied (the default categories of a swap resolved), or a 400
    saying what is wrong."""
    kind = spec.kind or "none"
    if kind not in KINDS:
        raise AscentError("invalid_argument", f"The drift is one of {', '.join(KINDS)}.")
    if kind == "none":
        return DriftSpec()
    types = {f.name: f.type for f in features}
    if spec.feature not in types:
        raise AscentError("invalid_argument", f"'{spec.feature}' is not a column of this model.")
    numeric = types[spec.feature] != "string"
    if kind in ("shift", "scale"):
        if not numeric:
            raise AscentError(
                "invalid_argument", f"'{spec.feature}' is a category: shift or scale a number."
            )
        if not math.isfinite(spec.amount):
            raise AscentError("invalid_argument", "The amount must be a finite number.")
        if kind == "shift" and abs(spec.amount) > MAX_SHIFT:
            raise AscentError("invalid_argument", f"A shift is at most ±{MAX_SHIFT:g} std.")
        if kind == "scale" and not 0 < spec.amount <= MAX_SCALE:
            raise AscentError("invalid_argument", f"A scale is in (0, {MAX_SCALE:g}].")
        return DriftSpec(kind, spec.feature, spec.amount)
    if numeric:
        raise AscentError("invalid_argument", f"'{spec.feature}' is a number: swap a category's.")
    counts: dict[str, int] = reference[spec.feature]["counts"]
    if len(counts) < 2:
        raise AscentError("invalid_argument", f"'{spec.feature}' has one training category.")
    ordered = sorted(counts, key=lambda c: -counts[c])
    a = spec.category_a or ordered[0]
    b = spec.category_b or (ordered[-1] if ordered[-1] != a else ordered[0])
    for category in (a, b):
        if category not in counts:
            raise AscentError(
                "invalid_argument", f"'{category}' is not a training category of '{spec.feature}'."
            )
    if a == b:
        raise AscentError("invalid_argument", "Swap two different categories.")
    return DriftSpec("swap", spec.feature, 0.0, a, b)


def describe(spec: DriftSpec, reference: dict[str, Any]) -> str:
    if spec.kind == "shift":
        std = float(reference[spec.feature].get("std") or 0.0)
        return f"{spec.feature} shifted by {spec.amount:+g} training std ({spec.amount * std:+.4g})"
    if spec.kind == "scale":
        return f"{spec.feature}'s spread around its training mean × {spec.amount:g}"
    if spec.kind == "swap":
        return f"{spec.feature}: '{spec.category_a}' and '{spec.category_b}' swap their shares"
    return "no drift: rows like the training rows"


class RowSampler:
    """Rows like the training rows of one version (its reference), with one drift."""

    def __init__(
        self,
        features: tuple[Feature, ...],
        reference: dict[str, Any],
        spec: DriftSpec,
        rng: np.random.Generator,
    ) -> None:
        missing = [f.name for f in features if f.name not in reference]
        if missing:
            raise AscentError(
                "unprocessable",
                f"No training reference for '{missing[0]}': deploy the run again to simulate "
                "traffic for it.",
            )
        self.features = features
        self.reference = reference
        self.spec = spec
        self.rng = rng

    def _numbers(self, feature: Feature, n: int) -> NDArray[np.float64]:
        ref = self.reference[feature.name]
        quantiles = np.asarray(ref["quantiles"], dtype=float)
        probabilities = np.linspace(0.0, 1.0, len(quantiles))
        values: NDArray[np.float64] = np.interp(self.rng.random(n), probabilities, quantiles)
        if self.spec.feature == feature.name:
            if self.spec.kind == "shift":
                values = values + self.spec.amount * float(ref.get("std") or 0.0)
            elif self.spec.kind == "scale":
                mean = float(ref.get("mean") or 0.0)
                values = mean + (values - mean) * self.spec.amount
        return values

    def _categories(self, feature: Feature, n: int) -> NDArray[Any]:
        counts: dict[str, int] = self.reference[feature.name]["counts"]
        labels = list(counts)
        shares = np.asarray([counts[c] for c in labels], dtype=float)
        if self.spec.kind == "swap" and self.spec.feature == feature.name:
            i, j = labels.index(self.spec.category_a), labels.index(self.spec.category_b)
            shares[i], shares[j] = shares[j], shares[i]
        # The "other" training values are not known by name: the kept categories share it.
        return self.rng.choice(np.asarray(labels, dtype=object), size=n, p=shares / shares.sum())

    def columns(self, n: int) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for feature in self.features:
            if feature.type == "string":
                out[feature.name] = [str(v) for v in self._categories(feature, n)]
            elif feature.type == "integer":
                ints = np.clip(np.rint(self._numbers(feature, n)), -INT64, INT64)
                out[feature.name] = [int(v) for v in ints]
            else:
                out[feature.name] = [float(v) for v in self._numbers(feature, n)]
        return out

    def rows(self, n: int) -> list[dict[str, Any]]:
        columns = self.columns(n)
        names = [f.name for f in self.features]
        return [{name: columns[name][i] for name in names} for i in range(n)]


@dataclass
class Tally:
    sent: int = 0
    ok: int = 0
    errors: int = 0
    waited: int = 0
    rows: int = 0
    first_error: str = ""


PredictCall = Callable[[bytes, str], Any]  # (body, request_id) -> PredictOutcome


def send(
    sampler: RowSampler,
    requests: int,
    rows_per_request: int,
    predict: PredictCall,
    budget_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Tally, Counter[int], bool, float]:
    """Sends the requests one by one (a fresh request id each, so an A/B split routes them
    by its shares); returns the tally, the requests per answering version, whether the
    budget ran out, and the seconds taken."""
    started = time.monotonic()
    deadline = started + budget_seconds
    tally = Tally()
    answered: Counter[int] = Counter()
    truncated = False
    for _ in range(requests):
        body = json.dumps({"rows": sampler.rows(rows_per_request)}).encode()
        request_id = uuid.uuid4().hex
        while True:
            try:
                outcome = predict(body, request_id)
            except AscentError as err:
                tally.sent += 1
                tally.errors += 1
                tally.first_error = tally.first_error or err.message
                break
            if outcome.retry_after <= 0:
                tally.sent += 1
                tally.ok += 1
                tally.rows += rows_per_request
                answered[outcome.version] += 1
                break
            if time.monotonic() + outcome.retry_after > deadline:
                truncated = True
                break
            tally.waited += 1
            sleep(outcome.retry_after)
        if truncated:
            break
    return tally, answered, truncated, time.monotonic() - started


class Simulations:
    """One simulation per deployment at a time (in this process)."""

    def __init__(self) -> None:
        self._running: set[str] = set()
        self._lock = threading.Lock()

    def start(self, deployment_id: str) -> None:
        with self._lock:
            if deployment_id in self._running:
                raise AscentError(
                    "conflict", "A simulation of this deployment is running; wait for it."
                )
            self._running.add(deployment_id)

    def end(self, deployment_id: str) -> None:
        with self._lock:
            self._running.discard(deployment_id)


def check_request(request: pb.SimulateTrafficRequest) -> tuple[int, int, int]:
    requests = request.requests
    rows = request.rows_per_request or 1
    if not 1 <= requests <= MAX_REQUESTS:
        raise AscentError("invalid_argument", f"Send 1 to {MAX_REQUESTS:,} requests.")
    if not 1 <= rows <= MAX_ROWS:
        raise AscentError("invalid_argument", f"A request holds 1 to {MAX_ROWS} rows.")
    seed = request.seed or secrets.randbelow(2**31)
    return requests, rows, seed
