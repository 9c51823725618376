"""Curriculum API: tracks, challenges, graded submissions, challenge leaderboards."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from gateway import challenges
from gateway.auth import ApiUser
from gateway.context import GatewayDep
from gateway.schemas import run_json

router = APIRouter(tags=["curriculum"])


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=200_000)


class BoardSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hidden: bool = False
    revealPrivate: bool = False


@router.get("/tracks")
async def list_tracks(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Tracks with lock state, progress, what unlocks them and each challenge's state."""
    tracks = await challenges.tracks(gw, user)
    return {"data": [challenges.track_json(t) for t in tracks]}


@router.get("/challenges/{slug}")
async def get_challenge(slug: str, user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """Lesson, outcomes, hints, starter code and lock state (never the solution)."""
    detail = await challenges.challenge(gw, user, slug)
    return {"data": challenges.challenge_json(detail)}


@router.post("/challenges/{slug}/submissions", status_code=201)
async def submit(slug: str, body: SubmissionCreate, user: ApiUser, gw: GatewayDep) -> JSONResponse:
    """Runs the code on the challenge data and grades its predictions on hidden labels."""
    run = await challenges.submit(gw, user, slug, body.code)
    return JSONResponse({"data": challenges.submission_json(run)}, status_code=201)


@router.post("/challenges/{slug}/practice", status_code=201)
async def practice(
    slug: str, body: SubmissionCreate, user: ApiUser, gw: GatewayDep
) -> JSONResponse:
    """Runs the code on the challenge data WITHOUT grading (not a submission, not on the
    board): output, metrics and any error, like a notebook run."""
    run = await challenges.practice(gw, user, slug, body.code)
    data = {**run_json(run), "practice": run.practice, "challenge": run.challenge_slug}
    return JSONResponse({"data": data}, status_code=201)


@router.get("/leaderboards/{slug}")
async def get_board(
    slug: str, user: ApiUser, gw: GatewayDep, version: int = 0
) -> dict[str, Any]:
    """Best graded submission per learner (public score; private only when revealed).
    Authored challenges keep one board per version: `version` picks an earlier one."""
    return {"data": await challenges.board(gw, user, slug, version)}


@router.put("/leaderboards/{slug}")
async def set_board(
    slug: str, body: BoardSettings, user: ApiUser, gw: GatewayDep
) -> dict[str, Any]:
    """Instructors: hide a board or reveal its private standing."""
    result = await challenges.set_board(gw, user, slug, body.hidden, body.revealPrivate)
    return {"data": result}


@router.get("/profile")
async def profile(user: ApiUser, gw: GatewayDep) -> dict[str, Any]:
    """XP, level, streaks, badges with dates, challenge results and XP history."""
    return {"data": challenges.profile_json(await gw.clients.get_progress(user.id))}
