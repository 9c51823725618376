"""App pages: the catalog (`/apps`) and each app (`/apps/<slug>`) on a notebook session's
dataset. The page shows the stored latest analysis; a new one streams (`run/stream`, SSE:
`started`, `progress`, `section` (rendered HTML), then `result` or `failed`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from gateway.apps import flows as apps
from gateway.apps.views import AnalysisView, SectionView
from gateway.context import GatewayDep
from gateway.deps import PageUser
from gateway.live import event_stream, sse
from gateway.rendering import redirect, render, render_html
from services.common.errors import AscentError
from services.common.ml.hyperparameters import MODELS

router = APIRouter(include_in_schema=False)
PAGE = "app_page.html"


@router.get("/apps")
async def apps_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    context = {"user": user, "active": "apps", "apps": await apps.list_apps(gw, user)}
    return render(request, "apps.html", context)


async def _context(
    request: Request, user: Any, gw: GatewayDep, slug: str, session_id: str
) -> dict[str, Any]:
    app = await apps.app_info(gw, user, slug)
    if not app.available:
        raise AscentError("not_found", f"{app.title} is not built yet.")
    session, choices = await apps.pick_session(gw, user, session_id)
    analysis = (
        await apps.latest(gw, user, slug, session.id)
        if session is not None and app.unlocked
        else None
    )
    explain = None
    if slug == apps.EXPLAIN and session is not None and session.dataset_sha256 and app.unlocked:
        explain = await apps.explain_choice(gw, user, session)
        if analysis is not None:
            analysis = await apps.explain_ordered(gw, analysis)
    program = ""
    if session is not None and session.dataset_sha256 and app.unlocked and analysis is None:
        # Shown before the first analysis too: the learner can read what will run.
        program = await apps.program(gw, user, slug, session.id, {})
    return {
        "automl": await _automl_suggestions(gw, user.id, slug, session, app.unlocked),
        "explain": explain,
        "program": program,
        "trained": await _trained(gw, user, slug, session),
        "starting": await _starting(gw, user, slug, session, app.unlocked),
        "hyperparameters": MODELS,
        "user": user,
        "active": "apps",
        "app": app,
        "session": session,
        "choices": choices,
        "analysis": analysis,
        "views": apps.SECTION_VIEWS,
        "builtins": {k: v[0] for k, v in apps.BUILTIN_DATASETS.items()},
    }


async def _automl_suggestions(
    gw: GatewayDep, learner_id: str, slug: str, session: Any, unlocked: bool
) -> dict[str, Any] | None:
    """The AutoML Trainer's suggestions before Start: what the recommender expects to win on
    this dataset and why; its pipelines are the search's first trials (warm start)."""
    if slug != "automl" or session is None or not session.dataset_sha256 or not unlocked:
        return None
    return await apps.automl_suggestions(gw, session.dataset_sha256, learner_id)


async def _starting(
    gw: GatewayDep, user: Any, slug: str, session: Any, unlocked: bool
) -> dict[str, Any] | None:
    """The sandbox's recommended starting points, shown when the page opens (issue 14)."""
    if slug != "training" or session is None or not session.dataset_sha256 or not unlocked:
        return None
    return await apps.starting_points(gw, user, session)


async def _trained(
    gw: GatewayDep, user: Any, slug: str, session: Any, just_finished: Any = None
) -> list[Any]:
    if slug != "training" or session is None:
        return []
    return await apps.trained_models(gw, user, session.id, just_finished)


@router.get("/apps/{slug}")
async def app_page(
    request: Request, slug: str, user: PageUser, gw: GatewayDep, session: str = ""
) -> Response:
    context = await _context(request, user, gw, slug, session)
    return render(request, PAGE, context, block="results")


def _section_html(slug: str, analysis_id: str, section: SectionView) -> str:
    context = {"section": section, "slug": slug, "analysis_id": analysis_id, "running": True}
    return render_html("_explorer_fragments.html", context, ["one_section"])


@router.post("/apps/{slug}/run/stream")
async def app_run_stream(
    request: Request,
    slug: str,
    session_id: Annotated[str, Form()],
    user: PageUser,
    gw: GatewayDep,
    sample_rows: Annotated[int | None, Form()] = None,
    options_json: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    # The app's choices: a JSON object its controls fill in (web/src/apps.js, from the
    # `data-option` fields), as the API's `options`.
    options = apps.form_options(options_json)
    if sample_rows is not None:
        options["sample_rows"] = sample_rows
    context = await _context(request, user, gw, slug, session_id)
    base = {**context, "request": request, "csrf": getattr(request.state, "csrf", "")}
    events = apps.stream(gw, user, slug, session_id, options)

    async def body() -> AsyncIterator[str]:
        analysis_id = ""
        try:
            async for event in events:
                kind = event.WhichOneof("item")
                if kind == "started":
                    analysis_id = event.started.analysis_id
                    yield sse(
                        "started",
                        {
                            "analysisId": analysis_id,
                            "code": event.started.code,
                            "cancelUrl": f"/apps/{slug}/analyses/{analysis_id}/cancel",
                        },
                    )
                elif kind == "progress":
                    p = event.progress
                    yield sse("progress", {"done": p.done, "total": p.total, "label": p.label})
                elif kind == "section":
                    section = SectionView.of(event.section)
                    yield sse("section", _section_html(slug, analysis_id, section))
                elif kind == "result":
                    analysis = AnalysisView.of(event.result)
                    if slug == apps.EXPLAIN:
                        analysis = await apps.explain_ordered(gw, analysis)
                    context = {**base, "analysis": analysis}
                    context["trained"] = await _trained(
                        gw, user, slug, context["session"], event.result
                    )
                    yield sse("result", render_html(PAGE, context, ["results"]))
        except AscentError as err:
            context = {**base, "status": err.http_status, "code": err.code, "message": err.message}
            yield sse("failed", render_html("error.html", context, ["error"]))

    return event_stream(body())


@router.post("/apps/{slug}/analyses/{analysis_id}/cancel")
async def app_cancel(
    request: Request, slug: str, analysis_id: str, user: PageUser, gw: GatewayDep
) -> Response:
    found = await apps.cancel(gw, user, analysis_id)
    return Response(status_code=204, headers={"X-Ascent-Stopped": str(int(found))})


@router.post("/apps/{slug}/analyses/{analysis_id}/notebook")
async def app_open_in_notebook(
    request: Request, slug: str, analysis_id: str, user: PageUser, gw: GatewayDep
) -> Response:
    created = await apps.open_in_notebook(gw, user, slug, analysis_id)
    return redirect(request, f"/notebook/{created.id}")


@router.post("/apps/{slug}/analyses/{analysis_id}/suggestions")
async def app_decide(
    request: Request,
    slug: str,
    analysis_id: str,
    key: Annotated[str, Form()],
    verdict: Annotated[str, Form()],
    user: PageUser,
    gw: GatewayDep,
    insert: Annotated[bool, Form()] = False,
) -> Response:
    applied = await apps.decide(gw, user, slug, analysis_id, key, verdict, insert)
    context = {"user": user, "applied": applied, "key": key}
    return HTMLResponse(render_html("_explorer_fragments.html", context, ["decision"]))


@router.post("/apps/{slug}/builtin")
async def app_open_builtin(
    request: Request,
    slug: str,
    dataset: Annotated[str, Form()],
    user: PageUser,
    gw: GatewayDep,
) -> Response:
    """Open the app on a built-in dataset: a new notebook session holding it."""
    await apps.app_info(gw, user, slug)
    created = await apps.open_builtin(gw, user, dataset)
    return redirect(request, f"/apps/{slug}?session={created.id}")


# -- Model Explainability Suite (issue 15) -------------------------------------------------
@router.post("/apps/explain/analyses/{analysis_id}/ratings")
async def explain_rate(
    request: Request,
    analysis_id: str,
    explanation: Annotated[str, Form(max_length=40)],
    useful: Annotated[bool, Form()],
    user: PageUser,
    gw: GatewayDep,
) -> Response:
    ranking = await apps.rate_explanation(gw, user, analysis_id, explanation, useful)
    order = ranking.order()
    context = {
        "explanation": explanation,
        "useful": useful,
        "ranking": ranking,
        "position": order.index(explanation) + 1 if explanation in order else 0,
    }
    return HTMLResponse(render_html("_explain_fragments.html", context, ["rated"]))
