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
from gateway.serving.views import DriftChoice, SimulateBody, SplitArmView
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
    return render(
        request, "deployment.html", await _deployment_context(request, user, gw, deployment_id)
    )


async def _deployment_context(
    request: Request, user: Any, gw: GatewayDep, deployment_id: str
) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/")
    deployment = await serving.get_deployment(gw, user, deployment_id, base)
    # -- monitor (issue 16, drift): the window and thresholds the learner set in the form --
    settings = _drift_settings(request)
    drift = await serving.drift_report(gw, user, deployment_id, **settings)
    # -- monitor (issue 16, concept drift): its window and thresholds, from the same form style
    performance = await serving.performance(
        gw, user, deployment_id, **_settings(request, PERFORMANCE_BOUNDS)
    )
    return {
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
        "metrics": await serving.version_metrics(gw, user, deployment_id),
        "simulation": None,
    }


# -- A/B testing and the traffic simulator (issue 16) --


@router.post("/apps/deploy/{deployment_id}/split")
async def set_split(
    request: Request, deployment_id: str, user: PageUser, gw: GatewayDep
) -> Response:
    """The split form: `share_<version>` in percent (0 or empty: not in the split), or
    `clear`. Answers the A/B panel with the split now live."""
    form = await request.form()
    arms: list[SplitArmView] = []
    if not form.get("clear"):
        for name, raw in form.multi_items():
            if not name.startswith("share_") or not isinstance(raw, str) or not raw.strip():
                continue
            try:
                version, percent = int(name[6:]), float(raw)
            except ValueError:
                raise AscentError("invalid_argument", f"'{name}' must be a number.") from None
            if not 0 <= percent <= 100:
                raise AscentError("invalid_argument", "A share is 0 to 100 %.")
            if percent > 0:
                share = percent / 100
                if share >= 1:
                    raise AscentError(
                        "invalid_argument", "A split needs 2 or 3 versions; clear it instead."
                    )
                arms.append(SplitArmView(version=version, share=share))
        if not arms:
            raise AscentError("invalid_argument", "Give 2 or 3 versions a share, or clear.")
    await serving.set_split(gw, user, deployment_id, arms)
    context = await _deployment_context(request, user, gw, deployment_id)
    return render(request, "deployment.html", context, block="ab_panel")


@router.post("/apps/deploy/{deployment_id}/simulate")
async def simulate(
    request: Request,
    deployment_id: str,
    user: PageUser,
    gw: GatewayDep,
    requests: Annotated[int, Form(ge=1, le=2_000)],
    rows_per_request: Annotated[int, Form(ge=1, le=100)] = 1,
    kind: Annotated[str, Form(max_length=10)] = "none",
    feature: Annotated[str, Form(max_length=200)] = "",
    amount: Annotated[float, Form(ge=-10, le=10)] = 0.0,
    category_a: Annotated[str, Form(max_length=200)] = "",
    category_b: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Runs the simulator, then answers its summary with the drift report and the A/B
    metrics swapped in out of band (both now include the simulated requests)."""
    if kind not in ("none", "shift", "scale", "swap"):
        raise AscentError("invalid_argument", "The drift is none, shift, scale or swap.")
    body = SimulateBody(
        requests=requests,
        rowsPerRequest=rows_per_request,
        drift=DriftChoice(
            kind=kind, feature=feature, amount=amount, categoryA=category_a, categoryB=category_b
        ),
    )
    simulation = await serving.simulate(gw, user, deployment_id, body)
    context = await _deployment_context(request, user, gw, deployment_id)
    context["simulation"] = simulation
    return render(request, "deployment.html", context, block="simulation_result")


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
