"""A/B testing of a deployment (issue 16): a traffic split between 2-3 of its versions behind
the one endpoint, and the per-version metrics read back from the prediction log.

**Routing is deterministic per request id.** A request's id (the caller's `X-Request-Id`,
else one the gateway draws) is hashed with the deployment id (BLAKE2b, 64 bits) to a point
in [0, 1) and the arm whose cumulative share covers it answers. Why not a plain random draw:
with a stable id (a user's, a session's) the same caller always reaches the same version, so
one user never sees both models and a retried request gets the same answer; fresh ids are
uniform, so the observed shares converge to the set shares exactly like a random draw
would (tests/serving/test_ab.py measures both). A request without an id (a direct gRPC
caller) gets a random draw with the shares. The split is read into the model cache with the
models: no database read per request, ~1 µs for the hash (bench/README.md).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ascent.serving.v1 import serving_service_pb2 as pb
from sqlalchemy.orm import Session

from services.common.db import utcnow
from services.common.errors import AscentError
from services.serving.models import Deployment, ModelVersion
from services.serving.repository import ServingRepository

MIN_ARMS = 2
MAX_ARMS = 3
SHARE_TOLERANCE = 1e-6
WINDOW_DEFAULT = 5_000
WINDOW_MAX = 50_000
_SCALE = float(2**64)


@dataclass(frozen=True)
class Arm:
    version: int
    share: float


def route_point(deployment_id: str, request_id: str) -> float:
    """Where a request falls in [0, 1): a hash of its id (stable), else a random draw."""
    if not request_id:
        return random.random()
    digest = hashlib.blake2b(f"{deployment_id}\x00{request_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / _SCALE


def parse_split(text: str) -> tuple[Arm, ...]:
    if not text:
        return ()
    return tuple(Arm(int(a["version"]), float(a["share"])) for a in json.loads(text))


def dump_split(arms: Sequence[Arm]) -> str:
    return json.dumps([{"version": a.version, "share": a.share} for a in arms]) if arms else ""


def validate_split(
    arms: Sequence[tuple[int, float]], versions: dict[int, ModelVersion]
) -> tuple[Arm, ...]:
    """The arms as stored (shares renormalised to sum to exactly 1), or a clear 4xx."""
    if not arms:
        return ()
    if len(arms) < MIN_ARMS:
        raise AscentError(
            "invalid_argument",
            "A split needs 2 or 3 versions; clear it to serve the current version only.",
        )
    if len(arms) > MAX_ARMS:
        raise AscentError("invalid_argument", f"A split has at most {MAX_ARMS} versions.")
    seen: set[int] = set()
    for version, share in arms:
        if version in seen:
            raise AscentError("invalid_argument", f"v{version} is in the split twice.")
        seen.add(version)
        if version not in versions:
            raise AscentError("invalid_argument", f"v{version} is not a version of this model.")
        if not math.isfinite(share) or not 0 < share < 1:
            raise AscentError(
                "invalid_argument",
                f"The share of v{version} must be between 0 and 1 (got {share}).",
            )
    total = sum(share for _, share in arms)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise AscentError("invalid_argument", f"The shares sum to {total:.6g}, not 1.")
    first = arms[0][0]
    columns = versions[first].features_json
    for version, _ in arms[1:]:
        if json.loads(versions[version].features_json) != json.loads(columns):
            # One endpoint, one contract: callers cannot know which version they will reach.
            raise AscentError(
                "unprocessable",
                f"v{version} takes other columns than v{first}: versions behind one "
                "endpoint must take the same columns and types.",
            )
    return tuple(Arm(version, share / total) for version, share in arms)


def split_pb(deployment: Deployment) -> pb.Split:
    arms = parse_split(deployment.split_json or "")
    since = deployment.split_since
    return pb.Split(
        arms=[pb.SplitArm(version=a.version, share=a.share) for a in arms],
        since=since.isoformat() if arms and since is not None else "",
    )


def set_split(
    session: Session, owner_id: str, deployment_id: str, arms: Sequence[tuple[int, float]]
) -> pb.SetSplitResponse:
    repo = ServingRepository(session)
    deployment = repo.owned(owner_id, deployment_id)
    versions = {v.version: v for v in repo.versions(deployment.id)}
    checked = validate_split(arms, versions)
    deployment.split_json = dump_split(checked)
    deployment.split_since = utcnow() if checked else None
    session.flush()
    return pb.SetSplitResponse(
        split=split_pb(deployment), current_version=deployment.current_version
    )


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def _metrics(
    version: int,
    rows: list[tuple[str, float, str]],
    classifier: bool,
    share: float,
    current: bool,
) -> pb.VersionMetrics:
    statuses = Counter(status for status, _, _ in rows)
    latencies = [latency for status, latency, _ in rows if status == "ok"]
    predicted: list[Any] = []
    for status, _, text in rows:
        if status == "ok" and text:
            try:
                predicted.extend(json.loads(text))
            except ValueError:
                continue
    out = pb.VersionMetrics(
        version=version,
        requests=len(rows),
        ok=statuses["ok"],
        rate_limited=statuses["rate_limited"],
        errors=len(rows) - statuses["ok"] - statuses["rate_limited"],
        p50_ms=_percentile(latencies, 50),
        p95_ms=_percentile(latencies, 95),
        predictions=len(predicted),
        share=share,
        current=current,
    )
    if classifier:
        counts = Counter(str(p) for p in predicted)
        out.labels.extend(
            pb.LabelShare(label=label, count=n, share=n / len(predicted))
            for label, n in counts.most_common()
        )
    else:
        numbers = np.asarray([p for p in predicted if isinstance(p, int | float)], dtype=float)
        out.numeric = True
        if numbers.size:
            out.mean = float(numbers.mean())
            out.std = float(numbers.std())
    return out


def version_metrics(
    session: Session, owner_id: str, deployment_id: str, window: int
) -> pb.GetVersionMetricsResponse:
    """Side by side, per version: the deployment's newest `window` logged requests."""
    window = window or WINDOW_DEFAULT
    if not 1 <= window <= WINDOW_MAX:
        raise AscentError("invalid_argument", f"The window is 1 to {WINDOW_MAX:,} requests.")
    repo = ServingRepository(session)
    deployment = repo.owned(owner_id, deployment_id)
    versions = {v.version: v for v in repo.versions(deployment.id)}
    shares = {a.version: a.share for a in parse_split(deployment.split_json or "")}
    by_version: dict[int, list[tuple[str, float, str]]] = {}
    for version, status, latency, predictions in repo.recent_requests(deployment.id, window):
        by_version.setdefault(version, []).append((status, latency, predictions))
    shown = sorted({deployment.current_version, *shares, *by_version} & set(versions))
    return pb.GetVersionMetricsResponse(
        versions=[
            _metrics(
                v,
                by_version.get(v, []),
                bool(json.loads(versions[v].classes_json or "[]")),
                shares.get(v, 0.0),
                v == deployment.current_version,
            )
            for v in shown
        ],
        window_requests=window,
        split=split_pb(deployment),
        current_version=deployment.current_version,
    )
