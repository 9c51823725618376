"""Views of the notebook domain: the request bodies of the sessions, runs and AI routes, and
the JSON views of sessions, datasets and runs (also the notebook page's context)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from ascent.types.v1 import run_pb2
from pydantic import Field

from gateway.datasets import ParsedDataset
from gateway.models import NotebookSession
from gateway.views import Body, datetime_iso, timestamp_iso


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


@dataclass
class DatasetSummary:
    filename: str
    sha256: str
    parsed: ParsedDataset = field(repr=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "rows": self.parsed.rows,
            "columns": len(self.parsed.columns),
            "columnsList": self.parsed.columns,
            "preview": self.parsed.preview,
            "target": self.parsed.target,
            "delimiter": self.parsed.delimiter,
            "encoding": self.parsed.encoding,
        }
