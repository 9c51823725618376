"""Every query of the serving service, over the caller's session (the unit of work stays
the adapter's)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services.common.errors import AscentError
from services.serving.models import (
    ConceptAlert,
    Deployment,
    DriftAlert,
    Feedback,
    ModelVersion,
    Prediction,
)


class ServingRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Deployment | ModelVersion | DriftAlert | ConceptAlert) -> None:
        self.session.add(row)
        self.session.flush()

    def deployment(self, deployment_id: str) -> Deployment | None:
        return self.session.get(Deployment, deployment_id)

    def owned(self, owner_id: str, deployment_id: str) -> Deployment:
        """The owner's deployment; another learner's is "not found" (its existence is not
        theirs to learn)."""
        deployment = self.deployment(deployment_id) if deployment_id else None
        if deployment is None or deployment.owner_id != owner_id:
            raise AscentError("not_found", "Deployment not found.")
        return deployment

    def deployment_for_update(self, deployment_id: str) -> Deployment | None:
        stmt = select(Deployment).where(Deployment.id == deployment_id).with_for_update()
        return self.session.scalars(stmt).first()

    def deployments_of(self, owner_id: str, limit: int = 200) -> list[Deployment]:
        stmt = (
            select(Deployment)
            .where(Deployment.owner_id == owner_id)
            .order_by(Deployment.created_at.desc())
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def version(self, deployment_id: str, version: int) -> ModelVersion | None:
        stmt = select(ModelVersion).where(
            ModelVersion.deployment_id == deployment_id, ModelVersion.version == version
        )
        return self.session.scalars(stmt).first()

    def versions(self, deployment_id: str) -> list[ModelVersion]:
        stmt = (
            select(ModelVersion)
            .where(ModelVersion.deployment_id == deployment_id)
            .order_by(ModelVersion.version.desc())
        )
        return list(self.session.scalars(stmt))

    def latest_version_number(self, deployment_id: str) -> int:
        stmt = select(func.max(ModelVersion.version)).where(
            ModelVersion.deployment_id == deployment_id
        )
        return int(self.session.scalar(stmt) or 0)

    def mark_served(self, deployment_id: str, version: int, at: datetime) -> bool:
        """True for the one call that marks a version's first served prediction."""
        stmt = (
            update(ModelVersion)
            .where(
                ModelVersion.deployment_id == deployment_id,
                ModelVersion.version == version,
                ModelVersion.first_served_at.is_(None),
            )
            .values(first_served_at=at)
        )
        return bool(self.session.execute(stmt).rowcount)  # type: ignore[attr-defined]

    def add_predictions(self, rows: list[Prediction]) -> None:
        self.session.add_all(rows)

    def predictions_logged(self, deployment_id: str) -> int:
        stmt = select(func.count()).where(Prediction.deployment_id == deployment_id)
        return int(self.session.scalar(stmt) or 0)

    def prune_older_than(self, cutoff: datetime) -> int:
        result = self.session.execute(delete(Prediction).where(Prediction.created_at < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def prune_beyond(self, deployment_id: str, keep: int) -> int:
        """Keeps the `keep` newest requests of a deployment."""
        boundary = self.session.scalar(
            select(Prediction.id)
            .where(Prediction.deployment_id == deployment_id)
            .order_by(Prediction.id.desc())
            .offset(keep)
            .limit(1)
        )
        if boundary is None:
            return 0
        result = self.session.execute(
            delete(Prediction).where(
                Prediction.deployment_id == deployment_id, Prediction.id <= boundary
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    # -- monitor (issue 16, drift) --

    def logged_inputs(
        self, deployment_id: str, version: int, limit: int
    ) -> list[tuple[datetime, str]]:
        """(time, features_json) of the newest `limit` successful requests of a version."""
        stmt = (
            select(Prediction.created_at, Prediction.features_json)
            .where(
                Prediction.deployment_id == deployment_id,
                Prediction.version == version,
                Prediction.status == "ok",
            )
            .order_by(Prediction.id.desc())
            .limit(limit)
        )
        return [(at, features) for at, features in self.session.execute(stmt)]

    def drift_alerts(self, deployment_id: str, version: int) -> dict[str, DriftAlert]:
        stmt = select(DriftAlert).where(
            DriftAlert.deployment_id == deployment_id, DriftAlert.version == version
        )
        return {a.feature: a for a in self.session.scalars(stmt)}

    # -- monitor (issue 16, concept drift) --

    def predictions_by_request(
        self, deployment_id: str, request_ids: list[str]
    ) -> dict[str, Prediction]:
        """The logged successful requests of a deployment by request id."""
        if not request_ids:
            return {}
        stmt = select(Prediction).where(
            Prediction.request_id.in_(request_ids),
            Prediction.deployment_id == deployment_id,
            Prediction.status == "ok",
        )
        return {p.request_id: p for p in self.session.scalars(stmt) if p.request_id}

    def feedback_for(self, deployment_id: str, prediction_ids: list[str]) -> dict[str, Feedback]:
        stmt = select(Feedback).where(
            Feedback.deployment_id == deployment_id, Feedback.prediction_id.in_(prediction_ids)
        )
        return {f.prediction_id: f for f in self.session.scalars(stmt)}

    def add_feedback(self, rows: list[Feedback]) -> None:
        self.session.add_all(rows)

    def feedback_errors(
        self, deployment_id: str, version: int, limit: int
    ) -> list[tuple[datetime, float]]:
        """(prediction time, error) of the newest `limit` labelled predictions of a version,
        newest first."""
        stmt = (
            select(Feedback.predicted_at, Feedback.error)
            .where(Feedback.deployment_id == deployment_id, Feedback.version == version)
            .order_by(Feedback.predicted_at.desc(), Feedback.id.desc())
            .limit(limit)
        )
        return [(at, float(error)) for at, error in self.session.execute(stmt)]

    def feedback_count(self, deployment_id: str, version: int) -> int:
        stmt = select(func.count()).where(
            Feedback.deployment_id == deployment_id, Feedback.version == version
        )
        return int(self.session.scalar(stmt) or 0)

    def prune_feedback_beyond(self, deployment_id: str, keep: int) -> int:
        """Keeps the `keep` newest labels of a deployment."""
        boundary = self.session.scalar(
            select(Feedback.id)
            .where(Feedback.deployment_id == deployment_id)
            .order_by(Feedback.id.desc())
            .offset(keep)
            .limit(1)
        )
        if boundary is None:
            return 0
        result = self.session.execute(
            delete(Feedback).where(Feedback.deployment_id == deployment_id, Feedback.id <= boundary)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def prune_feedback_older_than(self, cutoff: datetime) -> int:
        result = self.session.execute(delete(Feedback).where(Feedback.created_at < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def concept_alert(self, deployment_id: str, version: int) -> ConceptAlert | None:
        stmt = select(ConceptAlert).where(
            ConceptAlert.deployment_id == deployment_id, ConceptAlert.version == version
        )
        return self.session.scalars(stmt).first()

    # -- A/B testing (issue 16) --

    def recent_requests(self, deployment_id: str, limit: int) -> list[tuple[int, str, float, str]]:
        """(version, status, latency_ms, predictions_json) of the newest `limit` requests."""
        stmt = (
            select(
                Prediction.version,
                Prediction.status,
                Prediction.latency_ms,
                Prediction.predictions_json,
            )
            .where(Prediction.deployment_id == deployment_id)
            .order_by(Prediction.id.desc())
            .limit(limit)
        )
        return [(v, s, lat, p) for v, s, lat, p in self.session.execute(stmt)]
