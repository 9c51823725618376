"""Views of the notebook domain: the request bodies of the sessions, runs and AI routes, and
the views of sessions, datasets, uploads, runs and improvements (the JSON of the API and
the context of the notebook page)."""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

from ascent.types.v1 import run_pb2
from pydantic import (
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from gateway.datasets import ParsedDataset
from gateway.models import NotebookSession
from gateway.rendering import score_label, score_text
from gateway.views import (
    MAX_CODE_CHARS,
    Body,
    Code,
    FieldsSchema,
    View,
    checked,
    datetime_iso,
    timestamp_iso,
)
from services.common.ml.scoring import outcome_problem, ranking_score


class SessionCreate(Body):
    name: str | None = Field(default=None, max_length=200)


class CodeUpdate(Body):
    # Saving an empty editor is allowed; running it is not.
    code: str = Field(json_schema_extra=checked(max_length=MAX_CODE_CHARS))


class RunCreate(Body):
    session_id: str = Field(max_length=64)
    code: Code
    name: str | None = Field(default=None, max_length=200)


class ImproveCreate(Body):
    session_id: str = Field(max_length=64)
    run_id: str | None = Field(default=None, max_length=64)
    # "answer" (default) or "socratic": hints and guiding questions first, the answer last.
    mode: Literal["answer", "socratic"] = "answer"
    # Auto-improve: up to this many rounds, stopping at the first round without a gain.
    rounds: int = Field(default=1, ge=1, le=5)


class ProposalFeedback(Body):
    """A rating, a verdict, or both (the schema's `anyOf`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["rating"], "properties": {"rating": {"type": "integer"}}},
                {"required": ["verdict"], "properties": {"verdict": {"type": "string"}}},
            ]
        }
    )
    rating: int | None = Field(default=None, ge=1, le=5)
    verdict: Literal["accepted", "rejected"] | None = None

    @model_validator(mode="after")
    def _something_given(self) -> ProposalFeedback:
        if self.rating is None and self.verdict is None:
            raise ValueError("Give a rating (1-5), a verdict, or both.")
        return self


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


class DisplayView(View):
    """The value of the run's last expression: a table (DataFrame/Series) or a repr text.
    Plain strings only; the templates escape them."""

    kind: str
    typeName: str
    text: str
    columns: list[str]
    index: list[str]
    rows: list[list[str]]
    totalRows: int
    totalColumns: int

    @classmethod
    def of(cls, run: run_pb2.Run) -> DisplayView | None:
        if not run.HasField("display"):
            return None
        shown, table = run.display, run.display.table
        return cls(
            kind=shown.kind,
            typeName=shown.type_name,
            text=shown.text,
            columns=list(table.columns),
            index=list(table.index),
            rows=[list(row.cells) for row in table.rows],
            totalRows=table.total_rows,
            totalColumns=table.total_columns,
        )


class RunView(View):
    """A run as the API returns it and the notebook's templates read it, with its ranking
    score (`score`, `scoreMetric`, `scoreLabel`, `scoreText`) decided here once."""

    id: str
    sessionId: str
    name: str
    code: str
    accuracy: float | None
    precision: float | None
    recall: float | None
    f1Score: float | None
    rmse: float | None
    mae: float | None
    r2: float | None
    modelType: str | None
    taskType: str | None
    datasetInfo: Any
    confusionMatrix: Any
    pipeline: Any
    stdout: str
    error: str | None
    isImproved: bool
    parentRunId: str | None
    status: str
    durationMs: int
    datasetSha256: str | None
    createdAt: str | None
    figures: list[str]
    display: DisplayView | None
    # Why a run that reports a score is not ranked (an impossible metric), else None.
    unrankedReason: str | None
    score: float | None
    scoreMetric: str | None
    scoreLabel: str | None
    scoreText: str

    @classmethod
    def of(cls, run: run_pb2.Run) -> RunView:
        outcome = run.outcome
        accuracy = _optional(outcome, "accuracy")
        r2 = _optional(outcome, "r2")
        scored = ranking_score(outcome)
        metric, value = scored if scored is not None else (None, None)
        return cls(
            id=run.id,
            sessionId=run.session_id,
            name=run.name,
            code=run.code,
            accuracy=accuracy,
            precision=_optional(outcome, "precision"),
            recall=_optional(outcome, "recall"),
            f1Score=_optional(outcome, "f1_score"),
            rmse=_optional(outcome, "rmse"),
            mae=_optional(outcome, "mae"),
            r2=r2,
            modelType=outcome.model_type or None,
            taskType=outcome.task_type or None,
            datasetInfo=_json_or(outcome.dataset_info_json, None),
            confusionMatrix=_json_or(outcome.confusion_matrix_json, None),
            pipeline=_json_or(outcome.pipeline_json, None),
            stdout=run.stdout,
            error=error_text(run),
            isImproved=run.is_improved,
            parentRunId=run.parent_run_id or None,
            status=run.status,
            durationMs=run.duration_ms,
            datasetSha256=run.dataset_sha256 or None,
            createdAt=timestamp_iso(run.created_at),
            figures=[base64.b64encode(fig).decode("ascii") for fig in run.figures],
            display=DisplayView.of(run),
            unrankedReason=outcome_problem(outcome),
            score=value,
            scoreMetric=metric,
            scoreLabel=score_label(metric),
            scoreText=score_text(metric, value),
        )


class DatasetView(View):
    """The dataset attached to a session (its card and the session's `dataset`)."""

    filename: str | None
    sha256: str
    rows: int | None
    columns: int | None
    target: str | None

    @classmethod
    def of(cls, notebook: NotebookSession) -> DatasetView | None:
        if not notebook.dataset_sha256:
            return None
        return cls(
            filename=notebook.dataset_filename,
            sha256=notebook.dataset_sha256,
            rows=notebook.dataset_rows,
            columns=notebook.dataset_columns,
            target=notebook.dataset_target,
        )


class SessionView(View):
    id: str
    name: str
    code: str
    createdAt: str
    updatedAt: str
    dataset: DatasetView | None

    @classmethod
    def of(cls, notebook: NotebookSession) -> SessionView:
        return cls(
            id=notebook.id,
            name=notebook.name,
            code=notebook.code,
            createdAt=datetime_iso(notebook.created_at),
            updatedAt=datetime_iso(notebook.updated_at),
            dataset=DatasetView.of(notebook),
        )


class SessionDetailView(SessionView):
    """A session with its runs, best first; `runsError` when they could not be read."""

    runs: list[RunView]
    runsError: str | None


class UploadView(View):
    """What an upload became: the stored dataset with its columns and first rows."""

    filename: str
    sha256: str
    rows: int
    columns: int
    columnsList: list[str]
    preview: list[dict[str, Any]]
    target: str
    delimiter: str
    encoding: str
    # "comma" when decimal commas were read as numbers, in `decimalColumns`.
    decimal: str = "point"
    decimalColumns: list[str] = Field(default_factory=list)

    @classmethod
    def of(cls, filename: str, sha256: str, parsed: ParsedDataset) -> UploadView:
        return cls(
            filename=filename,
            sha256=sha256,
            rows=parsed.rows,
            columns=len(parsed.columns),
            columnsList=parsed.columns,
            preview=parsed.preview,
            target=parsed.target,
            delimiter=parsed.delimiter,
            encoding=parsed.encoding,
            decimal=parsed.decimal,
            decimalColumns=parsed.decimal_columns,
        )


class StepView(View):
    kind: str
    text: str


class ExperimentView(View):
    name: str
    code: str
    rationale: str


class RoundView(View):
    experimentName: str
    runId: str
    parentRunId: str
    # The ranking metric of the round's run; `before` is None when its parent's differs.
    metric: str | None = None
    before: float | None
    score: float | None
    improved: bool
    kept: bool


class AutoImproveView(View):
    rounds: list[RoundView]
    stopped: str
    startRunId: str


class ImprovementView(FieldsSchema, View):
    """The coach's answer and its experiment, already run (`improvedRun`, against
    `parentRun`); `autoImprove` only when several rounds were asked for."""

    mode: str
    steps: list[StepView]
    notice: str
    autoImprove: AutoImproveView | None = None
    diagnosis: str
    suggestions: list[str]
    improvedExperiment: ExperimentView
    improvedRun: RunView
    parentRun: RunView
    proposalId: str
    engine: str

    @model_serializer(mode="wrap")
    def _without_absent_loop(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # A single round's JSON has never carried the key.
        data: dict[str, Any] = handler(self)
        if data.get("autoImprove") is None:
            data.pop("autoImprove", None)
        return data


class FeedbackView(View):
    proposalId: str
    rating: int | None
    verdict: str | None
