"""Views of the authoring domain: the editable fields (request body) and the JSON views of
authored challenges, dataset profiles and validation reports."""

from __future__ import annotations

from typing import Any

from ascent.authoring.v1 import authoring_service_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.views import timestamp_iso


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


def _check(check: pb.RunCheck) -> dict[str, Any]:
    return {
        "status": check.status,
        "message": check.message,
        "score": check.score if check.HasField("score") else None,
        "threshold": check.threshold,
        "passed": check.passed,
    }


def profile_json(profile: pb.DatasetProfile) -> dict[str, Any]:
    return {
        "rows": profile.rows,
        "columns": list(profile.columns),
        "inferredTaskType": profile.inferred_task_type,
        "classCounts": dict(profile.class_counts),
        "problems": [
            {"severity": p.severity, "kind": p.kind, "column": p.column, "message": p.message}
            for p in profile.problems
        ],
        "split": {
            "method": profile.split_method,
            "trainRows": profile.train_rows,
            "testRows": profile.test_rows,
            "publicRows": profile.public_rows,
        }
        if profile.split_method
        else None,
    }


def validation_json(report: pb.ValidationReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "version": report.version,
        "messages": list(report.messages),
        "reference": _check(report.reference),
        "starter": _check(report.starter),
        "profile": profile_json(report.profile),
        "validatedAt": timestamp_iso(report.validated_at),
    }


def challenge_json(item: pb.AuthoredChallenge) -> dict[str, Any]:
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
        "starterCode": item.starter_code,
        "hints": list(item.hints),
        "solution": item.solution,
        "track": item.track_slug,
        "position": item.position,
        "dataset": {
            "sha256": item.dataset_sha256,
            "filename": item.dataset_filename,
            "profile": profile_json(item.profile),
        }
        if item.dataset_sha256
        else None,
        "validation": validation_json(item.validation) if item.has_validation else None,
        "versions": [
            {
                "version": v.version,
                "status": v.status,
                "publishedAt": timestamp_iso(v.published_at)
                if v.HasField("published_at")
                else None,
            }
            for v in item.versions
        ],
        "updatedAt": timestamp_iso(item.updated_at),
    }
