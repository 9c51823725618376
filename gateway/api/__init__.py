"""JSON API routes (`{"data": ...}` envelopes; errors are rendered by `gateway.errors`)."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api import (
    ai,
    analytics,
    auth,
    authoring,
    challenges,
    cohorts,
    health,
    me,
    recommendations,
    runs,
    sessions,
)

api_router = APIRouter(prefix="/api")
api_router.include_router(auth.router)
api_router.include_router(sessions.router)
api_router.include_router(runs.router)
api_router.include_router(ai.router)
api_router.include_router(me.router)
api_router.include_router(challenges.router)
api_router.include_router(recommendations.router)
api_router.include_router(cohorts.router)
api_router.include_router(analytics.router)
api_router.include_router(authoring.router)

health_router = health.router

__all__ = ["api_router", "health_router"]
