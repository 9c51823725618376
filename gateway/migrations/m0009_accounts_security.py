"""Server-side browser sessions, the login throttle and per-learner quota usage (issue 18)."""

from __future__ import annotations

from sqlalchemy import Connection

from gateway.models import AuthThrottle, BrowserSession, QuotaUsage
from services.common.db import table_of


def upgrade(conn: Connection) -> None:
    # m0001 builds tables from the current models, so on a fresh database these exist already.
    for model in (BrowserSession, AuthThrottle, QuotaUsage):
        table_of(model).create(conn, checkfirst=True)
