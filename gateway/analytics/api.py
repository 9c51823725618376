"""Analytics API: the instructor dashboard and the admin platform view, as JSON or as one
CSV file per table (`?format=csv&table=...` or `/{table}.csv`)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from gateway import contract
from gateway.accounts.views import UserInfo
from gateway.analytics import flows as analytics
from gateway.analytics.views import DashboardView, PlatformView
from gateway.context import GatewayDep
from gateway.policy import ApiDashboards, ApiPlatform
from gateway.views import Data

router = APIRouter(prefix="/analytics", tags=["analytics"])
CSV = {"text/csv": {"schema": {"type": "string"}}}


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def _dashboard(
    user: UserInfo, gw: GatewayDep, cohort: str, challenge: str, start: str, end: str
) -> DashboardView:
    return await analytics.dashboard(gw, user, cohort, challenge, start, end)


@router.get(
    "/dashboard",
    response_model=Data[DashboardView],
    responses={200: {"content": CSV, "description": "JSON, or one table as CSV"}},
)
@contract.raises(404)
async def dashboard(
    user: ApiDashboards,
    gw: GatewayDep,
    cohort: str = "",
    challenge: str = "",
    start: str = Query("", alias="from"),
    end: str = Query("", alias="to"),
    format: Literal["json", "csv"] = "json",
    table: str = "",
) -> Data[DashboardView] | Response:
    """Every dashboard aggregate for a cohort (instructors: their own; admins: any or all),
    a challenge and a date range (UTC days, inclusive)."""
    data = await _dashboard(user, gw, cohort, challenge, start, end)
    if format == "csv":
        return _csv(analytics.table_csv(analytics.DASHBOARD_TABLES, table, data), f"{table}.csv")
    return Data(data=data)


@router.get(
    "/dashboard/{table}.csv",
    response_model=None,
    response_class=Response,
    responses={200: {"content": CSV, "description": "The table as CSV"}},
)
async def dashboard_csv(
    table: str,
    user: ApiDashboards,
    gw: GatewayDep,
    cohort: str = "",
    challenge: str = "",
    start: str = Query("", alias="from"),
    end: str = Query("", alias="to"),
) -> Response:
    """One dashboard table as CSV."""
    data = await _dashboard(user, gw, cohort, challenge, start, end)
    return _csv(analytics.table_csv(analytics.DASHBOARD_TABLES, table, data), f"{table}.csv")


@router.get(
    "/platform",
    response_model=Data[PlatformView],
    responses={200: {"content": CSV, "description": "JSON, or one table as CSV"}},
)
@contract.raises(404)
async def platform(
    user: ApiPlatform,
    gw: GatewayDep,
    window: int = 60,
    format: Literal["json", "csv"] = "json",
    table: str = "",
) -> Data[PlatformView] | Response:
    """Admins: events/min per subject and producer over the window; lag of every durable
    consumer (JetStream num_pending / num_ack_pending)."""
    data = await analytics.platform(gw, user, window)
    if format == "csv":
        return _csv(analytics.table_csv(analytics.PLATFORM_TABLES, table, data), f"{table}.csv")
    return Data(data=data)


@router.get(
    "/platform/{table}.csv",
    response_model=None,
    response_class=Response,
    responses={200: {"content": CSV, "description": "The table as CSV"}},
)
async def platform_csv(table: str, user: ApiPlatform, gw: GatewayDep, window: int = 60) -> Response:
    """One platform table as CSV."""
    data = await analytics.platform(gw, user, window)
    return _csv(analytics.table_csv(analytics.PLATFORM_TABLES, table, data), f"{table}.csv")
