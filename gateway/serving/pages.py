"""Deployment Assistant pages: `/apps/deploy` (deploy a run, your deployments) and
`/apps/deploy/{id}` (the model card, client code, benchmark, versions). Deploying posts with
HTMX and swaps in the result (the key, shown once) or the refusal with its reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from gateway.apps import flows as apps
from gateway.context import GatewayDep
from gateway.deps import PageUser
from gateway.rendering import render
from gateway.serving import flows as serving
from services.common.errors import AscentError

router = APIRouter(include_in_schema=False)


async def _page(request: Request, user: Any, gw: GatewayDep) -> dict[str, Any]:
    app = await apps.app_info(gw, user, serving.SLUG)
    unlocked = app.unlocked
    return {
        "user": user,
        "active": "apps",
        "app": app,
        "runs": await serving.run_choices(gw, user) if unlocked else [],
        "deployments": await serving.list_deployments(gw, user) if unlocked else [],
        "deployed": None,
    }


@router.get("/apps/deploy")
async def deploy_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    return render(request, "deploy.html", await _page(request, user, gw))


@router.post("/apps/deploy")
async def deploy_run(
    request: Request,
    user: PageUser,
    gw: GatewayDep,
    run_id: Annotated[str, Form(max_length=64)],
    deployment_id: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    deployed = await serving.deploy(gw, user, run_id, deployment_id, name)
    context = {**await _page(request, user, gw), "deployed": deployed}
    return render(request, "deploy.html", context, block="deploy_result")


@router.get("/apps/deploy/{deployment_id}")
async def deployment_page(
    request: Request, deployment_id: str, user: PageUser, gw: GatewayDep
) -> Response:
    await serving.require_unlocked(gw, user)
    base = str(request.base_url).rstrip("/")
    deployment = await serving.get_deployment(gw, user, deployment_id, base)
    # -- monitor (issue 16, drift): the window and thresholds the learner set in the form --
    settings = _drift_settings(request)
    drift = await serving.drift_report(gw, user, deployment_id, **settings)
    # -- monitor (issue 16, concept drift): its window and thresholds, from the same form style
    performance = await serving.performance(
        gw, user, deployment_id, **_settings(request, PERFORMANCE_BOUNDS)
    )
    context = {
        "user": user,
        "active": "apps",
        "deployment": deployment,
        "drift": drift,
        "drift_settings": settings,
        "performance": performance,
        "performance_chart": {
            "metric": performance.metric,
            "window": performance.windowLabels,
            "training": performance.trainingScore,
            "threshold": performance.thresholdScore,
            "points": [p.model_dump() for p in performance.points],
        },
        "feedback_url": f"{base}/api/models/{deployment_id}/feedback",
        "predict_url": f"{base}{deployment.predictUrl}",
    }
    return render(request, "deployment.html", context)


DRIFT_BOUNDS: dict[str, tuple[float, float]] = {
    "window": (0, 100_000),
    "psi": (0.0, 10.0),
    "ks": (0.0, 1.0),
    "p_value": (0.0, 1.0),
}
# The concept-drift form (query names differ from the data-drift form's): flow argument ->
# (query name, bounds); 0 = the service's default.
PERFORMANCE_BOUNDS: dict[str, tuple[str, tuple[float, float]]] = {
    "window": ("labels_window", (0, 10_000)),
    "accuracy_drop": ("accuracy_drop", (0.0, 1.0)),
    "rmse_increase": ("rmse_increase", (0.0, 100.0)),
}


def _drift_settings(request: Request) -> dict[str, Any]:
    return _settings(request, {name: (name, bounds) for name, bounds in DRIFT_BOUNDS.items()})


def _settings(
    request: Request, fields: dict[str, tuple[str, tuple[float, float]]]
) -> dict[str, Any]:
    """A monitor form's values (0 = the service's default); a bad value is a 400."""
    bounds = {name: bound for name, (_, bound) in fields.items()}
    query = {name: query_name for name, (query_name, _) in fields.items()}
    out: dict[str, Any] = {}
    for name, (low, high) in bounds.items():
        raw = request.query_params.get(query[name], "").strip()
        try:
            value: float = (int(raw) if isinstance(low, int) else float(raw)) if raw else low
        except ValueError:
            raise AscentError("invalid_argument", f"'{query[name]}' must be a number.") from None
        if not low <= value <= high:
            raise AscentError(
                "invalid_argument", f"'{query[name]}' must be between {low} and {high}."
            )
        out[name] = value
    return out
