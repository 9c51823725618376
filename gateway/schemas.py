"""Request models (camelCase, unknown fields rejected) and JSON views of protobuf replies."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any, Literal

from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.types.v1 import run_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from gateway.models import NotebookSession


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=False)


class Credentials(Body):
    username: str = Field(max_length=200)
    password: str = Field(max_length=4096)


class SessionCreate(Body):
    name: str | None = Field(default=None, max_length=200)


class CodeUpdate(Body):
    code: str


class RunCreate(Body):
    session_id: str = Field(max_length=64)
    code: str
    name: str | None = Field(default=None, max_length=200)


class ImproveCreate(Body):
    session_id: str = Field(max_length=64)
    run_id: str | None = Field(default=None, max_length=64)
    # "answer" (default) or "socratic": hints and guiding questions first, the answer last.
    mode: Literal["answer", "socratic"] = "answer"
    # Auto-improve: up to this many rounds, stopping at the first round without a gain.
    rounds: int = Field(default=1, ge=1, le=5)


class ProposalFeedback(Body):
    rating: int | None = Field(default=None, ge=1, le=5)
    verdict: Literal["accepted", "rejected"] | None = None


# -- views ------------------------------------------------------------------------------------
def timestamp_iso(ts: Timestamp) -> str | None:
    if ts.seconds == 0 and ts.nanos == 0:
        return None
    return ts.ToDatetime(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def datetime_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _json_or(text: str, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _optional(outcome: run_pb2.RunOutcome, field: str) -> float | None:
    return getattr(outcome, field) if outcome.HasField(field) else None


def error_text(run: run_pb2.Run) -> str | None:
    """The seed's `error` string: "Type: message" then the learner's traceback lines."""
    if not run.has_error:
        return None
    err = run.error
    head = f"{err.type}: {err.message}" if err.type else err.message or run.status or "Error"
    lines = [head, *err.traceback]
    return "\n".join(line.rstrip("\n") for line in lines)


def run_json(run: run_pb2.Run) -> dict[str, Any]:
    outcome = run.outcome
    return {
        "id": run.id,
        "sessionId": run.session_id,
        "name": run.name,
        "code": run.code,
        "accuracy": _optional(outcome, "accuracy"),
        "precision": _optional(outcome, "precision"),
        "recall": _optional(outcome, "recall"),
        "f1Score": _optional(outcome, "f1_score"),
        "rmse": _optional(outcome, "rmse"),
        "mae": _optional(outcome, "mae"),
        "r2": _optional(outcome, "r2"),
        "modelType": outcome.model_type or None,
        "taskType": outcome.task_type or None,
        "datasetInfo": _json_or(outcome.dataset_info_json, None),
        "confusionMatrix": _json_or(outcome.confusion_matrix_json, None),
        "pipeline": _json_or(outcome.pipeline_json, None),
        "stdout": run.stdout,
        "error": error_text(run),
        "isImproved": run.is_improved,
        "parentRunId": run.parent_run_id or None,
        "status": run.status,
        "durationMs": run.duration_ms,
        "datasetSha256": run.dataset_sha256 or None,
        "createdAt": timestamp_iso(run.created_at),
        "figures": [base64.b64encode(fig).decode("ascii") for fig in run.figures],
    }


def dataset_json(notebook: NotebookSession) -> dict[str, Any] | None:
    if not notebook.dataset_sha256:
        return None
    return {
        "filename": notebook.dataset_filename,
        "sha256": notebook.dataset_sha256,
        "rows": notebook.dataset_rows,
        "columns": notebook.dataset_columns,
        "target": notebook.dataset_target,
    }


def session_json(notebook: NotebookSession) -> dict[str, Any]:
    return {
        "id": notebook.id,
        "name": notebook.name,
        "code": notebook.code,
        "createdAt": datetime_iso(notebook.created_at),
        "updatedAt": datetime_iso(notebook.updated_at),
        "dataset": dataset_json(notebook),
    }


def progress_json(progress: progress_pb.GetProgressResponse) -> dict[str, Any]:
    return {
        "xp": progress.xp,
        "level": progress.level,
        "runs": progress.runs,
        "badges": [
            {
                "slug": badge.slug,
                "name": badge.name,
                "description": badge.description,
                "awardedAt": timestamp_iso(badge.awarded_at),
            }
            for badge in progress.badges
        ],
        "history": [
            {"amount": entry.amount, "reason": entry.reason, "at": timestamp_iso(entry.at)}
            for entry in progress.history
        ],
    }


def track_json(track: progress_pb.Track) -> dict[str, Any]:
    return {
        "slug": track.slug,
        "title": track.title,
        "level": track.level,
        "description": track.description,
        "position": track.position,
        "unlocked": track.unlocked,
        "unlockRule": track.unlock_rule,
        "challenges": [
            {
                "slug": challenge.slug,
                "title": challenge.title,
                "summary": challenge.summary,
                "metric": challenge.metric,
                "passThreshold": challenge.pass_threshold,
                "position": challenge.position,
            }
            for challenge in track.challenges
        ],
    }
