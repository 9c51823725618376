"""Views of the notebook domain: the request bodies of the sessions, runs and AI routes, and
the views of sessions, datasets, uploads, runs and improvements (the JSON of the API and
the context of the notebook page)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
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
from gateway.models import NotebookSession, SessionDataset
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
    # The code version this text started from (`codeVersion` of the session as read). When
    # given (or sent as `If-Match`), a save over a newer version is refused with 409 and the
    # stored code; without it the save overwrites, as before.
    version: int | None = Field(default=None, ge=1)


class RunCreate(Body):
    session_id: str = Field(max_length=64)
    code: Code
    name: str | None = Field(default=None, max_length=200)


class AnswerCreate(Body):
    session_id: str = Field(max_length=64)


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
    # The app whose program made the run (e.g. "explorer"), "" for notebook code.
    appSlug: str = ""
    status: str
    durationMs: int
    datasetSha256: str | None
    createdAt: str | None
    figures: list[str]
    display: DisplayView | None
    # Why a run that reports a score is not ranked (an impossible metric), else None.
    unrankedReason: str | None
    # What the platform left out of the run or could not read in it (a protocol line with
    # NaN, a figure over the limits, output shortened for storage), in words.
    notices: list[str]
    # A list entry: `stdout` is only the output's tail and `figures` are left out; the
    # run itself is GET /api/runs/{sessionId}/{id}.
    summary: bool
    score: float | None
    scoreMetric: str | None
    scoreLabel: str | None
    scoreText: str
    # The dataset the run used, by name ("Iris (no CSV)" without one), and the run's rank
    # among the session's runs on that dataset (None: unranked, or not listed with ranks).
    datasetName: str | None = None
    datasetRank: int | None = None

    @classmethod
    def of(
        cls, run: run_pb2.Run, *, rank: int | None = None, dataset_name: str | None = None
    ) -> RunView:
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
            appSlug=run.app_slug,
            status=run.status,
            durationMs=run.duration_ms,
            datasetSha256=run.dataset_sha256 or None,
            createdAt=timestamp_iso(run.created_at),
            figures=[base64.b64encode(fig).decode("ascii") for fig in run.figures],
            display=DisplayView.of(run),
            unrankedReason=outcome_problem(outcome),
            notices=list(run.notices),
            summary=run.summary,
            score=value,
            scoreMetric=metric,
            scoreLabel=score_label(metric),
            scoreText=score_text(metric, value),
            datasetName=dataset_name,
            datasetRank=rank,
        )


# The board's name for runs made without a CSV: the starter then falls back to Iris.
NO_CSV_LABEL = "Iris (no CSV)"


def dataset_label(sha256: str) -> str:
    """The name of a dataset the session has no record of (a run older than the records)."""
    return f"CSV {sha256[:8]}" if sha256 else NO_CSV_LABEL


def dataset_names(datasets: list[SessionDataset]) -> dict[str, str]:
    """Dataset hash -> the board's name for it: its file name, with its target (then its
    hash) when two of the session's datasets share a name (a re-picked target is a new one)."""
    names: dict[str, str] = {"": NO_CSV_LABEL}
    by_file: dict[str, list[SessionDataset]] = {}
    for dataset in datasets:
        by_file.setdefault(dataset.filename, []).append(dataset)
    for filename, same in by_file.items():
        for dataset in same:
            label = filename
            if len(same) > 1:
                label = f"{filename} (target {dataset.target})" if dataset.target else filename
                if sum(1 for d in same if d.target == dataset.target) > 1:
                    label = f"{label} · {dataset.dataset_sha256[:8]}"
            names[dataset.dataset_sha256] = label
    return names


class DatasetOptionView(View):
    """One choice of the runs board's dataset filter."""

    # "current", "all", "none" or a dataset's sha256 (the `dataset` query parameter).
    value: str
    label: str
    runs: int


class BoardView(View):
    """The runs board as shown: the chosen dataset's runs (ranked within it) and the filter."""

    dataset: str
    datasetLabel: str
    options: list[DatasetOptionView]
    rows: list[RunView]

    @classmethod
    def of(
        cls, runs: list[RunView], current_sha256: str, names: dict[str, str], choice: str
    ) -> BoardView:
        """`runs`: every run of the session in the leaderboard's order; `choice`: the filter
        value ("current" by default: the session's dataset now)."""
        counts: dict[str, int] = {}
        for run in runs:
            key = run.datasetSha256 or ""
            counts[key] = counts.get(key, 0) + 1

        def name(sha256: str) -> str:
            return names.get(sha256) or dataset_label(sha256)

        options = [
            DatasetOptionView(
                value="current",
                label=f"{name(current_sha256)} (current)",
                runs=counts.get(current_sha256, 0),
            )
        ]
        options += [
            DatasetOptionView(value=sha256 or "none", label=name(sha256), runs=count)
            for sha256, count in counts.items()
            if sha256 != current_sha256
        ]
        options.append(DatasetOptionView(value="all", label="All datasets", runs=len(runs)))
        chosen = current_sha256 if choice == "current" else "" if choice == "none" else choice
        if choice != "all" and chosen == current_sha256:
            choice = "current"
        if choice == "all":
            rows, label = runs, "all datasets"
        else:
            rows = [run for run in runs if (run.datasetSha256 or "") == chosen]
            label = name(chosen)
        if choice not in {option.value for option in options}:
            # A dataset of the session without runs yet (chosen by its hash or "none").
            options.insert(-1, DatasetOptionView(value=choice, label=label, runs=0))
        return cls(dataset=choice, datasetLabel=label, options=options, rows=rows)


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
    # Goes up by one on every change of `code`: send it back with a save (`version` or
    # `If-Match`) so a save over someone else's newer one is refused, not applied.
    codeVersion: int
    createdAt: str
    updatedAt: str
    dataset: DatasetView | None

    @classmethod
    def of(cls, notebook: NotebookSession) -> SessionView:
        return cls(
            id=notebook.id,
            name=notebook.name,
            code=notebook.code,
            codeVersion=notebook.code_version or 1,
            createdAt=datetime_iso(notebook.created_at),
            updatedAt=datetime_iso(notebook.updated_at),
            dataset=DatasetView.of(notebook),
        )


class StoredCodeView(View):
    """What a refused save is up against: the code stored now and its version."""

    code: str
    codeVersion: int
    updatedAt: str


class CodeConflictBody(View):
    code: Literal["conflict"]
    message: str
    current: StoredCodeView


class CodeConflictView(View):
    """The 409 of `PUT /sessions/{id}/code`: the save started from an older version."""

    error: CodeConflictBody

    @classmethod
    def of(cls, code: str, version: int, updated_at: datetime, message: str) -> CodeConflictView:
        return cls(
            error=CodeConflictBody(
                code="conflict",
                message=message,
                current=StoredCodeView(
                    code=code, codeVersion=version, updatedAt=datetime_iso(updated_at)
                ),
            )
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
    # On the test rows (what the run reports) and cross-validated on the training rows.
    score: float | None
    improved: bool
    kept: bool
    cvScore: float | None = None
    # What chose between this round and the best before it: "cv" (cross-validation on the
    # training rows) or "test" (a run of the comparison reported no CV score).
    decidedBy: str = "cv"


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
    # None (with everything but the questions and hints empty) while a Socratic answer is
    # still hidden: nothing was run yet.
    improvedRun: RunView | None
    parentRun: RunView
    proposalId: str
    engine: str
    answerPending: bool = False

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
