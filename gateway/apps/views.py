"""Views of the apps domain: the JSON the API sends and the context its templates read."""

from __future__ import annotations

import json
from typing import Any, Literal

from ascent.apps.v1 import apps_service_pb2 as pb
from pydantic import Field

from gateway.views import Body, View, timestamp_iso


class AppView(View):
    slug: str
    title: str
    concept: str
    summary: str
    unlocked: bool
    unlockText: str
    available: bool
    url: str

    @classmethod
    def of(cls, app: pb.AppInfo) -> AppView:
        return cls(
            slug=app.slug,
            title=app.title,
            concept=app.concept,
            summary=app.summary,
            unlocked=app.unlocked,
            unlockText=app.unlock_text,
            available=app.available,
            url=f"/apps/{app.slug}",
        )


class SectionView(View):
    kind: str
    version: int
    data: dict[str, Any]

    @classmethod
    def of(cls, section: pb.Section) -> SectionView:
        data = json.loads(section.data_json) if section.data_json else {}
        return cls(kind=section.kind, version=section.version, data=data)


class AnalysisView(View):
    id: str
    appSlug: str
    sessionId: str
    datasetName: str
    datasetSha256: str
    target: str
    # running | completed | failed | cancelled
    status: str
    # The exact program that ran: run unchanged in the notebook, it prints the same sections.
    code: str
    runId: str
    sections: list[SectionView]
    errorMessage: str
    createdAt: str | None
    completedAt: str | None
    durationMs: int

    @classmethod
    def of(cls, analysis: pb.Analysis) -> AnalysisView:
        return cls(
            id=analysis.id,
            appSlug=analysis.app_slug,
            sessionId=analysis.session_id,
            datasetName=analysis.dataset_name,
            datasetSha256=analysis.dataset_sha256,
            target=analysis.target,
            status=analysis.status,
            code=analysis.code,
            runId=analysis.run_id,
            sections=[SectionView.of(s) for s in analysis.sections],
            errorMessage=analysis.error_message,
            createdAt=timestamp_iso(analysis.created_at),
            completedAt=timestamp_iso(analysis.completed_at),
            durationMs=analysis.duration_ms,
        )

    def section(self, kind: str) -> dict[str, Any] | None:
        for section in self.sections:
            if section.kind == kind:
                return section.data
        return None


class ProgramView(View):
    sessionId: str
    code: str


class AppliedView(View):
    verdict: str
    code: str
    # The code was inserted into the session's notebook code (after its read_csv line).
    inserted: bool
    notebookUrl: str


class CancelledView(View):
    found: bool


class NotebookOpenedView(View):
    sessionId: str
    url: str


class AnalysisStart(Body):
    sessionId: str = Field(min_length=1, max_length=100)
    # The app's choices, e.g. {"sample_rows": 5000} for the explorer.
    options: dict[str, Any] = Field(default_factory=dict)


class ViewTime(Body):
    view: str = Field(min_length=1, max_length=40)
    seconds: float = Field(gt=0, le=3600)


class SuggestionDecision(Body):
    # The recommendation's `key` in the analysis's quality section.
    key: str = Field(min_length=1, max_length=300)
    verdict: Literal["applied", "dismissed"]
    # Also insert the code into the session's notebook code.
    insert: bool = False


class TrainedModelView(View):
    """One model the Model Training Sandbox trained on a session (from its run's evaluation
    section): the comparison dashboard's row."""

    runId: str
    model: str
    params: dict[str, Any]
    metric: str
    train: float | None
    validation: float | None
    test: float | None
    reading: str
    createdAt: str | None


# -- Model Explainability Suite (issue 15) -------------------------------------------------
class ExplainRunView(View):
    """A run of the session whose model the suite can explain (or says why it cannot)."""

    runId: str
    # "notebook" | "app <slug>" | "challenge practice" | "challenge submission"
    kind: str
    estimator: str
    steps: list[str]
    metric: str | None
    score: float | None
    createdAt: str | None
    # The suite can re-create this estimator from the run's pipeline spec.
    explainable: bool
    reason: str
    label: str


class ExplainLevelView(View):
    # "beginner" | "intermediate" | "advanced"
    level: str
    # Why this level, from what progress knows (tracks, challenges passed).
    why: str


class ExplanationRankView(View):
    explanation: str
    useful: int
    notUseful: int
    weight: float


class ExplanationRankingView(View):
    level: str
    # Most useful first for learners of this level (ties keep the program's order).
    ranks: list[ExplanationRankView]

    @classmethod
    def of(cls, ranking: pb.ExplanationRanking) -> ExplanationRankingView:
        return cls(
            level=ranking.level,
            ranks=[
                ExplanationRankView(
                    explanation=r.explanation,
                    useful=r.useful,
                    notUseful=r.not_useful,
                    weight=round(r.weight, 4),
                )
                for r in ranking.ranks
            ],
        )

    def order(self) -> list[str]:
        return [r.explanation for r in self.ranks]


class ExplainChoiceView(View):
    """What the explain page offers: the session's runs with a pipeline, the default one and
    why, and the learner's level and why."""

    runs: list[ExplainRunView]
    defaultRunId: str
    defaultWhy: str
    level: ExplainLevelView


class ExplanationRating(Body):
    # A section kind of the analysis that is an explanation (importance, beeswarm, …).
    explanation: str = Field(min_length=1, max_length=40)
    useful: bool
