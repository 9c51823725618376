"""Runs: execute code in the sandbox, list a session's runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway import flows
from gateway.auth import ApiUser
from gateway.context import GatewayDep
from gateway.schemas import RunCreate, run_json

router = APIRouter(prefix="/runs", tags=["runs"])


@router.post("", status_code=201)
async def create_run(body: RunCreate, user: ApiUser, gw: GatewayDep) -> JSONResponse:
    """Saves the code on the session, runs it and returns the finished run."""
    run = await flows.run_code(gw, user, body.session_id, body.code, body.name)
    return JSONResponse({"data": run_json(run)}, status_code=201)


@router.get("/{session_id}")
async def list_runs(session_id: str, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """The session's runs, best score first."""
    runs = await flows.list_runs(gw, user, session_id)
    return {"data": [run_json(run) for run in runs]}
