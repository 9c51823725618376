"""Notebook API: sessions (create, read, save code, upload a dataset), runs (execute code
in the sandbox, list a session's runs) and Improve with AI (the coach's diagnosis plus its
improved experiment, already run; feedback on a proposal)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, File, UploadFile

from gateway import contract, datasets
from gateway.context import GatewayDep
from gateway.deps import ApiUser
from gateway.notebook import flows
from gateway.notebook.views import (
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


@sessions.get("/{session_id}")
async def get_session(session_id: str, user: ApiUser, gw: GatewayDep) -> Data[SessionDetailView]:
    """The session with its runs, best first (`runsError` is set when they are unavailable)."""
    found = await flows.session_runs(gw, user, session_id)
    detail = SessionDetailView(
        **SessionView.of(found.notebook).model_dump(),
        runs=[RunView.of(run) for run in found.runs],
        runsError=found.runs_error,
    )
    return Data(data=detail)


@sessions.put("/{session_id}/code")
async def save_code(
    session_id: str,
    body: CodeUpdate,
    user: ApiUser,
    gw: GatewayDep,
) -> Data[SessionView]:
    """Saves the editor content."""
    notebook = await flows.save_code(gw, user, session_id, body.code)
    return Data(data=SessionView.of(notebook))


@sessions.post("/{session_id}/dataset")
async def upload_dataset(
    session_id: str,
    user: ApiUser,
    gw: GatewayDep,
    file: Annotated[UploadFile, File()],
) -> Data[UploadView]:
    """Validates a CSV (UTF-8, header, >= 2 columns, 2..10k rows, <= 10 MB) and attaches it."""
    filename, content = await datasets.read_upload(gw, file)
    return Data(data=await flows.upload_dataset(gw, user, session_id, filename, content))


@runs.post("", status_code=201)
@contract.raises(404, 429)
async def create_run(body: RunCreate, user: ApiUser, gw: GatewayDep) -> Data[RunView]:
    """Saves the code on the session, runs it and returns the finished run."""
    run = await flows.run_code(gw, user, body.session_id, body.code, body.name)
    return Data(data=RunView.of(run))


@runs.get("/{session_id}")
async def list_runs(session_id: str, user: ApiUser, gw: GatewayDep) -> Data[list[RunView]]:
    """The session's runs, best score first."""
    found = await flows.list_runs(gw, user, session_id)
    return Data(data=[RunView.of(run) for run in found])


@ai.post("/improve")
@contract.raises(404, 422, 429)
async def improve(body: ImproveCreate, user: ApiUser, gw: GatewayDep) -> Data[ImprovementView]:
    """Improves `runId` (default: the session's latest run) and runs the proposal."""
    improvement = await flows.improve(
        gw, user, body.session_id, body.run_id, mode=body.mode, rounds=body.rounds
    )
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
