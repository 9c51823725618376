"""Orchestration of the Deployment Assistant (`/apps/deploy`) and the predict API over the
serving service. The app opens with the catalog's rule (curriculum/apps.yaml, `deploy`);
predicting needs only the deployment's API key."""

from __future__ import annotations

import json

from ascent.serving.v1 import serving_service_pb2 as pb

from gateway.accounts.views import UserInfo
from gateway.apps import flows as apps
from gateway.context import Gateway
from gateway.notebook import flows as notebook
from gateway.serving.views import (
    DeployedView,
    DeploymentView,
    DriftView,
    FeedbackView,
    MetricsView,
    PerformanceView,
    PredictionView,
    RunChoice,
    SimulateBody,
    SimulationView,
    SplitArmView,
    SplitView,
    VersionView,
)
from gateway.views import timestamp_iso
from services.common.errors import AscentError

SLUG = "deploy"
# Sessions and runs offered on the page (the API deploys any run of yours by id).
PAGE_SESSIONS = 8
PAGE_RUNS = 40


async def require_unlocked(gw: Gateway, user: UserInfo) -> None:
    app = await apps.app_info(gw, user, SLUG)
    if not app.unlocked:
        raise AscentError("forbidden", f"{app.title} is locked: {app.unlockText.lower()}.")


async def deploy(
    gw: Gateway, user: UserInfo, run_id: str, deployment_id: str, name: str
) -> DeployedView:
    await require_unlocked(gw, user)
    response = await gw.clients.serving_call(
        "Deploy",
        pb.DeployResponse,
        pb.DeployRequest(owner_id=user.id, run_id=run_id, deployment_id=deployment_id, name=name),
        timeout=gw.settings.execute_timeout_seconds,
    )
    return DeployedView(
        deployment=DeploymentView.of(response.deployment),
        version=VersionView.of(response.version),
        apiKey=response.api_key,
    )


async def list_deployments(gw: Gateway, user: UserInfo) -> list[DeploymentView]:
    response = await gw.clients.serving_call(
        "ListDeployments", pb.ListDeploymentsResponse, pb.ListDeploymentsRequest(owner_id=user.id)
    )
    return [DeploymentView.of(d) for d in response.deployments]


async def get_deployment(
    gw: Gateway, user: UserInfo, deployment_id: str, base_url: str
) -> DeploymentView:
    response = await gw.clients.serving_call(
        "GetDeployment",
        pb.GetDeploymentResponse,
        pb.GetDeploymentRequest(owner_id=user.id, deployment_id=deployment_id, base_url=base_url),
    )
    return DeploymentView.of(response.deployment)


async def model_file(
    gw: Gateway, user: UserInfo, deployment_id: str, version: int
) -> pb.GetModelFileResponse:
    return await gw.clients.serving_call(
        "GetModelFile",
        pb.GetModelFileResponse,
        pb.GetModelFileRequest(owner_id=user.id, deployment_id=deployment_id, version=version),
    )


async def predict(
    gw: Gateway, deployment_id: str, api_key: str, body: bytes, request_id: str = ""
) -> PredictionView | float:
    """The predictions, or the seconds to wait when the key is over its rate limit."""
    response = await gw.clients.serving_call(
        "Predict",
        pb.PredictResponse,
        pb.PredictRequest(
            deployment_id=deployment_id, api_key=api_key, body=body, request_id=request_id
        ),
    )
    if response.rate_limited:
        return response.retry_after_seconds
    return PredictionView(
        version=response.version,
        predictions=json.loads(response.predictions_json or "[]"),
        probabilities=json.loads(response.probabilities_json)
        if response.probabilities_json
        else None,
        classes=list(response.classes),
        latencyMs=response.latency_ms,
        predictionIds=list(response.prediction_ids),
    )


async def run_choices(gw: Gateway, user: UserInfo) -> list[RunChoice]:
    """The learner's recent finished runs, newest first, across their newest sessions."""
    choices: list[RunChoice] = []
    sessions = await notebook.list_sessions(gw, user)
    for session in sessions[:PAGE_SESSIONS]:
        for run in await gw.clients.list_runs(session.id):
            if run.status != "ok" or run.owner_id != user.id:
                continue
            choices.append(
                RunChoice(
                    id=run.id,
                    name=run.name or run.id[:8],
                    sessionId=run.session_id,
                    appSlug=run.app_slug,
                    challengeSlug=run.challenge_slug,
                    modelType=run.outcome.model_type,
                    createdAt=timestamp_iso(run.created_at) or "",
                )
            )
    choices.sort(key=lambda c: c.createdAt, reverse=True)
    return choices[:PAGE_RUNS]


# -- monitor (issue 16, drift) --


async def drift_report(
    gw: Gateway,
    user: UserInfo,
    deployment_id: str,
    window: int = 0,
    psi: float = 0.0,
    ks: float = 0.0,
    p_value: float = 0.0,
) -> DriftView:
    response = await gw.clients.serving_call(
        "GetDriftReport",
        pb.GetDriftReportResponse,
        pb.GetDriftReportRequest(
            owner_id=user.id,
            deployment_id=deployment_id,
            window_rows=window,
            psi_threshold=psi,
            ks_threshold=ks,
            p_threshold=p_value,
        ),
    )
    return DriftView.of(response)


# -- monitor (issue 16, concept drift) --


async def send_feedback(
    gw: Gateway, deployment_id: str, api_key: str, body: bytes
) -> FeedbackView | float:
    """What was stored, or the seconds to wait when the key is over its feedback limit."""
    response = await gw.clients.serving_call(
        "SendFeedback",
        pb.SendFeedbackResponse,
        pb.SendFeedbackRequest(deployment_id=deployment_id, api_key=api_key, body=body),
    )
    if response.rate_limited:
        return response.retry_after_seconds
    return FeedbackView(accepted=response.accepted, updated=response.updated)


async def performance(
    gw: Gateway,
    user: UserInfo,
    deployment_id: str,
    window: int = 0,
    accuracy_drop: float = 0.0,
    rmse_increase: float = 0.0,
) -> PerformanceView:
    response = await gw.clients.serving_call(
        "GetPerformance",
        pb.GetPerformanceResponse,
        pb.GetPerformanceRequest(
            owner_id=user.id,
            deployment_id=deployment_id,
            window_labels=window,
            max_accuracy_drop=accuracy_drop,
            max_rmse_increase=rmse_increase,
        ),
    )
    return PerformanceView.of(response)


# -- A/B testing and the traffic simulator (issue 16) --

# A simulation waits for the key's rate limit: the serving service's budget (60 s) and more.
SIMULATE_TIMEOUT = 90.0


async def set_split(
    gw: Gateway, user: UserInfo, deployment_id: str, arms: list[SplitArmView]
) -> SplitView:
    await require_unlocked(gw, user)
    response = await gw.clients.serving_call(
        "SetSplit",
        pb.SetSplitResponse,
        pb.SetSplitRequest(
            owner_id=user.id,
            deployment_id=deployment_id,
            arms=[pb.SplitArm(version=a.version, share=a.share) for a in arms],
        ),
    )
    return SplitView.of(response.split, response.current_version)


async def version_metrics(
    gw: Gateway, user: UserInfo, deployment_id: str, window: int = 0
) -> MetricsView:
    response = await gw.clients.serving_call(
        "GetVersionMetrics",
        pb.GetVersionMetricsResponse,
        pb.GetVersionMetricsRequest(
            owner_id=user.id, deployment_id=deployment_id, window_requests=window
        ),
    )
    return MetricsView.of(response)


async def simulate(
    gw: Gateway, user: UserInfo, deployment_id: str, body: SimulateBody
) -> SimulationView:
    await require_unlocked(gw, user)
    d = body.drift
    response = await gw.clients.serving_call(
        "SimulateTraffic",
        pb.SimulateTrafficResponse,
        pb.SimulateTrafficRequest(
            owner_id=user.id,
            deployment_id=deployment_id,
            requests=body.requests,
            rows_per_request=body.rowsPerRequest,
            drift=pb.TrafficDrift(
                kind=d.kind,
                feature=d.feature,
                amount=d.amount,
                category_a=d.categoryA,
                category_b=d.categoryB,
            ),
            seed=body.seed,
        ),
        timeout=SIMULATE_TIMEOUT,
    )
    return SimulationView.of(response)
