"""Notebook API: sessions (create, read, save code, upload a dataset), runs (execute code
in the sandbox, list a session's runs) and Improve with AI (the coach's diagnosis plus its
improved experiment, already run; feedback on a proposal)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, UploadFile
from fastapi.responses import JSONResponse

from gateway import datasets
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.notebook import flows
from gateway.notebook.views import (
    CodeUpdate,
    ImproveCreate,
    ProposalFeedback,
    RunCreate,
    SessionCreate,
    run_json,
    session_json,
)
from services.common.errors import AscentError

sessions = APIRouter(prefix="/sessions", tags=["sessions"])
runs = APIRouter(prefix="/runs", tags=["runs"])
ai = APIRouter(prefix="/ai", tags=["ai"])


@sessions.post("", status_code=201)
async def create_session(
    user: ApiUser,
    gw: GatewayDep,
    body: Annotated[SessionCreate | None, Body()] = None,
) -> JSONResponse:
    """Creates a notebook session holding the starter template."""
    notebook = await flows.create_session(gw, user, body.name if body else None)
    return JSONResponse({"data": session_json(notebook)}, status_code=201)


@sessions.get("")
async def list_sessions(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """The caller's sessions, most recently changed first."""
    notebooks = await flows.list_sessions(gw, user)
    return {"data": [session_json(notebook) for notebook in notebooks]}


@sessions.get("/{session_id}")
async def get_session(session_id: str, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """The session with its runs, best first (`runsError` is set when they are unavailable)."""
    view = await flows.session_view(gw, user, session_id)
    return {
        "data": {
            **session_json(view.notebook),
            "runs": [run_json(run) for run in view.runs],
            "runsError": view.runs_error,
        }
    }


@sessions.put("/{session_id}/code")
async def save_code(
    session_id: str,
    body: CodeUpdate,
    user: ApiUser,
    gw: GatewayDep,
) -> dict[str, Any]:
    """Saves the editor content."""
    notebook = await flows.save_code(gw, user, session_id, body.code)
    return {"data": session_json(notebook)}


@sessions.post("/{session_id}/dataset")
async def upload_dataset(
    session_id: str,
    user: ApiUser,
    gw: GatewayDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    """Validates a CSV (UTF-8, header, >= 2 columns, 2..10k rows, <= 10 MB) and attaches it."""
    filename, content = await datasets.read_upload(gw, file)
    summary = await flows.upload_dataset(gw, user, session_id, filename, content)
    return {"data": summary.as_json()}


@runs.post("", status_code=201)
async def create_run(body: RunCreate, user: ApiUser, gw: GatewayDep) -> JSONResponse:
    """Saves the code on the session, runs it and returns the finished run."""
    run = await flows.run_code(gw, user, body.session_id, body.code, body.name)
    return JSONResponse({"data": run_json(run)}, status_code=201)


@runs.get("/{session_id}")
async def list_runs(session_id: str, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """The session's runs, best score first."""
    runs = await flows.list_runs(gw, user, session_id)
    return {"data": [run_json(run) for run in runs]}


@ai.post("/improve")
async def improve(body: ImproveCreate, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Improves `runId` (default: the session's latest run) and runs the proposal."""
    improvement = await flows.improve(
        gw, user, body.session_id, body.run_id, mode=body.mode, rounds=body.rounds
    )
    return {"data": improvement.as_json()}


@ai.post("/proposals/{proposal_id}/feedback")
async def feedback(
    proposal_id: str, body: ProposalFeedback, user: ApiUser, gw: GatewayDep
) -> dict[str, Any]:
    """Rate (1-5) and/or accept or reject a proposal; the recommender learns from it."""
    if body.rating is None and body.verdict is None:
        raise AscentError("invalid_argument", "Give a rating (1-5), a verdict, or both.")
    await gw.clients.rate_proposal(proposal_id[:64], user.id, body.rating or 0, body.verdict or "")
    return {"data": {"proposalId": proposal_id, "rating": body.rating, "verdict": body.verdict}}


router = APIRouter()
router.include_router(sessions)
router.include_router(runs)
router.include_router(ai)
