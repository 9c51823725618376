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
    context = {
        "user": user,
        "active": "apps",
        "deployment": deployment,
        "drift": drift,
        "drift_settings": settings,
    }
    return render(request, "deployment.html", context)


def _drift_settings(request: Request) -> dict[str, Any]:
    """The drift form's values (0 = the service's default); a bad value is a 400."""
    bounds = {"window": (0, 100_000), "psi": (0.0, 10.0), "ks": (0.0, 1.0), "p_value": (0.0, 1.0)}
    out: dict[str, Any] = {}
    for name, (low, high) in bounds.items():
        raw = request.query_params.get(name, "").strip()
        try:
            value: float = (int(raw) if isinstance(low, int) else float(raw)) if raw else low
        except ValueError:
            raise AscentError("invalid_argument", f"'{name}' must be a number.") from None
        if not low <= value <= high:
            raise AscentError("invalid_argument", f"'{name}' must be between {low} and {high}.")
        out[name] = value
    return out
