"""The caller and their progress."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from gateway import auth, flows
from gateway.auth import ApiUser
from gateway.context import GatewayDep
from gateway.schemas import progress_json

router = APIRouter(tags=["progress"])


@router.get("/me")
async def me(user: ApiUser) -> dict[str, Any]:
    """The authenticated user."""
    return {"data": user.as_json()}


class MeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # null or "" clears it (boards show the username again).
    displayName: str | None = Field(max_length=200)


@router.patch("/me")
async def update_me(body: MeUpdate, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Choose the name shown on challenge boards: 2-32 letters, digits, spaces, '-', '_',
    '.'; unique regardless of case. Your username is then never shown to other learners."""
    return {"data": (await auth.set_display_name(gw, user, body.displayName)).as_json()}


@router.get("/me/progress")
async def my_progress(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """XP, level, run count, badges and XP history."""
    return {"data": progress_json(await flows.progress(gw, user))}


# GET /api/tracks lives in gateway/api/challenges.py (same fields plus lock state, progress
# and what unlocks each track).
