"""Cohort pages (everyone), instructor dashboards (`/dashboards`) and the admin platform
view (`/platform`). Dashboards render their filters on the server; charts and tables are
drawn in the browser from the JSON API (`/api/analytics/...`), which is also where the CSV
links point, and an event stream (`/dashboards/events`) tells the page when to re-fetch."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from gateway import analytics, cohorts
from gateway.auth import PageUser
from gateway.context import GatewayDep
from gateway.live import dashboard_stream, event_stream
from gateway.rendering import render
from services.common.errors import AscentError

router = APIRouter(include_in_schema=False)


# -- cohorts ----------------------------------------------------------------------------------
async def _cohorts_page(
    request: Request, user: PageUser, gw: GatewayDep, error: str | None = None, status: int = 200
) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "active": "cohorts",
        "cohorts": await cohorts.list_for(gw, user),
        "error": error,
    }
    return render(request, "cohorts.html", context, status_code=status)


@router.get("/cohorts")
async def cohorts_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    return await _cohorts_page(request, user, gw)


@router.post("/cohorts")
async def create_cohort(
    request: Request, user: PageUser, gw: GatewayDep, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        cohort = await cohorts.create(gw, user, name)
    except AscentError as err:
        return await _cohorts_page(request, user, gw, err.message, err.http_status)
    return RedirectResponse(f"/cohorts/{cohort['id']}", status_code=303)


@router.post("/cohorts/join")
async def join_cohort(
    request: Request, user: PageUser, gw: GatewayDep, code: Annotated[str, Form()] = ""
) -> Response:
    try:
        cohort = await cohorts.join(gw, user, code)
    except AscentError as err:
        return await _cohorts_page(request, user, gw, err.message, err.http_status)
    return RedirectResponse(f"/cohorts/{cohort['id']}", status_code=303)


async def _cohort_page(
    request: Request,
    user: PageUser,
    gw: GatewayDep,
    cohort_id: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    cohort = await cohorts.detail(gw, user, cohort_id)

    async def board(slug: str) -> dict[str, Any] | None:
        try:
            return await cohorts.leaderboard(gw, user, cohort_id, slug)
        except AscentError:
            return None

    boards = await asyncio.gather(*(board(a["challenge"]) for a in cohort["assignments"]))
    choices: list[dict[str, str]] = []
    if cohort["isInstructor"]:
        try:
            tracks = await gw.clients.list_tracks(user.id)
            choices = [
                {"slug": c.slug, "title": f"{t.title} · {c.title}"}
                for t in tracks
                for c in t.challenges
            ]
        except AscentError:
            choices = []
    context = {
        "user": user,
        "active": "cohorts",
        "cohort": cohort,
        "boards": dict(zip([a["challenge"] for a in cohort["assignments"]], boards, strict=True)),
        "choices": choices,
        "error": error,
    }
    return render(request, "cohort.html", context, status_code=status)


@router.get("/cohorts/{cohort_id}")
async def cohort_page(request: Request, cohort_id: str, user: PageUser, gw: GatewayDep) -> Response:
    return await _cohort_page(request, user, gw, cohort_id)


@router.post("/cohorts/{cohort_id}/assignments")
async def assign(
    request: Request,
    cohort_id: str,
    user: PageUser,
    gw: GatewayDep,
    challenge: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
) -> Response:
    try:
        await cohorts.assign(gw, user, cohort_id, challenge, due)
    except AscentError as err:
        if err.code == "not_found" and not challenge:
            err = AscentError("invalid_argument", "Pick a challenge to assign.")
        return await _cohort_page(request, user, gw, cohort_id, err.message, err.http_status)
    return RedirectResponse(f"/cohorts/{cohort_id}", status_code=303)


# -- dashboards -------------------------------------------------------------------------------
@router.get("/dashboards")
async def dashboards_page(
    request: Request,
    user: PageUser,
    gw: GatewayDep,
    cohort: str = "",
    challenge: str = "",
    start: str = Query("", alias="from"),
    end: str = Query("", alias="to"),
) -> Response:
    analytics.require_staff(user)
    own = await cohorts.list_for(gw, user)
    if not cohort and own and not user.is_admin:
        cohort = own[0]["id"]
    try:
        tracks = await gw.clients.list_tracks(user.id)
        choices = [{"slug": c.slug, "title": c.title} for t in tracks for c in t.challenges]
    except AscentError:
        choices = []
    context = {
        "user": user,
        "active": "dashboards",
        "cohorts": own,
        "choices": choices,
        "filter": {"cohort": cohort, "challenge": challenge, "from": start, "to": end},
    }
    return render(request, "dashboards.html", context)


@router.get("/dashboards/events")
async def dashboard_events(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    analytics.require_staff(user)
    if gw.live is None:
        raise AscentError("unavailable", "Live updates are not running.")
    return event_stream(dashboard_stream(gw.live, request.is_disconnected))


@router.get("/platform")
async def platform_page(
    request: Request, user: PageUser, gw: GatewayDep, window: int = 60
) -> Response:
    analytics.require_admin(user)
    context = {"user": user, "active": "platform", "window": window}
    return render(request, "platform.html", context)
