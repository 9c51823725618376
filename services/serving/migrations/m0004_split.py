"""A/B testing: a deployment's traffic split between its versions (issue 16)."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.serving.models import Base


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, {"serving_deployments": ["split_json", "split_since"]})
