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
    version: int
    predictions: list[Any]
    probabilities: list[list[float]] | None
    classes: list[str]
    latencyMs: float


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
