"""Every query of the recommender."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.recommender.models import DatasetProfile, Feedback, LearnerChallenge, Observation


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


def replace_feedback(session: Session, proposal_id: str, rows: list[Feedback]) -> None:
    """The latest feedback on a proposal replaces the earlier one."""
    session.execute(delete(Feedback).where(Feedback.proposal_id == proposal_id))
    session.add_all(rows)
    session.flush()


def feedback_by_pipeline(session: Session) -> dict[str, tuple[float, int]]:
    """pipeline key -> (mean feedback value, number of proposals rated)."""
    rows = session.execute(
        select(Feedback.pipeline_key, func.avg(Feedback.value), func.count(Feedback.id)).group_by(
            Feedback.pipeline_key
        )
    )
    return {r[0]: (float(r[1]), int(r[2])) for r in rows}


def learner_challenge(
    session: Session, learner_id: str, challenge_slug: str
) -> LearnerChallenge | None:
    return session.get(LearnerChallenge, (learner_id, challenge_slug))


def add_learner_challenge(session: Session, row: LearnerChallenge) -> None:
    session.add(row)
    session.flush()


def learner_challenges(session: Session, learner_id: str) -> list[LearnerChallenge]:
    return list(
        session.scalars(select(LearnerChallenge).where(LearnerChallenge.learner_id == learner_id))
    )
