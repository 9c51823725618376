"""Views of the authoring domain: the editable fields (request body) and the JSON views of
authored challenges, dataset profiles and validation reports."""

from __future__ import annotations

from typing import Any

from ascent.authoring.v1 import authoring_service_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.views import View, timestamp_iso


class ChallengeInput(BaseModel):
    """Editable fields; in a PATCH only those sent change."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, max_length=500)
    lessonMarkdown: str | None = Field(default=None, max_length=100_000)
    target: str | None = Field(default=None, max_length=200)
    taskType: str | None = Field(default=None, max_length=32)
    metric: str | None = Field(default=None, max_length=32)
    passThreshold: float | None = None
    testFraction: float | None = None
    # Graded submissions per learner in 24 hours (1-100).
    dailySubmissions: int | None = None
    starterCode: str | None = Field(default=None, max_length=100_000)
    hints: list[str] | None = Field(default=None, max_length=10)
    solution: str | None = Field(default=None, max_length=100_000)
    track: str | None = Field(default=None, max_length=100)
    position: int | None = None

    def fields(self) -> pb.ChallengeFields:
        sent = self.model_fields_set
        names = {
            "title": "title",
            "summary": "summary",
            "lessonMarkdown": "lesson_md",
            "target": "target",
            "taskType": "task_type",
            "metric": "metric",
            "passThreshold": "pass_threshold",
            "testFraction": "test_fraction",
            "dailySubmissions": "daily_submissions",
            "starterCode": "starter_code",
            "solution": "solution",
            "track": "track_slug",
            "position": "position",
        }
        message = pb.ChallengeFields()
        for name, proto_name in names.items():
            value = getattr(self, name)
            if name in sent and value is not None:
                setattr(message, proto_name, value)
        if "hints" in sent and self.hints is not None:
            message.hints.extend(self.hints)
            message.hints_set = True
        return message


class CheckView(View):
    """One validation run (the reference solution or the starter code)."""

    status: str
    message: str
    score: float | None
    threshold: float
    passed: bool

    @classmethod
    def of(cls, check: pb.RunCheck) -> CheckView:
        return cls(
            status=check.status,
            message=check.message,
            score=check.score if check.HasField("score") else None,
            threshold=check.threshold,
            passed=check.passed,
        )


class ProblemView(View):
    severity: str
    kind: str
    column: str
    message: str


class SplitView(View):
    method: str
    trainRows: int
    testRows: int
    publicRows: int


class DatasetProfileView(View):
    rows: int
    columns: list[str]
    inferredTaskType: str
    classCounts: dict[str, int]
    problems: list[ProblemView]
    split: SplitView | None

    @classmethod
    def of(cls, profile: pb.DatasetProfile) -> DatasetProfileView:
        return cls(
            rows=profile.rows,
            columns=list(profile.columns),
            inferredTaskType=profile.inferred_task_type,
            classCounts=dict(profile.class_counts),
            problems=[
                ProblemView(severity=p.severity, kind=p.kind, column=p.column, message=p.message)
                for p in profile.problems
            ],
            split=SplitView(
                method=profile.split_method,
                trainRows=profile.train_rows,
                testRows=profile.test_rows,
                publicRows=profile.public_rows,
            )
            if profile.split_method
            else None,
        )


class ValidationView(View):
    ok: bool
    version: int
    messages: list[str]
    reference: CheckView
    starter: CheckView
    profile: DatasetProfileView
    validatedAt: str | None

    @classmethod
    def of(cls, report: pb.ValidationReport) -> ValidationView:
        return cls(
            ok=report.ok,
            version=report.version,
            messages=list(report.messages),
            reference=CheckView.of(report.reference),
            starter=CheckView.of(report.starter),
            profile=DatasetProfileView.of(report.profile),
            validatedAt=timestamp_iso(report.validated_at),
        )


class AuthoredDatasetView(View):
    sha256: str
    filename: str
    profile: DatasetProfileView


class VersionView(View):
    version: int
    status: str
    publishedAt: str | None


class AuthoredChallengeView(View):
    """An authored challenge: the latest version's fields (solution included: this is the
    instructor's view), its dataset profile, last validation and versions."""

    slug: str
    status: str
    currentVersion: int
    version: int
    versionStatus: str
    title: str
    summary: str
    lessonMarkdown: str
    target: str
    taskType: str
    taskTypeOverridden: bool
    metric: str
    passThreshold: float
    testFraction: float
    dailySubmissions: int
    starterCode: str
    hints: list[str]
    solution: str
    track: str
    position: int
    dataset: AuthoredDatasetView | None
    validation: ValidationView | None
    versions: list[VersionView]
    updatedAt: str | None
    # Who may edit it: its author and the instructors they shared it with (plus admins).
    ownerId: str
    editorIds: list[str]

    @classmethod
    def fields_of(cls, item: pb.AuthoredChallenge) -> dict[str, Any]:
        return {
            "slug": item.slug,
            "status": item.status,
            "currentVersion": item.current_version,
            "version": item.version,
            "versionStatus": item.version_status,
            "title": item.title,
            "summary": item.summary,
            "lessonMarkdown": item.lesson_md,
            "target": item.target,
            "taskType": item.task_type,
            "taskTypeOverridden": item.task_type_overridden,
            "metric": item.metric,
            "passThreshold": item.pass_threshold,
            "testFraction": item.test_fraction,
            "dailySubmissions": item.daily_submissions,
            "starterCode": item.starter_code,
            "hints": list(item.hints),
            "solution": item.solution,
            "track": item.track_slug,
            "position": item.position,
            "dataset": AuthoredDatasetView(
                sha256=item.dataset_sha256,
                filename=item.dataset_filename,
                profile=DatasetProfileView.of(item.profile),
            )
            if item.dataset_sha256
            else None,
            "validation": ValidationView.of(item.validation) if item.has_validation else None,
            "versions": [
                VersionView(
                    version=v.version,
                    status=v.status,
                    publishedAt=timestamp_iso(v.published_at)
                    if v.HasField("published_at")
                    else None,
                )
                for v in item.versions
            ],
            "updatedAt": timestamp_iso(item.updated_at),
            "ownerId": item.owner_id,
            "editorIds": list(item.editor_ids),
        }

    @classmethod
    def of(cls, item: pb.AuthoredChallenge) -> AuthoredChallengeView:
        return cls.model_validate(cls.fields_of(item))


class PublishedView(AuthoredChallengeView):
    """A publish: the challenge and the validation it passed (or why nothing was
    published)."""

    validation: ValidationView

    @classmethod
    def of_publish(cls, result: pb.PublishResponse) -> PublishedView:
        fields = AuthoredChallengeView.fields_of(result.challenge)
        return cls.model_validate({**fields, "validation": ValidationView.of(result.validation)})
