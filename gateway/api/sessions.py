"""Notebook sessions: create, read, save code, upload a dataset."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, UploadFile
from fastapi.responses import JSONResponse

from gateway import flows
from gateway.auth import ApiUser
from gateway.context import GatewayDep
from gateway.schemas import CodeUpdate, SessionCreate, run_json, session_json

router = APIRouter(prefix="/sessions", tags=["sessions"])


@router.post("", status_code=201)
async def create_session(
    user: ApiUser,
    gw: GatewayDep,
    body: Annotated[SessionCreate | None, Body()] = None,
) -> JSONResponse:
    """Creates a notebook session holding the starter template."""
    notebook = await flows.create_session(gw, user, body.name if body else None)
    return JSONResponse({"data": session_json(notebook)}, status_code=201)


@router.get("")
async def list_sessions(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """The caller's sessions, most recently changed first."""
    notebooks = await flows.list_sessions(gw, user)
    return {"data": [session_json(notebook) for notebook in notebooks]}


@router.get("/{session_id}")
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


@router.put("/{session_id}/code")
async def save_code(
    session_id: str,
    body: CodeUpdate,
    user: ApiUser,
    gw: GatewayDep,
) -> dict[str, Any]:
    """Saves the editor content."""
    notebook = await flows.save_code(gw, user, session_id, body.code)
    return {"data": session_json(notebook)}


@router.post("/{session_id}/dataset")
async def upload_dataset(
    session_id: str,
    user: ApiUser,
    gw: GatewayDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> dict[str, Any]:
    """Validates a CSV (UTF-8, header, >= 2 columns, 2..10k rows, <= 10 MB) and attaches it."""
    filename, content = await flows.read_upload(gw, file)
    summary = await flows.upload_dataset(gw, user, session_id, filename, content)
    return {"data": summary.as_json()}
