"""Curriculum pages: tracks, a challenge (lesson, hints one at a time, editor, submit,
board) and the learner profile. Data comes from `gateway.challenges`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from gateway import challenges, recommendations
from gateway.auth import PageUser
from gateway.context import GatewayDep
from gateway.markdown import render_markdown
from gateway.rendering import render
from services.common.errors import AscentError

router = APIRouter(include_in_schema=False)


@router.get("/tracks")
async def tracks_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    context: dict[str, Any] = {"user": user, "active": "tracks", "tracks": [], "error": None}
    try:
        context["tracks"] = [challenges.track_json(t) for t in await challenges.tracks(gw, user)]
    except AscentError as err:
        context["error"] = err.message
    return render(request, "tracks.html", context, block="tracks")


async def _board_context(gw: GatewayDep, user: PageUser, slug: str) -> dict[str, Any]:
    try:
        return {"board": await challenges.board(gw, user, slug), "board_error": None}
    except AscentError as err:
        return {"board": None, "board_error": err.message}


@router.get("/challenges/{slug}")
async def challenge_page(request: Request, slug: str, user: PageUser, gw: GatewayDep) -> Response:
    detail = await challenges.challenge(gw, user, slug)
    data = challenges.challenge_json(detail)
    code = data["starterCode"]
    if data["unlocked"]:
        notebook = await challenges.challenge_session(gw, user, detail)
        code = notebook.code
    context = {
        "user": user,
        "active": "tracks",
        "challenge": data,
        "lesson": render_markdown(detail.lesson_md),
        "code": code,
        "shown_hints": 0,
        **await _board_context(gw, user, slug),
    }
    return render(request, "challenge.html", context, block="challenge")


@router.get("/challenges/{slug}/hints/{count}")
async def hints_fragment(
    request: Request, slug: str, count: int, user: PageUser, gw: GatewayDep
) -> Response:
    data = challenges.challenge_json(await challenges.challenge(gw, user, slug))
    shown = max(0, min(count, len(data["hints"])))
    context = {"user": user, "challenge": data, "shown_hints": shown}
    return render(request, "challenge.html", context, block="hints")


@router.post("/challenges/{slug}/submit")
async def submit_fragment(
    request: Request,
    slug: str,
    user: PageUser,
    gw: GatewayDep,
    code: Annotated[str, Form()] = "",
) -> Response:
    context: dict[str, Any] = {"user": user, "challenge": {"slug": slug}}
    status = 200
    try:
        run = await challenges.submit(gw, user, slug, code)
        context["submission"] = challenges.submission_json(run)
    except AscentError as err:
        if err.code == "not_found":
            raise
        context["submit_error"] = err.message
        status = err.http_status
    return render(
        request,
        "challenge.html",
        context,
        block="submission",
        status_code=status,
        headers={"HX-Trigger": "board-changed"},
    )


@router.get("/challenges/{slug}/board")
async def board_fragment(request: Request, slug: str, user: PageUser, gw: GatewayDep) -> Response:
    context = {"user": user, "challenge": {"slug": slug}, **await _board_context(gw, user, slug)}
    return render(request, "challenge.html", context, block="board")


@router.get("/profile")
async def profile_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    context: dict[str, Any] = {"user": user, "active": "profile", "profile": None, "error": None}
    try:
        context["profile"] = challenges.profile_json(await gw.clients.get_progress(user.id))
    except AscentError as err:
        context["error"] = err.message
    return render(request, "profile.html", context, block="profile")


@router.get("/next-up")
async def next_up_fragment(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    """The "Next up" card (loaded by the tracks and profile pages after they render, so a
    slow or absent recommender never holds them up)."""
    context: dict[str, Any] = {"user": user, "next_up": None, "error": None}
    try:
        context["next_up"] = await recommendations.next_challenge(gw, user)
    except AscentError as err:
        context["error"] = err.message
    return render(request, "_next_up.html", context)
