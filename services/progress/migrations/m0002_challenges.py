"""Challenge content, richer unlock rules, bests, unlocks, streak days and rank badges.

New tables come from the models (create_all skips existing ones); columns added to
existing tables are added only where missing, since a fresh database got them in m0001.
"""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import add_missing_columns
from services.progress.models import Base

NEW_COLUMNS = {
    "progress_tracks": ("unlock_min_quality", "unlock_tag", "unlock_min_tagged"),
    "progress_challenges": (
        "outcomes_json",
        "hints_json",
        "starter_code",
        "task_type",
        "target",
        "baseline",
        "requires_json",
        "tags_json",
    ),
    "progress_learners": (
        "xp_day",
        "xp_day_runs",
        "personal_bests",
        "best_baseline_gain_pct",
        "best_rank",
    ),
}


def upgrade(conn: Connection) -> None:
    Base.metadata.create_all(conn)
    add_missing_columns(conn, Base.metadata, NEW_COLUMNS)
