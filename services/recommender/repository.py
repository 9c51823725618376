"""Every query of the recommender."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.recommender.models import (
    AppEvidence,
    AppTraining,
    DatasetName,
    DatasetProfile,
    Feedback,
    LearnerChallenge,
    Observation,
)


class RecommenderRepository:
    """Every query of the recommender, on one session (the unit of work the adapter opened)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_profile(self, dataset_key: str) -> DatasetProfile | None:
        return self.session.get(DatasetProfile, dataset_key)

    def add_profile(self, profile: DatasetProfile) -> None:
        self.session.add(profile)
        self.session.flush()

    def get_dataset_name(self, dataset_key: str) -> DatasetName | None:
        return self.session.get(DatasetName, dataset_key)

    def add_dataset_name(self, name: DatasetName) -> None:
        self.session.add(name)
        self.session.flush()

    def dataset_names(self, keys: set[str]) -> dict[str, str]:
        if not keys:
            return {}
        rows = self.session.execute(
            select(DatasetName.dataset_key, DatasetName.name).where(
                DatasetName.dataset_key.in_(keys)
            )
        )
        return {str(key): str(name) for key, name in rows.tuples()}

    def has_observation(self, run_id: str) -> bool:
        found = self.session.execute(
            select(Observation.id).where(Observation.run_id == run_id)
        ).first()
        return found is not None

    def add_observation(self, observation: Observation) -> None:
        self.session.add(observation)
        self.session.flush()

    def count_observations(
        self, dataset_key: str, owner_id: str | None = None, pipeline_key: str | None = None
    ) -> int:
        """Observations of a dataset, of one learner on it, or of one pipeline of theirs."""
        query = select(func.count(Observation.id)).where(Observation.dataset_key == dataset_key)
        if owner_id is not None:
            query = query.where(Observation.owner_id == owner_id)
        if pipeline_key is not None:
            query = query.where(Observation.pipeline_key == pipeline_key)
        return int(self.session.scalar(query) or 0)

    def profiles_by_key(self, keys: set[str]) -> dict[str, DatasetProfile]:
        if not keys:
            return {}
        rows = self.session.scalars(
            select(DatasetProfile).where(DatasetProfile.dataset_key.in_(keys))
        )
        return {row.dataset_key: row for row in rows}

    def pipeline_stats(self, task_type: str) -> list[tuple[str, str, str, float, int, float]]:
        """(dataset_key, pipeline_key, pipeline_json, mean score, runs, mean duration ms) per
        dataset × pipeline, over trusted observations only: rows from before the trust rules
        (m0055, `trust` "") may hold scores a learner's code printed."""
        rows = self.session.execute(
            select(
                Observation.dataset_key,
                Observation.pipeline_key,
                func.min(Observation.pipeline_json),
                func.avg(Observation.score),
                func.count(Observation.id),
                func.avg(Observation.duration_ms),
            )
            .where(Observation.task_type == task_type, Observation.trust != "")
            .group_by(Observation.dataset_key, Observation.pipeline_key)
        )
        return [(r[0], r[1], r[2], float(r[3]), int(r[4]), float(r[5] or 0)) for r in rows]

    def replace_feedback(self, proposal_id: str, rows: list[Feedback]) -> None:
        """The latest feedback on a proposal replaces the earlier one."""
        self.session.execute(delete(Feedback).where(Feedback.proposal_id == proposal_id))
        self.session.add_all(rows)
        self.session.flush()

    def feedback_by_pipeline(self) -> dict[str, tuple[float, int]]:
        """pipeline key -> (mean feedback value, number of proposals rated)."""
        rows = self.session.execute(
            select(
                Feedback.pipeline_key, func.avg(Feedback.value), func.count(Feedback.id)
            ).group_by(Feedback.pipeline_key)
        )
        return {r[0]: (float(r[1]), int(r[2])) for r in rows}

    def learner_challenge(self, learner_id: str, challenge_slug: str) -> LearnerChallenge | None:
        return self.session.get(LearnerChallenge, (learner_id, challenge_slug))

    def add_learner_challenge(self, row: LearnerChallenge) -> None:
        self.session.add(row)
        self.session.flush()

    def learner_challenges(self, learner_id: str) -> list[LearnerChallenge]:
        return list(
            self.session.scalars(
                select(LearnerChallenge).where(LearnerChallenge.learner_id == learner_id)
            )
        )

    # -- collaborative filtering (issue 20 §5) ----------------------------------------------
    def all_learner_challenges(self) -> list[LearnerChallenge]:
        """Every learner's record per challenge (grades on hidden labels), for the kNN."""
        return list(
            self.session.scalars(
                select(LearnerChallenge).order_by(
                    LearnerChallenge.learner_id, LearnerChallenge.challenge_slug
                )
            )
        )

    def learner_best_scores(self) -> list[tuple[str, str, str, str, float]]:
        """(owner, dataset_key, task_type, estimator, best score) per learner, dataset and
        estimator, over trusted observations with a known learner only (trust.py)."""
        rows = self.session.execute(
            select(
                Observation.owner_id,
                Observation.dataset_key,
                Observation.task_type,
                Observation.estimator,
                func.max(Observation.score),
            )
            .where(Observation.trust != "", Observation.owner_id != "")
            .group_by(
                Observation.owner_id,
                Observation.dataset_key,
                Observation.task_type,
                Observation.estimator,
            )
            .order_by(Observation.owner_id, Observation.dataset_key, Observation.estimator)
        )
        return [(r[0], r[1], r[2], r[3], float(r[4])) for r in rows]

    # -- apps evidence (issue 14) ----------------------------------------------------------
    def app_evidence(self, app_slug: str, neighbourhood: str, kind: str) -> AppEvidence:
        """The row of (app, neighbourhood, kind), created (all zero) when missing."""
        row = self.session.get(AppEvidence, (app_slug, neighbourhood, kind))
        if row is None:
            row = AppEvidence(
                app_slug=app_slug,
                neighbourhood=neighbourhood,
                kind=kind,
                shown=0,
                applied=0,
                dismissed=0,
                improved=0,
                not_improved=0,
                trials=0,
                helped=0,
                delta_sum=0.0,
            )
            self.session.add(row)
            self.session.flush()
        return row

    def app_evidence_of(self, app_slug: str, neighbourhoods: list[str]) -> list[AppEvidence]:
        if not neighbourhoods:
            return []
        return list(
            self.session.scalars(
                select(AppEvidence).where(
                    AppEvidence.app_slug == app_slug,
                    AppEvidence.neighbourhood.in_(neighbourhoods),
                )
            )
        )

    def app_training(self, neighbourhood: str, model: str, params_json: str) -> AppTraining:
        row = self.session.get(AppTraining, (neighbourhood, model, params_json))
        if row is None:
            row = AppTraining(
                neighbourhood=neighbourhood,
                model=model,
                params_json=params_json,
                metric="",
                trials=0,
                validation_sum=0.0,
                best_validation=0.0,
            )
            self.session.add(row)
            self.session.flush()
        return row

    def app_trainings_of(self, neighbourhoods: list[str]) -> list[AppTraining]:
        if not neighbourhoods:
            return []
        return list(
            self.session.scalars(
                select(AppTraining).where(AppTraining.neighbourhood.in_(neighbourhoods))
            )
        )

    def app_neighbourhoods(self, app_slug: str, task: str) -> list[str]:
        """Every neighbourhood of a task with evidence for the app (the near-match search)."""
        like = f"{task}|%"
        if app_slug == "training":
            found = self.session.scalars(
                select(AppTraining.neighbourhood)
                .where(AppTraining.neighbourhood.like(like))
                .distinct()
            )
        else:
            found = self.session.scalars(
                select(AppEvidence.neighbourhood)
                .where(AppEvidence.app_slug == app_slug, AppEvidence.neighbourhood.like(like))
                .distinct()
            )
        return [str(n) for n in found]
