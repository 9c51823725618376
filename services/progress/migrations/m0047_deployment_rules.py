"""The catalog's deployment rules (issue 16): a track's "deployed models that meet their bar"
condition, several-key badge criteria with a bar, and challenges judged on a deployment."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.progress.models import Base

NEW_COLUMNS = {
    "progress_tracks": ("unlock_deployed_models", "unlock_deployed_bar_json"),
    "progress_badges": ("criterion_also_json", "criterion_bar_json"),
    "progress_challenges": ("deployment_max_p50_ms",),
}


def upgrade(conn: Connection) -> None:
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
