"""Response shapes (and template contexts) of the Deployment Assistant and the predict API."""

from __future__ import annotations

import json
from typing import Any

from ascent.serving.v1 import serving_service_pb2 as pb
from pydantic import Field

from gateway.views import View


class FeatureView(View):
    name: str
    type: str


class BenchmarkView(View):
    p50Ms: float
    p95Ms: float
    throughputPerS: float
    requests: int
    batchRowsPerS: float
    batchRows: int


class JudgementView(View):
    """The platform's score of a version deployed from a challenge's run (issue 16)."""

    status: str
    message: str
    challengeSlug: str
    metric: str
    score: float
    passThreshold: float
    passed: bool
    rows: int


class VersionView(View):
    version: int
    runId: str
    sessionId: str
    runName: str
    appSlug: str
    challengeSlug: str
    datasetSha256: str
    modelType: str
    modelVariable: str
    inputMode: str
    features: list[FeatureView]
    classes: list[str]
    metrics: dict[str, Any]
    agreement: float
    checkedRows: int
    onnxSha256: str
    onnxBytes: int
    benchmark: BenchmarkView
    createdAt: str
    judgement: JudgementView | None = None

    @classmethod
    def of(cls, v: pb.ModelVersion) -> VersionView:
        b = v.benchmark
        return cls(
            version=v.version,
            runId=v.run_id,
            sessionId=v.session_id,
            runName=v.run_name,
            appSlug=v.app_slug,
            challengeSlug=v.challenge_slug,
            datasetSha256=v.dataset_sha256,
            modelType=v.model_type,
            modelVariable=v.model_variable,
            inputMode=v.input_mode,
            features=[FeatureView(name=f.name, type=f.type) for f in v.features],
            classes=list(v.classes),
            metrics=json.loads(v.metrics_json or "{}"),
            agreement=v.agreement,
            checkedRows=v.checked_rows,
            onnxSha256=v.onnx_sha256,
            onnxBytes=v.onnx_bytes,
            benchmark=BenchmarkView(
                p50Ms=b.p50_ms,
                p95Ms=b.p95_ms,
                throughputPerS=b.throughput_per_s,
                requests=b.requests,
                batchRowsPerS=b.batch_rows_per_s,
                batchRows=b.batch_rows,
            ),
            createdAt=v.created_at,
            judgement=JudgementView(
                status=j.status,
                message=j.message,
                challengeSlug=j.challenge_slug,
                metric=j.metric,
                score=j.score,
                passThreshold=j.pass_threshold,
                passed=j.passed,
                rows=j.rows,
            )
            if (j := v.judgement).status
            else None,
        )


class ClientCodeView(View):
    curl: str
    python: str
    fastapi: str


class DeploymentView(View):
    id: str
    name: str
    currentVersion: int
    keyPrefix: str
    createdAt: str
    predictUrl: str
    versions: list[VersionView]
    code: ClientCodeView | None
    predictionsLogged: int
    # The A/B traffic split (no versions: the current one answers everything).
    split: SplitView

    @classmethod
    def of(cls, d: pb.Deployment) -> DeploymentView:
        code = d.code if d.HasField("code") else None
        return cls(
            id=d.id,
            name=d.name,
            currentVersion=d.current_version,
            keyPrefix=d.key_prefix,
            createdAt=d.created_at,
            predictUrl=f"/api/models/{d.id}/predict",
            versions=[VersionView.of(v) for v in d.versions],
            code=ClientCodeView(curl=code.curl, python=code.python, fastapi=code.fastapi)
            if code is not None
            else None,
            predictionsLogged=d.predictions_logged,
            split=SplitView.of(d.split, d.current_version),
        )


class DeployBody(View):
    runId: str = Field(min_length=1, max_length=64)
    # Empty: a new deployment; else one of yours gets the next version.
    deploymentId: str = Field(default="", max_length=64)
    name: str = Field(default="", max_length=200)


class DeployedView(View):
    deployment: DeploymentView
    version: VersionView
    # Only when a deployment is created: shown once, stored hashed.
    apiKey: str


class PredictionView(View):
    # The version that answered (under an A/B split, the one this request was routed to).
    version: int
    predictions: list[Any]
    probabilities: list[list[float]] | None
    classes: list[str]
    latencyMs: float
    # One per row the prediction log keeps (the first 100 of a request): send a row's true
    # label back with it (POST /api/models/{id}/feedback).
    predictionIds: list[str]


class RunChoice(View):
    id: str
    name: str
    sessionId: str
    appSlug: str
    challengeSlug: str
    modelType: str
    createdAt: str


# -- monitor (issue 16, drift) --


class FeatureDriftView(View):
    name: str
    kind: str
    rows: int
    psi: float
    ksStatistic: float | None
    ksPValue: float | None
    chi2Statistic: float | None
    chi2PValue: float | None
    drifted: bool
    detail: str
    # When the feature first crossed its threshold for this version ("" = never).
    driftingSince: str

    @classmethod
    def of(cls, f: pb.FeatureDrift) -> FeatureDriftView:
        return cls(
            name=f.name,
            kind=f.kind,
            rows=f.rows,
            psi=f.psi,
            ksStatistic=f.ks_statistic if f.has_ks else None,
            ksPValue=f.ks_p_value if f.has_ks else None,
            chi2Statistic=f.chi2_statistic if f.has_chi2 else None,
            chi2PValue=f.chi2_p_value if f.has_chi2 else None,
            drifted=f.drifted,
            detail=f.detail,
            driftingSince=f.drifting_since,
        )


class DriftView(View):
    version: int
    rows: int
    requests: int
    windowStart: str
    windowEnd: str
    hasReference: bool
    drifted: list[str]
    features: list[FeatureDriftView]
    psiThreshold: float
    ksThreshold: float
    pThreshold: float

    @classmethod
    def of(cls, r: pb.GetDriftReportResponse) -> DriftView:
        return cls(
            version=r.version,
            rows=r.rows,
            requests=r.requests,
            windowStart=r.window_start,
            windowEnd=r.window_end,
            hasReference=r.has_reference,
            drifted=[f.name for f in r.features if f.drifted],
            features=[FeatureDriftView.of(f) for f in r.features],
            psiThreshold=r.psi_threshold,
            ksThreshold=r.ks_threshold,
            pThreshold=r.p_threshold,
        )


# -- monitor (issue 16, concept drift) --


class FeedbackView(View):
    # Labels stored for predictions not labelled before / that replaced an earlier label.
    accepted: int
    updated: int


class PerformancePointView(View):
    labels: int
    score: float
    at: str


class PerformanceView(View):
    version: int
    metric: str
    trainingScore: float | None
    labels: int
    windowLabels: int
    currentScore: float | None
    currentLabels: int
    thresholdScore: float | None
    conceptDrift: bool
    detectedAt: str
    points: list[PerformancePointView]
    maxAccuracyDrop: float
    maxRmseIncrease: float

    @classmethod
    def of(cls, r: pb.GetPerformanceResponse) -> PerformanceView:
        return cls(
            version=r.version,
            metric=r.metric,
            trainingScore=r.training_score if r.has_training_score else None,
            labels=r.labels,
            windowLabels=r.window_labels,
            currentScore=r.current_score if r.has_current else None,
            currentLabels=r.current_labels,
            thresholdScore=r.threshold_score if r.has_training_score else None,
            conceptDrift=r.concept_drift,
            detectedAt=r.detected_at,
            points=[
                PerformancePointView(labels=p.labels, score=p.score, at=p.at) for p in r.points
            ],
            maxAccuracyDrop=r.max_accuracy_drop,
            maxRmseIncrease=r.max_rmse_increase,
        )


# -- A/B testing and the traffic simulator (issue 16) --


class SplitArmView(View):
    version: int = Field(ge=1)
    share: float = Field(gt=0.0, lt=1.0)


class SplitView(View):
    # Empty: the current version answers every request.
    versions: list[SplitArmView]
    since: str
    currentVersion: int

    @classmethod
    def of(cls, split: pb.Split, current: int) -> SplitView:
        return cls(
            versions=[SplitArmView(version=a.version, share=a.share) for a in split.arms],
            since=split.since,
            currentVersion=current,
        )


class SplitBody(View):
    # 2 or 3 versions of the deployment whose shares sum to 1; [] clears the split.
    versions: list[SplitArmView] = Field(max_length=3)


class LabelShareView(View):
    label: str
    count: int
    share: float


class VersionMetricsView(View):
    version: int
    current: bool
    # The version's share in the split (0: not in it).
    share: float
    requests: int
    ok: int
    errors: int
    rateLimited: int
    errorRate: float
    p50Ms: float
    p95Ms: float
    predictions: int
    # Classifiers: predicted class shares; regressors: mean and std of the predictions.
    labels: list[LabelShareView]
    numeric: bool
    mean: float | None
    std: float | None

    @classmethod
    def of(cls, m: pb.VersionMetrics) -> VersionMetricsView:
        return cls(
            version=m.version,
            current=m.current,
            share=m.share,
            requests=m.requests,
            ok=m.ok,
            errors=m.errors,
            rateLimited=m.rate_limited,
            errorRate=m.errors / m.requests if m.requests else 0.0,
            p50Ms=m.p50_ms,
            p95Ms=m.p95_ms,
            predictions=m.predictions,
            labels=[LabelShareView(label=x.label, count=x.count, share=x.share) for x in m.labels],
            numeric=m.numeric,
            mean=m.mean if m.numeric and m.predictions else None,
            std=m.std if m.numeric and m.predictions else None,
        )


class MetricsView(View):
    windowRequests: int
    split: SplitView
    versions: list[VersionMetricsView]

    @classmethod
    def of(cls, r: pb.GetVersionMetricsResponse) -> MetricsView:
        return cls(
            windowRequests=r.window_requests,
            split=SplitView.of(r.split, r.current_version),
            versions=[VersionMetricsView.of(m) for m in r.versions],
        )


class DriftChoice(View):
    # "none" | "shift" (amount = training stds) | "scale" (amount = factor) | "swap"
    kind: str = Field(default="none", pattern="^(none|shift|scale|swap)$")
    feature: str = Field(default="", max_length=200)
    amount: float = 0.0
    # For "swap" (empty: the most and the least frequent training categories).
    categoryA: str = Field(default="", max_length=200)
    categoryB: str = Field(default="", max_length=200)


class SimulateBody(View):
    requests: int = Field(ge=1, le=2_000)
    rowsPerRequest: int = Field(default=1, ge=1, le=100)
    drift: DriftChoice = Field(default_factory=DriftChoice)
    # 0: a fresh random seed (the answer says which one was used).
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class VersionCountView(View):
    version: int
    requests: int


class SimulationView(View):
    requested: int
    sent: int
    ok: int
    errors: int
    # Requests that waited for the key's rate limit before being sent.
    waited: int
    rows: int
    seconds: float
    # The time budget ran out before every request was sent.
    truncated: bool
    answered: list[VersionCountView]
    drift: str
    version: int
    seed: int
    firstError: str

    @classmethod
    def of(cls, r: pb.SimulateTrafficResponse) -> SimulationView:
        return cls(
            requested=r.requested,
            sent=r.sent,
            ok=r.ok,
            errors=r.errors,
            waited=r.waited,
            rows=r.rows,
            seconds=r.seconds,
            truncated=r.truncated,
            answered=[VersionCountView(version=a.version, requests=a.requests) for a in r.answered],
            drift=r.drift,
            version=r.version,
            seed=r.seed,
            firstError=r.first_error,
        )


DeploymentView.model_rebuild()
