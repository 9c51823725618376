"""Every query of the apps service."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.apps.models import (
    Analysis,
    AnalysisSection,
    AppliedSuggestion,
    ExplanationRating,
    ForecastOutcome,
    RecommendationOutcome,
    SessionScore,
    TrainingOutcome,
    TransformOutcome,
    ViewTime,
)


class AppsRepository:
    """Every query of the apps service, on one session (the unit of work the adapter opened)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Analysis | AnalysisSection | AppliedSuggestion) -> None:
        self.session.add(row)
        self.session.flush()

    def analysis(self, analysis_id: str) -> Analysis | None:
        return self.session.get(Analysis, analysis_id)

    def latest(self, owner_id: str, app_slug: str, session_id: str) -> Analysis | None:
        """The owner's newest finished analysis of an app on a session (a running one is
        shown by its stream, a failed one by its message, so both count)."""
        return self.session.scalars(
            select(Analysis)
            .where(
                Analysis.owner_id == owner_id,
                Analysis.app_slug == app_slug,
                Analysis.session_id == session_id,
            )
            .order_by(Analysis.created_at.desc())
            .limit(1)
        ).first()

    def known_neighbourhood(self, dataset_sha256: str, target: str) -> str:
        """The neighbourhood the newest completed analysis of this data and target found."""
        found = self.session.scalars(
            select(Analysis.neighbourhood)
            .where(
                Analysis.dataset_sha256 == dataset_sha256,
                Analysis.target == target,
                Analysis.status == "completed",
                Analysis.neighbourhood != "",
            )
            .order_by(Analysis.created_at.desc())
            .limit(1)
        ).first()
        return str(found or "")

    def running(self) -> list[Analysis]:
        return list(self.session.scalars(select(Analysis).where(Analysis.status == "running")))

    def sections(self, analysis_id: str) -> list[AnalysisSection]:
        return list(
            self.session.scalars(
                select(AnalysisSection)
                .where(AnalysisSection.analysis_id == analysis_id)
                .order_by(AnalysisSection.position)
            )
        )

    def outcome(self, neighbourhood: str, kind: str) -> RecommendationOutcome:
        row = self.session.get(RecommendationOutcome, (neighbourhood, kind))
        if row is None:
            row = RecommendationOutcome(
                neighbourhood=neighbourhood,
                kind=kind,
                shown=0,
                applied=0,
                dismissed=0,
                improved=0,
                not_improved=0,
            )
            self.session.add(row)
            self.session.flush()
        return row

    def outcomes(self, neighbourhood: str) -> dict[str, RecommendationOutcome]:
        rows = self.session.scalars(
            select(RecommendationOutcome).where(
                RecommendationOutcome.neighbourhood == neighbourhood
            )
        )
        return {row.kind: row for row in rows}

    def applied(self, analysis_id: str, key: str) -> AppliedSuggestion | None:
        return self.session.get(AppliedSuggestion, (analysis_id, key))

    def waiting_suggestions(self, session_id: str) -> list[AppliedSuggestion]:
        return list(
            self.session.scalars(
                select(AppliedSuggestion).where(
                    AppliedSuggestion.session_id == session_id,
                    AppliedSuggestion.evaluated_run_id == "",
                )
            )
        )

    def session_score(self, session_id: str) -> SessionScore | None:
        return self.session.get(SessionScore, session_id)

    def set_session_score(self, session_id: str, score: float, run_id: str) -> None:
        row = self.session.get(SessionScore, session_id)
        if row is None:
            self.session.add(SessionScore(session_id=session_id, score=score, run_id=run_id))
        else:
            row.score, row.run_id = score, run_id
        self.session.flush()

    def add_view_time(self, app_slug: str, neighbourhood: str, view: str, seconds: float) -> None:
        row = self.session.get(ViewTime, (app_slug, neighbourhood, view))
        if row is None:
            row = ViewTime(
                app_slug=app_slug, neighbourhood=neighbourhood, view=view, opens=0, seconds=0.0
            )
            self.session.add(row)
        row.opens += 1
        row.seconds += seconds
        self.session.flush()

    def view_times(self, app_slug: str, neighbourhood: str) -> list[ViewTime]:
        return list(
            self.session.scalars(
                select(ViewTime).where(
                    ViewTime.app_slug == app_slug, ViewTime.neighbourhood == neighbourhood
                )
            )
        )

    def transform_outcome(self, neighbourhood: str, kind: str) -> TransformOutcome:
        row = self.session.get(TransformOutcome, (neighbourhood, kind))
        if row is None:
            row = TransformOutcome(
                neighbourhood=neighbourhood, kind=kind, trials=0, helped=0, delta_sum=0.0
            )
            self.session.add(row)
            self.session.flush()
        return row

    def transform_outcomes(self, neighbourhood: str) -> dict[str, TransformOutcome]:
        rows = self.session.scalars(
            select(TransformOutcome).where(TransformOutcome.neighbourhood == neighbourhood)
        )
        return {row.kind: row for row in rows}

    def training_outcome(self, neighbourhood: str, model: str, params_json: str) -> TrainingOutcome:
        row = self.session.get(TrainingOutcome, (neighbourhood, model, params_json))
        if row is None:
            row = TrainingOutcome(
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

    def training_outcomes(self, neighbourhood: str) -> list[TrainingOutcome]:
        return list(
            self.session.scalars(
                select(TrainingOutcome).where(TrainingOutcome.neighbourhood == neighbourhood)
            )
        )

    # -- Model Explainability Suite (issue 15) ---------------------------------------------
    def explanation_rating(self, analysis_id: str, explanation: str) -> ExplanationRating | None:
        return self.session.get(ExplanationRating, (analysis_id, explanation))

    def add_explanation_rating(self, row: ExplanationRating) -> None:
        self.session.add(row)
        self.session.flush()

    def explanation_counts(self, level: str) -> dict[str, tuple[int, int]]:
        """Per explanation: (rated useful, rated not useful) by learners at `level`."""
        rows = self.session.execute(
            select(ExplanationRating.explanation, ExplanationRating.useful, func.count())
            .where(ExplanationRating.level == level)
            .group_by(ExplanationRating.explanation, ExplanationRating.useful)
        )
        counts: dict[str, tuple[int, int]] = {}
        for explanation, useful, count in rows:
            yes, no = counts.get(explanation, (0, 0))
            counts[explanation] = (yes + count, no) if useful else (yes, no + count)
        return counts

    # -- Time-Series Forecaster (issue 15) --
    def forecast_outcome(self, neighbourhood: str, model: str) -> ForecastOutcome:
        row = self.session.get(ForecastOutcome, (neighbourhood, model))
        if row is None:
            row = ForecastOutcome(
                neighbourhood=neighbourhood, model=model, trials=0, wins=0, smape_sum=0.0
            )
            self.session.add(row)
            self.session.flush()
        return row

    def forecast_outcomes(self, neighbourhood: str) -> dict[str, ForecastOutcome]:
        rows = self.session.scalars(
            select(ForecastOutcome).where(ForecastOutcome.neighbourhood == neighbourhood)
        )
        return {row.model: row for row in rows}
