"""Instructor dashboards (`/dashboards`) and the admin platform view (`/platform`).
Dashboards render their filters on the server; charts and tables are drawn in the browser
from the JSON API (`/api/analytics/...`), which is also where the CSV links point, and an
event stream (`/dashboards/events`) tells the page when to re-fetch."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from gateway.cohorts import flows as cohorts
from gateway.context import GatewayDep
from gateway.health import all_outboxes
from gateway.live import dashboard_stream, event_stream
from gateway.policy import Action, PageDashboards, PagePlatform, may
from gateway.rendering import render
from services.common.errors import AscentError

router = APIRouter(include_in_schema=False)


@router.get("/dashboards")
async def dashboards_page(
    request: Request,
    user: PageDashboards,
    gw: GatewayDep,
    cohort: str = "",
    challenge: str = "",
    start: str = Query("", alias="from"),
    end: str = Query("", alias="to"),
) -> Response:
    own = await cohorts.list_for(gw, user)
    if not cohort and own and not may(user, Action.VIEW_ALL_COHORTS):
        cohort = own[0].id
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
async def dashboard_events(request: Request, user: PageDashboards, gw: GatewayDep) -> Response:
    if gw.live is None:
        raise AscentError("unavailable", "Live updates are not running.")
    return event_stream(dashboard_stream(gw.live, request.is_disconnected))


@router.get("/platform")
async def platform_page(
    request: Request, user: PagePlatform, gw: GatewayDep, window: int = 60
) -> Response:
    outboxes = await all_outboxes(gw)
    # Dead letters per service (count and the newest), rendered here: restarting clears
    # none of them, an operator re-drives them (EVENTS.md, "Bounded events").
    dead_letters = [
        {
            "service": name,
            "reachable": status is not None,
            "count": status.dead_lettered if status is not None else 0,
            "subject": status.last_dead_subject if status is not None else "",
            "event_id": status.last_dead_event_id if status is not None else "",
            "error": status.last_dead_error if status is not None else "",
        }
        for name, status in outboxes.items()
    ]
    context = {
        "user": user,
        "active": "platform",
        "window": window,
        "dead_letters": dead_letters,
        "dead_total": sum(s.dead_lettered for s in outboxes.values() if s is not None),
    }
    return render(request, "platform.html", context)
