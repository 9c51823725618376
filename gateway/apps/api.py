"""Apps API: the catalog, an app's latest analysis on a session, running one (to its end,
or streamed as Server-Sent Events), its program, cancelling, view times and decisions on
recommendations. Every route is the learner's own (analyses are per owner)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from google.protobuf import json_format

from gateway.apps import flows as apps
from gateway.apps.views import (
    AnalysisStart,
    AnalysisView,
    AppliedView,
    AppView,
    CancelledView,
    ExplainChoiceView,
    ExplanationRankingView,
    ExplanationRating,
    NotebookOpenedView,
    ProgramView,
    SuggestionDecision,
    ViewTime,
)
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.live import event_stream, sse
from gateway.notebook import flows as notebook
from gateway.views import Data
from services.common.errors import AscentError

router = APIRouter(tags=["apps"])


@router.get("/apps")
async def list_apps(user: ApiUser, gw: GatewayDep) -> Data[list[AppView]]:
    """Every app with whether it is open to you and how it unlocks."""
    return Data(data=await apps.list_apps(gw, user))


@router.get("/apps/{slug}/analyses/latest")
async def latest_analysis(
    slug: str, session_id: str, user: ApiUser, gw: GatewayDep
) -> Data[AnalysisView | None]:
    """Your latest analysis of this app on a notebook session (null when none)."""
    return Data(data=await apps.latest(gw, user, slug, session_id))


@router.get("/apps/{slug}/analyses/{analysis_id}")
async def get_analysis(
    slug: str, analysis_id: str, user: ApiUser, gw: GatewayDep
) -> Data[AnalysisView]:
    return Data(data=await apps.get(gw, user, slug, analysis_id))


@router.post("/apps/{slug}/program")
async def get_program(
    slug: str, body: AnalysisStart, user: ApiUser, gw: GatewayDep
) -> Data[ProgramView]:
    """The exact program an analysis with these options would run ("Show the code")."""
    code = await apps.program(gw, user, slug, body.sessionId, body.options)
    return Data(data=ProgramView(sessionId=body.sessionId, code=code))


@router.post("/apps/{slug}/analyses", status_code=201)
async def run_analysis(
    slug: str, body: AnalysisStart, user: ApiUser, gw: GatewayDep
) -> Data[AnalysisView]:
    """Run the app on the session's dataset and answer when it is done (stored either way:
    a failed analysis says why and keeps no sections)."""
    return Data(data=await apps.run(gw, user, slug, body.sessionId, body.options))


@router.post(
    "/apps/{slug}/analyses/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def stream_analysis(
    slug: str, body: AnalysisStart, user: ApiUser, gw: GatewayDep
) -> StreamingResponse:
    """The same as Server-Sent Events: `started` {analysisId, runId, code}, `progress`
    {done, total, label}, `section` {kind, version, data} as each is printed, then `result`
    (the stored analysis) or `failed` {code, message}. Closing the stream does not stop the
    analysis (cancel does)."""
    events = apps.stream(gw, user, slug, body.sessionId, body.options)

    async def body_stream() -> AsyncIterator[str]:
        try:
            async for event in events:
                kind = event.WhichOneof("item")
                if kind == "result":
                    view = AnalysisView.of(event.result)
                    yield sse("result", view.model_dump(mode="json"))
                elif kind == "section":
                    section = event.section
                    data = {"kind": section.kind, "version": section.version}
                    yield sse("section", {**data, "data": apps.section_data(section)})
                elif kind is not None:
                    payload = json_format.MessageToDict(getattr(event, kind))
                    yield sse(kind, payload)
        except AscentError as err:
            yield sse("failed", {"code": err.code, "message": err.message})

    return event_stream(body_stream())


@router.post("/apps/{slug}/analyses/{analysis_id}/cancel")
async def cancel_analysis(
    slug: str, analysis_id: str, user: ApiUser, gw: GatewayDep
) -> Data[CancelledView]:
    """Stop a running analysis; it ends as cancelled and keeps nothing."""
    return Data(data=CancelledView(found=await apps.cancel(gw, user, analysis_id)))


@router.post("/apps/{slug}/analyses/{analysis_id}/views", status_code=204)
async def record_view(
    slug: str, analysis_id: str, body: ViewTime, user: ApiUser, gw: GatewayDep
) -> None:
    """You looked at a view of the result for `seconds` (how the app learns what helps)."""
    await apps.record_view(gw, user, analysis_id, body.view, body.seconds)


@router.post("/apps/{slug}/analyses/{analysis_id}/suggestions")
async def decide_suggestion(
    slug: str,
    analysis_id: str,
    body: SuggestionDecision,
    user: ApiUser,
    gw: GatewayDep,
) -> Data[AppliedView]:
    """Apply (its code; with `insert`, put into the session's notebook code) or dismiss a
    recommendation."""
    applied = await apps.decide(gw, user, slug, analysis_id, body.key, body.verdict, body.insert)
    return Data(data=applied)


@router.post("/apps/{slug}/analyses/{analysis_id}/notebook", status_code=201)
async def open_in_notebook(
    slug: str, analysis_id: str, user: ApiUser, gw: GatewayDep
) -> Data[NotebookOpenedView]:
    """A new notebook session on the same dataset with the analysis's exact program."""
    created = await apps.open_in_notebook(gw, user, slug, analysis_id)
    return Data(data=NotebookOpenedView(sessionId=created.id, url=f"/notebook/{created.id}"))


# -- AutoML Trainer (issue 15) -------------------------------------------------------------
@router.get("/apps/automl/suggestions")
async def automl_suggestions(
    session_id: str, user: ApiUser, gw: GatewayDep
) -> Data[dict[str, Any]]:
    """Before a search: the pipelines the recommender expects to win on the session's dataset
    (expected score, why), and `specs_json`, the warm start to pass as `warm_start`."""
    session = await notebook.get_session(gw, user, session_id)
    if not session.dataset_sha256:
        raise AscentError(
            "unprocessable", "This session has no dataset yet: upload a CSV in the notebook first."
        )
    return Data(data=await apps.automl_suggestions(gw, session.dataset_sha256, user.id))


# -- Model Training Sandbox: starting points (issue 14) ------------------------------------
@router.get("/apps/training/starting-points")
async def training_starting_points(
    session_id: str, user: ApiUser, gw: GatewayDep
) -> Data[dict[str, Any]]:
    """Before any training: the recommended starting configurations for the session's dataset
    (`recommended`, best mean validation first) and every model's hyperparameter ranges
    (`models`), from the knowledge base with how much evidence (`evidence`: "based on N runs
    on similar datasets"), else the documented defaults."""
    session = await notebook.get_session(gw, user, session_id)
    if not session.dataset_sha256:
        raise AscentError(
            "unprocessable", "This session has no dataset yet: upload a CSV in the notebook first."
        )
    return Data(data=await apps.starting_points(gw, user, session))


@router.post("/apps/builtin-datasets/{dataset}", status_code=201)
async def open_builtin_dataset(dataset: str, user: ApiUser, gw: GatewayDep) -> Data[dict[str, Any]]:
    """A new notebook session holding a built-in dataset (`iris`, `wine`, `breast_cancer`,
    `diabetes`), for any app to open on: `sessionId` as with an upload."""
    created = await apps.open_builtin(gw, user, dataset)
    return Data(
        data={
            "sessionId": created.id,
            "filename": created.dataset_filename,
            "target": created.dataset_target,
            "rows": created.dataset_rows,
        }
    )


# -- Model Explainability Suite (issue 15) -------------------------------------------------
@router.get("/apps/explain/choice")
async def explain_choice(session_id: str, user: ApiUser, gw: GatewayDep) -> Data[ExplainChoiceView]:
    """The models you can explain on a session (its runs that printed a pipeline spec, each
    saying whether the suite can re-create it), the default (the best) and why, and the depth
    your level starts at and why. Pass `run_id` and/or `depth` in an analysis's options to
    choose otherwise."""
    session = await notebook.get_session(gw, user, session_id)
    return Data(data=await apps.explain_choice(gw, user, session))


@router.get("/apps/explain/ranking")
async def explain_ranking(
    level: str, user: ApiUser, gw: GatewayDep
) -> Data[ExplanationRankingView]:
    """The explanations of a level, most useful first by the ratings of its learners."""
    return Data(data=await apps.explanation_ranking(gw, level))


@router.post("/apps/explain/analyses/{analysis_id}/ratings")
async def rate_explanation(
    analysis_id: str, body: ExplanationRating, user: ApiUser, gw: GatewayDep
) -> Data[ExplanationRankingView]:
    """Rate one explanation of your analysis useful or not (again: the latest counts); the
    answer is the level's order after it."""
    ranking = await apps.rate_explanation(gw, user, analysis_id, body.explanation, body.useful)
    return Data(data=ranking)
