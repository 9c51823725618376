"""Deployment Assistant API (`/api/apps/deploy/…`, the learner's own deployments) and the
predict endpoint (`POST /api/models/{id}/predict`), which takes a deployment's API key —
`Authorization: Bearer <key>` or `X-API-Key` — instead of a user."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gateway import contract
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.quotas import RateLimited
from gateway.serving import flows as serving
from gateway.serving.views import (
    DeployBody,
    DeployedView,
    DeploymentView,
    DriftView,
    FeedbackView,
    MetricsView,
    PerformanceView,
    PredictionView,
    SimulateBody,
    SimulationView,
    SplitBody,
    SplitView,
)
from gateway.views import Data
from services.common.errors import AscentError

router = APIRouter(tags=["deploy"])
# The serving service checks the same bound; refusing here keeps a huge body off gRPC.
MAX_PREDICT_BODY = 1_000_000
# A caller's X-Request-Id routes its request under an A/B split (the same id, the same version).
MAX_REQUEST_ID = 200


@router.post("/apps/deploy/deployments", status_code=201)
async def deploy(body: DeployBody, user: ApiUser, gw: GatewayDep) -> Data[DeployedView]:
    """Deploy one of your runs: its model is exported to ONNX in the sandbox and served.
    Without `deploymentId` a new deployment is made and its API key returned (once); with
    one of yours, the run becomes its next version. A model that cannot be exported or
    loaded is a 422 saying which step and why."""
    return Data(data=await serving.deploy(gw, user, body.runId, body.deploymentId, body.name))


@router.get("/apps/deploy/deployments")
async def list_deployments(user: ApiUser, gw: GatewayDep) -> Data[list[DeploymentView]]:
    """Your deployments, newest first, each with its current version."""
    return Data(data=await serving.list_deployments(gw, user))


@router.get("/apps/deploy/deployments/{deployment_id}")
async def get_deployment(
    deployment_id: str, request: Request, user: ApiUser, gw: GatewayDep
) -> Data[DeploymentView]:
    """One of your deployments: the model card of every version and the client code."""
    base = str(request.base_url).rstrip("/")
    return Data(data=await serving.get_deployment(gw, user, deployment_id, base))


@router.get(
    "/models/{deployment_id}/model.onnx",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download_model(
    deployment_id: str, user: ApiUser, gw: GatewayDep, version: int = 0
) -> Response:
    """The ONNX file of a version of your deployment (0: the current one), to self-host."""
    found = await serving.model_file(gw, user, deployment_id, version)
    return Response(
        content=found.onnx,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="model-v{found.version}.onnx"',
            "X-Model-Sha256": found.sha256,
        },
    )


def _api_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    key = request.headers.get("x-api-key", "").strip()
    if not key:
        raise AscentError("unauthenticated", "Send the deployment's API key (Bearer or X-API-Key).")
    return key


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_PREDICT_BODY:
        raise AscentError("too_large", f"The body is over {MAX_PREDICT_BODY:,} bytes.")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_PREDICT_BODY:
            raise AscentError("too_large", f"The body is over {MAX_PREDICT_BODY:,} bytes.")
    return bytes(body)


@router.post(
    "/models/{deployment_id}/predict",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["rows"],
                        "properties": {"rows": {"type": "array", "items": {"type": "object"}}},
                    }
                }
            },
        }
    },
)
@contract.raises(401, 413, 422, 429)
async def predict(
    deployment_id: str, request: Request, response: Response, gw: GatewayDep
) -> Data[PredictionView]:
    """Predictions for `{"rows": [{column: value, …}]}`, checked against the training
    columns and types (400 naming the row and column). 401 for an unknown model or a wrong
    key, 413 over 1 MB or 1,000 rows, 429 with Retry-After over the key's rate limit.
    `version` (and the `X-Model-Version` header) is the version that answered: under an
    A/B split, the request is routed by its `X-Request-Id` (one is drawn when absent), so
    the same id always reaches the same version."""
    key = _api_key(request)
    request_id = request.headers.get("x-request-id", "").strip()
    if len(request_id) > MAX_REQUEST_ID:
        raise AscentError("invalid_argument", f"X-Request-Id is over {MAX_REQUEST_ID} characters.")
    request_id = request_id or uuid.uuid4().hex
    body = await _bounded_body(request)
    outcome = await serving.predict(gw, deployment_id, key, body, request_id)
    if isinstance(outcome, float):
        raise RateLimited("This model's API key is over its rate limit.", outcome)
    response.headers["X-Model-Version"] = str(outcome.version)
    response.headers["X-Request-Id"] = request_id
    return Data(data=outcome)


# -- monitor (issue 16, drift) --


@router.get("/models/{deployment_id}/drift")
async def drift_report(
    deployment_id: str,
    user: ApiUser,
    gw: GatewayDep,
    window: int = Query(default=0, ge=0, le=100_000),
    psi: float = Query(default=0.0, ge=0.0, le=10.0),
    ks: float = Query(default=0.0, ge=0.0, le=1.0),
    p: float = Query(default=0.0, ge=0.0, le=1.0),
) -> Data[DriftView]:
    """Data drift of your deployment's current version: its last `window` logged input rows
    (0: 5,000) against the training reference, per feature — PSI and Kolmogorov–Smirnov for
    numbers, PSI and chi² for categories — drifted features first, with when each first
    crossed its threshold (0: the defaults PSI 0.2, KS 0.1, chi² p 0.001)."""
    return Data(data=await serving.drift_report(gw, user, deployment_id, window, psi, ks, p))


# -- monitor (issue 16, concept drift) --


@router.post(
    "/models/{deployment_id}/feedback",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["labels"],
                        "properties": {
                            "labels": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["predictionId", "label"],
                                    "properties": {
                                        "predictionId": {"type": "string"},
                                        "label": {"type": ["string", "number"]},
                                    },
                                },
                            }
                        },
                    }
                }
            },
        }
    },
)
@contract.raises(401, 413, 422, 429)
async def send_feedback(deployment_id: str, request: Request, gw: GatewayDep) -> Data[FeedbackView]:
    """True labels for earlier predictions, `{"labels": [{"predictionId", "label"}]}`, with
    the deployment's API key like predict: each `predictionId` is one predict answered (its
    `predictionIds`, one per logged row). A classifier's label is one of its classes, a
    regressor's a number. Checked whole before anything is stored: 400 naming the label for
    a wrong shape or type, 422 for an id that is not a logged prediction of this model, 413
    over 1 MB or 1,000 labels, 429 with Retry-After over the key's limit. A label sent again
    for the same prediction replaces the first (`updated`)."""
    key = _api_key(request)
    body = await _bounded_body(request)
    outcome = await serving.send_feedback(gw, deployment_id, key, body)
    if isinstance(outcome, float):
        raise RateLimited("This model's API key is over its rate limit.", outcome)
    return Data(data=outcome)


@router.get("/models/{deployment_id}/performance")
async def performance(
    deployment_id: str,
    user: ApiUser,
    gw: GatewayDep,
    window: int = Query(default=100, ge=10, le=10_000),
    accuracy_drop: float = Query(default=0.1, gt=0.0, le=1.0, alias="accuracyDrop"),
    rmse_increase: float = Query(default=0.5, gt=0.0, le=100.0, alias="rmseIncrease"),
) -> Data[PerformanceView]:
    """Concept drift of your deployment's current version: its rolling accuracy (classifier)
    or RMSE (regressor) on the labels sent back (`POST /api/models/{id}/feedback`), over
    windows of `window` labels, against the run's training score. `conceptDrift` when the
    newest full window's accuracy is below the training accuracy minus `accuracyDrop`, or
    its RMSE above the training RMSE × (1 + `rmseIncrease`); the first time for a version,
    a `serving.concept_drift.detected.v1` event (`detectedAt`)."""
    return Data(
        data=await serving.performance(
            gw, user, deployment_id, window, accuracy_drop, rmse_increase
        )
    )


# -- A/B testing and the traffic simulator (issue 16) --


@router.put("/models/{deployment_id}/split")
@contract.raises(422)
async def set_split(
    deployment_id: str, body: SplitBody, user: ApiUser, gw: GatewayDep
) -> Data[SplitView]:
    """Split your deployment's traffic between 2 or 3 of its versions (the same columns),
    e.g. `{"versions": [{"version": 1, "share": 0.8}, {"version": 2, "share": 0.2}]}`;
    shares sum to 1. `{"versions": []}` clears it: the current version answers again.
    Deploying a new version also ends the split (it answers at once)."""
    return Data(data=await serving.set_split(gw, user, deployment_id, body.versions))


@router.delete("/models/{deployment_id}/split")
async def clear_split(deployment_id: str, user: ApiUser, gw: GatewayDep) -> Data[SplitView]:
    """Clears the traffic split: the current version answers every request."""
    return Data(data=await serving.set_split(gw, user, deployment_id, []))


@router.get("/models/{deployment_id}/metrics")
async def version_metrics(
    deployment_id: str,
    user: ApiUser,
    gw: GatewayDep,
    window: int = Query(default=0, ge=0, le=50_000),
) -> Data[MetricsView]:
    """Per-version metrics of your deployment over its newest `window` logged requests
    (0: 5,000), side by side: requests, errors, rate limits, latency p50/p95 inside the
    service, and the predictions (class shares, or mean and std), with the split."""
    return Data(data=await serving.version_metrics(gw, user, deployment_id, window))


@router.post("/models/{deployment_id}/simulate")
@contract.raises(409, 422)
async def simulate(
    deployment_id: str, body: SimulateBody, user: ApiUser, gw: GatewayDep
) -> Data[SimulationView]:
    """The traffic simulator: `requests` (≤ 2,000) requests of `rowsPerRequest` (≤ 100)
    rows drawn from the current version's training reference, with a drift — `shift` a
    number by `amount` training stds, `scale` its spread by `amount`, `swap` two
    categories' shares — sent through the real predict path (routed, rate-limited like your
    key, logged): the drift report and per-version metrics see them when it returns."""
    return Data(data=await serving.simulate(gw, user, deployment_id, body))
