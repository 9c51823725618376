"""Notebook API: sessions (create, read, save code, upload a dataset), runs (execute code
in the sandbox, list a session's runs) and Improve with AI (the coach's diagnosis plus its
improved experiment, already run; feedback on a proposal)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, File, Header, Query, Response, UploadFile
from fastapi.responses import JSONResponse

from gateway import contract, datasets
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.models import NotebookSession
from gateway.notebook import flows
from gateway.notebook.views import (
    AnswerCreate,
    CodeConflictView,
    CodeUpdate,
    FeedbackView,
    ImproveCreate,
    ImprovementView,
    ProposalFeedback,
    RunCreate,
    RunView,
    SessionCreate,
    SessionDetailView,
    SessionView,
    UploadView,
)
from gateway.views import Data
from services.common.errors import AscentError

sessions = APIRouter(prefix="/sessions", tags=["sessions"])
runs = APIRouter(prefix="/runs", tags=["runs"])
ai = APIRouter(prefix="/ai", tags=["ai"])


@sessions.post("", status_code=201)
async def create_session(
    user: ApiUser,
    gw: GatewayDep,
    body: Annotated[SessionCreate | None, Body()] = None,
) -> Data[SessionView]:
    """Creates a notebook session holding the starter template."""
    notebook = await flows.create_session(gw, user, body.name if body else None)
    return Data(data=SessionView.of(notebook))


@sessions.get("")
async def list_sessions(user: ApiUser, gw: GatewayDep) -> Data[list[SessionView]]:
    """The caller's sessions, most recently changed first."""
    notebooks = await flows.list_sessions(gw, user)
    return Data(data=[SessionView.of(notebook) for notebook in notebooks])


DATASET_QUERY = Query(
    max_length=64,
    description=(
        "Only the runs on one dataset: `current` (the session's dataset now), `none` (runs "
        "made without a CSV), a dataset's `sha256`, or `all` (the default)."
    ),
)


@sessions.get("/{session_id}")
async def get_session(
    session_id: str,
    user: ApiUser,
    gw: GatewayDep,
    dataset: Annotated[str | None, DATASET_QUERY] = None,
) -> Data[SessionDetailView]:
    """The session with its runs as summaries (as `GET /api/runs/{sessionId}`), dataset by
    dataset (the one run last first), each dataset's runs best first: `datasetRank` is a run's
    rank among the session's runs on the same dataset, never across datasets (`runsError` is
    set when runs are unavailable)."""
    found = await flows.session_runs(gw, user, session_id, dataset)
    detail = SessionDetailView(
        **SessionView.of(found.notebook).model_dump(),
        runs=found.views(),
        runsError=found.runs_error,
    )
    return Data(data=detail)


def _if_match_version(value: str | None) -> int | None:
    """`If-Match: "3"` (or W/"3", or 3) -> 3; `*` or none -> None (no version check)."""
    if value is None or value.strip() in ("", "*"):
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit() or int(tag) < 1:
        raise AscentError("invalid_argument", 'If-Match is the code version as an ETag: "3".')
    return int(tag)


def _etag(notebook: NotebookSession) -> dict[str, str]:
    return {"ETag": f'"{notebook.code_version or 1}"'}


@sessions.put(
    "/{session_id}/code",
    response_model=Data[SessionView],
    responses={
        409: {
            "model": CodeConflictView,
            "description": "The save started from an older code version than the stored "
            "one (another tab or client saved since): nothing was overwritten; "
            "`error.current` holds the stored code and its version.",
        }
    },
)
@contract.raises(409)
async def save_code(
    session_id: str,
    body: CodeUpdate,
    user: ApiUser,
    gw: GatewayDep,
    response: Response,
    if_match: Annotated[
        str | None,
        Header(
            description='The code version the text started from, as an ETag ("3"); the '
            "same as `version` in the body (which wins when both are sent)."
        ),
    ] = None,
) -> Data[SessionView] | JSONResponse:
    """Saves the editor content. Optimistic concurrency: with `version` (or `If-Match`), a
    save started from an older version than the stored one is refused with 409 and the
    stored code, so two writers never silently overwrite each other; without either, the
    save overwrites (last writer wins). The response's `codeVersion` (and `ETag`) is the
    version to send with the next save."""
    expected = body.version if body.version is not None else _if_match_version(if_match)
    try:
        notebook = await flows.save_code(gw, user, session_id, body.code, expected_version=expected)
    except flows.CodeConflict as conflict:
        view = CodeConflictView.of(
            conflict.code, conflict.version, conflict.updated_at, conflict.message
        )
        headers = {"ETag": f'"{conflict.version}"'}
        return JSONResponse(view.model_dump(), status_code=409, headers=headers)
    response.headers.update(_etag(notebook))
    return Data(data=SessionView.of(notebook))


@sessions.post("/{session_id}/dataset")
async def upload_dataset(
    session_id: str,
    user: ApiUser,
    gw: GatewayDep,
    file: Annotated[UploadFile, File()],
) -> Data[UploadView]:
    """Validates a CSV (UTF-8, header, >= 2 columns, 2..1,000,000 rows, <= 200 MB by default:
    `ASCENT_GATEWAY_MAX_DATASET_ROWS`, `_MAX_UPLOAD_BYTES`) and attaches it."""
    filename, content = await datasets.read_upload(gw, file)
    return Data(data=await flows.upload_dataset(gw, user, session_id, filename, content))


@runs.post("", status_code=201)
@contract.raises(404, 429)
async def create_run(body: RunCreate, user: ApiUser, gw: GatewayDep) -> Data[RunView]:
    """Saves the code on the session, runs it and returns the finished run."""
    run = await flows.run_code(gw, user, body.session_id, body.code, body.name)
    return Data(data=RunView.of(run))


@runs.get("/{session_id}")
async def list_runs(
    session_id: str,
    user: ApiUser,
    gw: GatewayDep,
    response: Response,
    dataset: Annotated[str | None, DATASET_QUERY] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Data[list[RunView]]:
    """The session's runs ranked per dataset (`datasetRank`, `datasetName`), as in
    `GET /sessions/{id}`, as summaries (`summary`: the tail of the output, no figures; the
    whole run is `GET /api/runs/{sessionId}/{runId}`), `limit` at a time from `offset`; the
    `X-Total-Count` header has the number of runs."""
    found = await flows.session_runs(gw, user, session_id, dataset)
    if found.runs_error:
        raise AscentError("unavailable", found.runs_error)
    views = found.views()
    response.headers["X-Total-Count"] = str(len(views))
    return Data(data=views[offset : offset + limit])


@runs.get("/{session_id}/{run_id}")
async def get_run(session_id: str, run_id: str, user: ApiUser, gw: GatewayDep) -> Data[RunView]:
    """One whole run of the session: its output as stored (see its `notices`)."""
    return Data(data=RunView.of(await flows.session_run(gw, user, session_id, run_id)))


@ai.post("/improve")
@contract.raises(404, 422, 429)
async def improve(body: ImproveCreate, user: ApiUser, gw: GatewayDep) -> Data[ImprovementView]:
    """Improves `runId` (default: the session's latest run) and runs the proposal."""
    improvement = await flows.improve(
        gw, user, body.session_id, body.run_id, mode=body.mode, rounds=body.rounds
    )
    return Data(data=improvement.view())


@ai.post("/proposals/{proposal_id}/answer")
async def answer(
    proposal_id: str, body: AnswerCreate, user: ApiUser, gw: GatewayDep
) -> Data[ImprovementView]:
    """Socratic mode: reveal the answer of the session's latest proposal; its experiment is
    run now (and only now reaches the runs board)."""
    improvement = await flows.reveal_answer(gw, user, body.session_id, proposal_id[:64])
    return Data(data=improvement.view())


@ai.post("/proposals/{proposal_id}/feedback")
async def feedback(
    proposal_id: str, body: ProposalFeedback, user: ApiUser, gw: GatewayDep
) -> Data[FeedbackView]:
    """Rate (1-5) and/or accept or reject a proposal; the recommender learns from it."""
    await gw.clients.rate_proposal(proposal_id[:64], user.id, body.rating or 0, body.verdict or "")
    return Data(data=FeedbackView(proposalId=proposal_id, rating=body.rating, verdict=body.verdict))


router = APIRouter()
router.include_router(sessions)
router.include_router(runs)
router.include_router(ai)
