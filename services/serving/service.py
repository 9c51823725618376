"""Serving logic: storing deployments and versions, API keys, the loaded-model cache, the
predict path (key → rate limit → checks → onnxruntime → log) and the prediction log.

No transport here: the servicer and the deploy flow call it; the units of work are theirs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ascent.events.v1 import serving_pb2 as events_pb
from ascent.serving.v1 import serving_service_pb2 as pb
from sqlalchemy.orm import Session

from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.ml.model_export import ExportedModel, Feature
from services.common.ml.scoring import ranking_score_of
from services.common.outbox import enqueue
from services.serving import abtest, codegen, judging
from services.serving.limits import RateLimiter
from services.serving.loader import LoadedModel, load_model, predict_with_probabilities
from services.serving.models import Deployment, ModelVersion, Prediction
from services.serving.repository import ServingRepository
from services.serving.validation import check_rows, parse_body

PRODUCER = "serving"
# Where a deployed version's score comes from (DeploymentCreated.score_source).
SCORE_PLATFORM = "platform"
SCORE_REPORTED = "reported"
JUDGEMENT_KEY = "judgement"
KEY_PREFIX = "asc_"
WRONG_KEY = "Unknown model or wrong API key."


@dataclass(frozen=True)
class RunInfo:
    """What the deployment's lineage keeps of the run it came from."""

    run_id: str
    owner_id: str
    session_id: str
    name: str
    app_slug: str
    challenge_slug: str
    dataset_sha256: str
    metrics: dict[str, Any]
    challenge_version: int = 0


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_digest(key: str) -> str:
    # The key is 256 random bits: a plain SHA-256 cannot be brute-forced, and a slow
    # password hash would cost every predict request milliseconds.
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def features_of(row: ModelVersion) -> tuple[Feature, ...]:
    return tuple(Feature(name=f["name"], type=f["type"]) for f in json.loads(row.features_json))


# -- deploying ------------------------------------------------------------------------------


def store_version(
    session: Session,
    owner_id: str,
    deployment_id: str,
    name: str,
    run: RunInfo,
    exported: ExportedModel,
    benchmark: dict[str, Any],
    judgement: dict[str, Any] | None = None,
) -> tuple[Deployment, ModelVersion, str]:
    """A new deployment (v1, with its API key, returned in clear only here) or the next
    version of one of the owner's deployments, which becomes its current one. `judgement`:
    the platform's score of the version on its challenge (`judging.judge`), kept beside the
    speed figures in `benchmark_json` — both are the platform's measurements of the version."""
    repo = ServingRepository(session)
    key = ""
    now = utcnow()
    if deployment_id:
        deployment = repo.deployment_for_update(deployment_id)
        if deployment is None or deployment.owner_id != owner_id:
            raise AscentError("not_found", "Deployment not found.")
        number = repo.latest_version_number(deployment.id) + 1
        # The new version answers at once, as a deploy promises: an A/B split ends with it.
        deployment.split_json = ""
        deployment.split_since = None
    else:
        key = new_api_key()
        deployment = Deployment(
            id=uuid.uuid4().hex,
            owner_id=owner_id,
            name=(name.strip() or run.name or "model")[:200],
            key_sha256=key_digest(key),
            key_prefix=key[:10],
            current_version=1,
            created_at=now,
        )
        repo.add(deployment)
        number = 1
    version = ModelVersion(
        deployment_id=deployment.id,
        version=number,
        run_id=run.run_id,
        session_id=run.session_id,
        run_name=run.name[:300],
        app_slug=run.app_slug,
        challenge_slug=run.challenge_slug,
        dataset_sha256=run.dataset_sha256,
        model_type=exported.model_type,
        model_variable=exported.model_variable,
        input_mode=exported.input_mode,
        features_json=json.dumps([{"name": f.name, "type": f.type} for f in exported.features]),
        classes_json=json.dumps(list(exported.classes)),
        metrics_json=json.dumps(run.metrics),
        agreement=exported.agreement,
        checked_rows=exported.checked_rows,
        onnx=exported.onnx,
        onnx_sha256=exported.sha256,
        benchmark_json=json.dumps(benchmark | ({JUDGEMENT_KEY: judgement} if judgement else {})),
        reference_json=json.dumps(exported.details.get("reference") or {}),
        created_at=now,
    )
    repo.add(version)
    deployment.current_version = number
    metric, score, source, passed = deployed_score(run, judgement)
    enqueue(
        session,
        PRODUCER,
        events.SERVING_DEPLOYMENT_CREATED,
        events_pb.DeploymentCreated(
            deployment_id=deployment.id,
            owner_id=owner_id,
            version=number,
            run_id=run.run_id,
            dataset_sha256=run.dataset_sha256,
            model_type=exported.model_type,
            app_slug=run.app_slug,
            challenge_slug=run.challenge_slug,
            p50_ms=float(benchmark.get("p50_ms", 0.0)),
            metric=metric,
            score=score,
            score_source=source,
            passed=passed,
            challenge_version=int((judgement or {}).get("challenge_version", 0)),
        ),
    )
    return deployment, version, key


def deployed_score(run: RunInfo, judgement: dict[str, Any] | None) -> tuple[str, float, str, bool]:
    """(metric, score, source, passed) of a deployed version for its event: the platform's
    judgement when there is one, else the run's reported ranking metric (learner-printed)."""
    if judgement and judgement.get("status") == judging.JUDGED:
        return (
            str(judgement["metric"]),
            float(judgement["score"]),
            SCORE_PLATFORM,
            bool(judgement["passed"]),
        )
    reported = ranking_score_of(run.metrics)
    if reported is None:
        return "", 0.0, "", False
    return reported.metric, reported.value, SCORE_REPORTED, False


# -- reading ---------------------------------------------------------------------------------


def version_pb(row: ModelVersion) -> pb.ModelVersion:
    bench = json.loads(row.benchmark_json or "{}")
    judged = bench.pop(JUDGEMENT_KEY, None) or {}
    return pb.ModelVersion(
        version=row.version,
        run_id=row.run_id,
        session_id=row.session_id,
        run_name=row.run_name,
        app_slug=row.app_slug,
        challenge_slug=row.challenge_slug,
        dataset_sha256=row.dataset_sha256,
        model_type=row.model_type,
        model_variable=row.model_variable,
        input_mode=row.input_mode,
        features=[pb.Feature(name=f.name, type=f.type) for f in features_of(row)],
        classes=json.loads(row.classes_json or "[]"),
        metrics_json=row.metrics_json,
        agreement=row.agreement,
        checked_rows=row.checked_rows,
        onnx_sha256=row.onnx_sha256,
        onnx_bytes=len(row.onnx),
        benchmark=pb.Benchmark(**bench),
        created_at=row.created_at.isoformat(),
        judgement=pb.Judgement(**judged),
    )


def _owned(repo: ServingRepository, owner_id: str, deployment_id: str) -> Deployment:
    return repo.owned(owner_id, deployment_id)


def _deployment_pb(
    deployment: Deployment, versions: list[ModelVersion], logged: int
) -> pb.Deployment:
    return pb.Deployment(
        id=deployment.id,
        owner_id=deployment.owner_id,
        name=deployment.name,
        current_version=deployment.current_version,
        key_prefix=deployment.key_prefix,
        created_at=deployment.created_at.isoformat(),
        versions=[version_pb(v) for v in versions],
        predictions_logged=logged,
        split=abtest.split_pb(deployment),
    )


def list_deployments(session: Session, owner_id: str) -> pb.ListDeploymentsResponse:
    repo = ServingRepository(session)
    found = []
    for deployment in repo.deployments_of(owner_id):
        current = repo.version(deployment.id, deployment.current_version)
        found.append(_deployment_pb(deployment, [current] if current else [], 0))
    return pb.ListDeploymentsResponse(deployments=found)


def get_deployment(
    session: Session, owner_id: str, deployment_id: str, base_url: str
) -> pb.Deployment:
    repo = ServingRepository(session)
    deployment = _owned(repo, owner_id, deployment_id)
    versions = repo.versions(deployment.id)
    message = _deployment_pb(deployment, versions, repo.predictions_logged(deployment.id))
    current = next((v for v in versions if v.version == deployment.current_version), None)
    if current is not None:
        features = features_of(current)
        base = base_url.rstrip("/") or "http://127.0.0.1:8000"
        message.code.CopyFrom(
            pb.ClientCode(
                curl=codegen.curl(base, deployment.id, features),
                python=codegen.python(base, deployment.id, features),
                fastapi=codegen.fastapi_app(features, current.input_mode, current.version),
            )
        )
    return message


def model_file(
    session: Session, owner_id: str, deployment_id: str, version: int
) -> pb.GetModelFileResponse:
    repo = ServingRepository(session)
    deployment = _owned(repo, owner_id, deployment_id)
    row = repo.version(deployment.id, version or deployment.current_version)
    if row is None:
        raise AscentError("not_found", "Version not found.")
    return pb.GetModelFileResponse(onnx=row.onnx, version=row.version, sha256=row.onnx_sha256)


# -- serving ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedArm:
    """One version that answers: under a split, the requests whose route point is below
    `upper` (the cumulative share) and above the previous arm's."""

    version: int
    model: LoadedModel
    classes: tuple[str, ...]
    upper: float = 1.0


@dataclass(frozen=True)
class Served:
    deployment_id: str
    owner_id: str
    key_sha256: str
    version: int
    model: LoadedModel
    classes: tuple[str, ...]
    # The A/B split, loaded with the models (empty: the current version answers all).
    split: tuple[ServedArm, ...] = ()
    current: ServedArm = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "current", ServedArm(self.version, self.model, self.classes))

    def route(self, request_id: str) -> ServedArm:
        if not self.split:
            return self.current
        point = abtest.route_point(self.deployment_id, request_id)
        for arm in self.split:
            if point < arm.upper:
                return arm
        return self.split[-1]


def load_served(session: Session, deployment_id: str) -> Served | None:
    """The current version of a deployment, loaded (every stored model passed the loader at
    deploy time, so this only fails if the database was tampered with)."""
    repo = ServingRepository(session)
    deployment = repo.deployment(deployment_id)
    if deployment is None:
        return None
    row = repo.version(deployment.id, deployment.current_version)
    if row is None:
        return None
    model = load_model(row.onnx, features_of(row), row.input_mode)
    classes = tuple(json.loads(row.classes_json or "[]"))
    split: list[ServedArm] = []
    upper = 0.0
    for arm in abtest.parse_split(deployment.split_json or ""):
        if arm.version == row.version:
            split.append(ServedArm(row.version, model, classes, upper + arm.share))
        else:
            other = repo.version(deployment.id, arm.version)
            if other is None:  # versions are never deleted; a tampered split is ignored
                split = []
                break
            split.append(
                ServedArm(
                    other.version,
                    load_model(other.onnx, features_of(other), other.input_mode),
                    tuple(json.loads(other.classes_json or "[]")),
                    upper + arm.share,
                )
            )
        upper += arm.share
    return Served(
        deployment_id=deployment.id,
        owner_id=deployment.owner_id,
        key_sha256=deployment.key_sha256,
        version=row.version,
        model=model,
        classes=classes,
        split=tuple(split),
    )


class ModelCache:
    """Loaded models by deployment, least recently used out first. Models are read from the
    database on first use, so a restarted process serves every deployment it had."""

    def __init__(self, load: Callable[[str], Served | None], size: int) -> None:
        self._load = load
        self._size = size
        self._models: OrderedDict[str, Served] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, deployment_id: str) -> Served | None:
        with self._lock:
            served = self._models.get(deployment_id)
            if served is not None:
                self._models.move_to_end(deployment_id)
                return served
        served = self._load(deployment_id)
        if served is not None:
            with self._lock:
                self._models[deployment_id] = served
                while len(self._models) > self._size:
                    self._models.popitem(last=False)
        return served

    def peek(self, deployment_id: str) -> bool:
        with self._lock:
            return deployment_id in self._models

    def invalidate(self, deployment_id: str) -> None:
        with self._lock:
            self._models.pop(deployment_id, None)


@dataclass
class LogEntry:
    deployment_id: str
    version: int
    created_at: datetime
    status: str
    rows: int
    latency_ms: float
    columns: list[str] = field(default_factory=list)
    values: list[list[Any]] = field(default_factory=list)
    predictions: list[Any] = field(default_factory=list)
    request_id: str | None = None


def prediction_ids(request_id: str, rows: int) -> list[str]:
    """The ids of a request's logged rows, as feedback names them."""
    return [f"{request_id}-{i}" for i in range(rows)]


class PredictionLog:
    """Requests waiting to be written, in memory and bounded: a full queue drops log entries
    (counted in `dropped`), never slows or fails a prediction."""

    def __init__(self, max_queue: int) -> None:
        self.max_queue = max_queue
        self.dropped = 0
        self._entries: deque[LogEntry] = deque()
        self._lock = threading.Lock()

    def record(self, entry: LogEntry) -> None:
        with self._lock:
            if len(self._entries) >= self.max_queue:
                self.dropped += 1
                return
            self._entries.append(entry)

    def drain(self) -> list[LogEntry]:
        with self._lock:
            entries = list(self._entries)
            self._entries.clear()
        return entries


def write_log(
    session: Session,
    entries: list[LogEntry],
    served: set[tuple[str, int]],
    max_per_deployment: int,
    retention: timedelta,
    prune_age: bool,
) -> list[tuple[str, int]]:
    """Writes drained entries, emits serving.model.served.v1 for versions serving their first
    successful prediction, prunes; returns the versions newly marked served."""
    repo = ServingRepository(session)
    repo.add_predictions(
        [
            Prediction(
                deployment_id=e.deployment_id,
                version=e.version,
                created_at=e.created_at,
                status=e.status,
                rows=e.rows,
                latency_ms=e.latency_ms,
                features_json=json.dumps({"columns": e.columns, "values": e.values})
                if e.values
                else "",
                predictions_json=json.dumps(e.predictions) if e.predictions else "",
                request_id=e.request_id,
            )
            for e in entries
        ]
    )
    newly: list[tuple[str, int]] = []
    owners = {e.deployment_id: e for e in entries}
    for key in sorted({(e.deployment_id, e.version) for e in entries if e.status == "ok"}):
        if key in served:
            continue
        deployment = repo.deployment(key[0])
        if deployment is not None and repo.mark_served(key[0], key[1], utcnow()):
            enqueue(
                session,
                PRODUCER,
                events.SERVING_MODEL_SERVED,
                events_pb.ModelServed(
                    deployment_id=key[0], owner_id=deployment.owner_id, version=key[1]
                ),
            )
        newly.append(key)
    session.flush()
    for deployment_id in owners:
        repo.prune_beyond(deployment_id, max_per_deployment)
    if prune_age:
        repo.prune_older_than(utcnow() - retention)
    return newly


@dataclass(frozen=True)
class PredictOutcome:
    version: int
    predictions: list[Any]
    probabilities: list[list[float]] | None
    classes: tuple[str, ...]
    latency_ms: float
    retry_after: float = 0.0
    prediction_ids: list[str] = field(default_factory=list)


class Predictor:
    """The predict path. Synchronous and thread-safe (onnxruntime sessions are)."""

    def __init__(
        self,
        cache: ModelCache,
        limiter: RateLimiter,
        log: PredictionLog,
        max_rows: int,
        max_body_bytes: int,
        log_rows: int,
    ) -> None:
        self.cache = cache
        self.limiter = limiter
        self.log = log
        self.max_rows = max_rows
        self.max_body_bytes = max_body_bytes
        self.log_rows = log_rows

    def predict(
        self, deployment_id: str, api_key: str, body: bytes, request_id: str = ""
    ) -> PredictOutcome:
        started = time.perf_counter()
        served = self.cache.get(deployment_id) if deployment_id else None
        # Same answer for an unknown model and a wrong key: a key is the only way in.
        if served is None or not hmac.compare_digest(key_digest(api_key), served.key_sha256):
            raise AscentError("unauthenticated", WRONG_KEY)
        return self._serve(served, body, request_id, started, log_limited=True)

    def predict_as_owner(self, deployment_id: str, body: bytes, request_id: str) -> PredictOutcome:
        """The traffic simulator's request: the same path (routing, rate limit, checks,
        onnxruntime, log) without the key, which the platform never holds in clear. A
        request over the limit is not logged: the simulator waits and sends it again."""
        served = self.cache.get(deployment_id)
        if served is None:
            raise AscentError("not_found", "Deployment not found.")
        return self._serve(served, body, request_id, time.perf_counter(), log_limited=False)

    def _serve(
        self, served: Served, body: bytes, request_id: str, started: float, log_limited: bool
    ) -> PredictOutcome:
        arm = served.route(request_id)
        wait = self.limiter.take(served.deployment_id)
        if wait > 0:
            if log_limited:
                self._record(served, arm, started, "rate_limited", 0)
            return PredictOutcome(arm.version, [], None, arm.classes, 0.0, wait)
        try:
            checked = check_rows(
                parse_body(body, self.max_body_bytes), arm.model.features, self.max_rows
            )
            try:
                labels, probabilities = predict_with_probabilities(arm.model, checked.values)
            except Exception as exc:  # onnxruntime's own errors: the rows do not fit it
                raise AscentError(
                    "unprocessable", f"The model cannot predict these rows ({str(exc)[:200]})."
                ) from None
        except AscentError as err:
            self._record(served, arm, started, err.code, 0)
            raise
        latency = (time.perf_counter() - started) * 1000
        kept = checked.values[: self.log_rows]
        # The log's own id (prediction ids for feedback): unique, unlike the caller's
        # X-Request-Id, which only routes the request under a split.
        log_id = uuid.uuid4().hex
        self.log.record(
            LogEntry(
                deployment_id=served.deployment_id,
                version=arm.version,
                created_at=utcnow(),
                status="ok",
                rows=checked.count,
                latency_ms=latency,
                columns=[f.name for f in arm.model.features],
                values=kept,
                predictions=labels[: len(kept)],
                request_id=log_id,
            )
        )
        return PredictOutcome(
            arm.version,
            labels,
            probabilities,
            arm.classes,
            latency,
            prediction_ids=prediction_ids(log_id, len(kept)),
        )

    def _record(
        self, served: Served, arm: ServedArm, started: float, status: str, rows: int
    ) -> None:
        self.log.record(
            LogEntry(
                deployment_id=served.deployment_id,
                version=arm.version,
                created_at=utcnow(),
                status=status,
                rows=rows,
                latency_ms=(time.perf_counter() - started) * 1000,
            )
        )
