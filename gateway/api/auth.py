"""Registration and API tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from gateway import auth
from gateway.context import GatewayDep
from gateway.schemas import Credentials, datetime_iso

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", status_code=201)
async def register(body: Credentials, gw: GatewayDep) -> JSONResponse:
    """Creates a learner account (instructors: see ASCENT_INSTRUCTOR_USERNAMES)."""
    user = await auth.register(gw, body.username, body.password)
    return JSONResponse({"data": user.as_json()}, status_code=201)


@router.post("/token")
async def token(body: Credentials, gw: GatewayDep) -> dict[str, Any]:
    """Exchanges username and password for a bearer token (`Authorization: Bearer ...`)."""
    user = await auth.authenticate(gw, body.username, body.password)
    value, expires_at = await auth.issue_token(gw, user)
    return {"data": {"token": value, "expiresAt": datetime_iso(expires_at), "user": user.as_json()}}
