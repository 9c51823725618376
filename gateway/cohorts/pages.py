"""Cohort pages: the list with create and join forms (`/cohorts`) and a cohort with its
assignments, members and boards (`/cohorts/{id}`)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from gateway.cohorts import flows as cohorts
from gateway.cohorts.views import CohortBoardView
from gateway.context import GatewayDep
from gateway.deps import PageUser
from gateway.rendering import render
from services.common.errors import AscentError

router = APIRouter(include_in_schema=False)


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
    return RedirectResponse(f"/cohorts/{cohort.id}", status_code=303)


@router.post("/cohorts/join")
async def join_cohort(
    request: Request, user: PageUser, gw: GatewayDep, code: Annotated[str, Form()] = ""
) -> Response:
    try:
        cohort = await cohorts.join(gw, user, code)
    except AscentError as err:
        return await _cohorts_page(request, user, gw, err.message, err.http_status)
    return RedirectResponse(f"/cohorts/{cohort.id}", status_code=303)


async def _cohort_page(
    request: Request,
    user: PageUser,
    gw: GatewayDep,
    cohort_id: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    cohort = await cohorts.detail(gw, user, cohort_id)

    async def board(slug: str) -> CohortBoardView | None:
        try:
            return await cohorts.leaderboard(gw, user, cohort_id, slug)
        except AscentError:
            return None

    boards = await asyncio.gather(*(board(a.challenge) for a in cohort.assignments))
    choices: list[dict[str, str]] = []
    if cohort.isInstructor:
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
        "boards": dict(zip([a.challenge for a in cohort.assignments], boards, strict=True)),
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
