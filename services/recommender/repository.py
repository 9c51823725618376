"""Every query of the recommender."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.recommender.models import DatasetProfile, Observation


def get_profile(session: Session, dataset_key: str) -> DatasetProfile | None:
    return session.get(DatasetProfile, dataset_key)


def add_profile(session: Session, profile: DatasetProfile) -> None:
    session.add(profile)
    session.flush()


def has_observation(session: Session, run_id: str) -> bool:
    found = session.execute(select(Observation.id).where(Observation.run_id == run_id)).first()
    return found is not None


def add_observation(session: Session, observation: Observation) -> None:
    session.add(observation)
    session.flush()


def profiles_by_key(session: Session, keys: set[str]) -> dict[str, DatasetProfile]:
    if not keys:
        return {}
    rows = session.scalars(select(DatasetProfile).where(DatasetProfile.dataset_key.in_(keys)))
    return {row.dataset_key: row for row in rows}


def pipeline_stats(
    session: Session, task_type: str
) -> list[tuple[str, str, str, float, int, float]]:
    """(dataset_key, pipeline_key, pipeline_json, mean score, runs, mean duration ms) per
    dataset × pipeline."""
    rows = session.execute(
        select(
            Observation.dataset_key,
            Observation.pipeline_key,
            func.min(Observation.pipeline_json),
            func.avg(Observation.score),
            func.count(Observation.id),
            func.avg(Observation.duration_ms),
        )
        .where(Observation.task_type == task_type)
        .group_by(Observation.dataset_key, Observation.pipeline_key)
    )
    return [(r[0], r[1], r[2], float(r[3]), int(r[4]), float(r[5] or 0)) for r in rows]
