"""Instructor challenge authoring in the gateway: role check, request shapes and JSON views,
shared by the JSON API (`gateway.api.authoring`) and the pages (`gateway.pages_authoring`).
All state lives in the authoring service; the gateway only checks the role, validates the
CSV upload like every other upload, and proxies."""

from __future__ import annotations

import asyncio
from typing import Any

from ascent.authoring.v1 import authoring_service_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field

from gateway.auth import UserInfo
from gateway.challenges import check_slug, is_instructor
from gateway.context import Gateway
from gateway.datasets import parse_dataset
from gateway.schemas import timestamp_iso
from services.common.errors import AscentError

# Validation runs the reference and the starter code; both may queue behind learner runs.
VALIDATE_TIMEOUT = 300.0


def require_instructor(user: UserInfo) -> UserInfo:
    if not is_instructor(user):
        raise AscentError("forbidden", "Only instructors can author challenges.")
    return user


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


# -- flows ---------------------------------------------------------------------------------------
async def list_challenges(gw: Gateway, user: UserInfo) -> list[pb.AuthoredChallenge]:
    require_instructor(user)
    response = await gw.clients.authoring_call("ListChallenges", pb.ListChallengesRequest())
    return list(response.challenges)


async def create(gw: Gateway, user: UserInfo, body: ChallengeInput) -> pb.AuthoredChallenge:
    require_instructor(user)
    request = pb.CreateChallengeRequest(owner_id=user.id, fields=body.fields())
    return await gw.clients.authoring_call("CreateChallenge", request)


async def get(gw: Gateway, user: UserInfo, slug: str) -> pb.AuthoredChallenge:
    require_instructor(user)
    return await gw.clients.authoring_call(
        "GetChallenge", pb.GetChallengeRequest(slug=check_slug(slug))
    )


async def update(
    gw: Gateway, user: UserInfo, slug: str, body: ChallengeInput
) -> pb.AuthoredChallenge:
    require_instructor(user)
    request = pb.UpdateChallengeRequest(slug=check_slug(slug), fields=body.fields())
    return await gw.clients.authoring_call("UpdateChallenge", request)


async def upload_dataset(
    gw: Gateway,
    user: UserInfo,
    slug: str,
    filename: str,
    content: bytes,
    *,
    target: str | None = None,
    delimiter: str = "auto",
    encoding: str = "auto",
) -> pb.AuthoredChallenge:
    """The same CSV checks as a notebook upload (encoding, delimiter, header, size, rows);
    the stored CSV is UTF-8 and comma-separated with the target last."""
    require_instructor(user)
    check_slug(slug)
    parsed = await asyncio.to_thread(
        parse_dataset,
        content,
        gw.settings.max_dataset_rows,
        delimiter=delimiter,
        encoding=encoding,
        target=target,
    )
    request = pb.UploadDatasetRequest(
        slug=slug, csv=parsed.content, filename=filename[:200], target=parsed.target
    )
    return await gw.clients.authoring_call("UploadDataset", request)


async def validate(gw: Gateway, user: UserInfo, slug: str) -> pb.ValidationReport:
    require_instructor(user)
    return await gw.clients.authoring_call(
        "Validate", pb.ValidateRequest(slug=check_slug(slug)), VALIDATE_TIMEOUT
    )


async def publish(gw: Gateway, user: UserInfo, slug: str) -> pb.PublishResponse:
    require_instructor(user)
    return await gw.clients.authoring_call(
        "Publish", pb.PublishRequest(slug=check_slug(slug)), VALIDATE_TIMEOUT
    )


async def archive(gw: Gateway, user: UserInfo, slug: str) -> pb.AuthoredChallenge:
    require_instructor(user)
    return await gw.clients.authoring_call("Archive", pb.ArchiveRequest(slug=check_slug(slug)))


async def export(gw: Gateway, user: UserInfo, slug: str, version: int = 0) -> pb.ExportResponse:
    require_instructor(user)
    return await gw.clients.authoring_call(
        "Export", pb.ExportRequest(slug=check_slug(slug), version=version)
    )


async def import_zip(gw: Gateway, user: UserInfo, content: bytes) -> pb.AuthoredChallenge:
    require_instructor(user)
    return await gw.clients.authoring_call(
        "Import", pb.ImportRequest(owner_id=user.id, zip=content)
    )
