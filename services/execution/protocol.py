"""The run protocol: structured results read from a run's stdout and its report.

The seed's lines (`DATASET_INFO:`, `MODEL_TYPE:`, `ACCURACY:`, `CONFUSION_MATRIX:`) plus the
extended ones (`PRECISION:`, `RECALL:`, `F1:`, `RMSE:`, `MAE:`, `R2:`, `TASK_TYPE:`,
`PIPELINE:`, `CV_SCORE:` — cross-validated on the training rows). A malformed line is
ignored rather than failing the run: the learner still gets their output, just without that
metric. Values from the `ascent_report` helper win over
printed ones because they are computed, not typed. `ASCENT_REPORT:` lines (an app's structured
sections, `services/common/report_sections.py`) are not run metrics: they stay in stdout, for
the apps service to read.

JSON values are strict JSON: `NaN`, `Infinity` and `-Infinity` (which Python's json reads
and writes by default) are refused, because every reader downstream — the gateway's JSON
responses, browsers — rejects them; so is a value over `MAX_JSON_CHARS`. A refused line is
named in `notices`, which the run carries (`Run.notices`) so the learner sees why.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from ascent.types.v1 import run_pb2

from services.common.ml.scoring import metric_problem, outcome_problem

_FLOAT_FIELDS = {
    "ACCURACY": "accuracy",
    "PRECISION": "precision",
    "RECALL": "recall",
    "F1": "f1_score",
    "F1_SCORE": "f1_score",
    "RMSE": "rmse",
    "MAE": "mae",
    "R2": "r2",
    # Cross-validated on the training rows (the coach's programs): what auto-improve selects by.
    "CV_SCORE": "cv_score",
}
_JSON_FIELDS = {
    "DATASET_INFO": "dataset_info_json",
    "CONFUSION_MATRIX": "confusion_matrix_json",
    "PIPELINE": "pipeline_json",
}
_TEXT_FIELDS = {"MODEL_TYPE": "model_type", "TASK_TYPE": "task_type"}
_REPORT_FLOATS = {
    "accuracy": "accuracy",
    "precision": "precision",
    "recall": "recall",
    "f1": "f1_score",
    "f1_score": "f1_score",
    "rmse": "rmse",
    "mae": "mae",
    "r2": "r2",
}


def _finite(value: str | float | int) -> float | None:
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    if isinstance(value, str) and value.strip().endswith("%"):
        number /= 100.0
    return number


# A protocol JSON value (a confusion matrix, dataset info, a pipeline) larger than this is
# not a summary any more; it would also crowd the run's event (EVENTS.md, "Bounded events").
MAX_JSON_CHARS = 64_000


class NotJson(ValueError):
    """A protocol value that is not strict JSON, with the reason shown to the learner."""


def _refuse_constant(name: str) -> Any:
    raise NotJson(f"{name} is not a number JSON allows")


def strict_json(parsed: Any) -> str:
    """Compact JSON of a value, refusing NaN/Infinity (raises NotJson) and oversize output."""
    try:
        text = json.dumps(parsed, separators=(",", ":"), allow_nan=False, default=str)
    except ValueError as exc:
        raise NotJson("NaN and Infinity are not valid JSON") from exc
    except RecursionError as exc:
        raise NotJson("the value is nested too deeply") from exc
    if len(text) > MAX_JSON_CHARS:
        raise NotJson(f"the value is longer than {MAX_JSON_CHARS:,} characters")
    return text


def _json(value: str) -> str:
    try:
        parsed = json.loads(value, parse_constant=_refuse_constant)
    except NotJson:
        raise
    except (ValueError, RecursionError) as exc:
        raise NotJson("it is not valid JSON") from exc
    return strict_json(parsed)


def _not_a_number(value: str) -> bool:
    try:
        return not math.isfinite(float(value.strip().rstrip("%")))
    except ValueError:
        return False


# A scikit-learn `classification_report` row: a label, then precision, recall, F1 and support.
_REPORT_ROW = re.compile(
    r"^\s*(?P<label>\S.*?)\s+(?P<p>\d+\.\d+)\s+(?P<r>\d+\.\d+)\s+(?P<f>\d+\.\d+)\s+(?P<n>\d+)\s*$"
)
_REPORT_SUMMARY_ROWS = ("macro avg", "weighted avg", "micro avg", "samples avg")
# The averaged row read into precision/recall/F1. Macro, not weighted: each class counts
# the same, as in `ascent_report.log_classification`'s headline numbers, so a model that
# ignores a rare class is not flattered by the frequent ones.
_REPORT_AVERAGE = "macro avg"


def _classification_report(lines: list[str]) -> tuple[list[str], tuple[float, float, float] | None]:
    """The class labels (in the report's order, which is the confusion matrix's: sorted) and
    the macro-averaged precision/recall/F1 of every `classification_report` in `lines`; the
    last report wins, like the last printed metric line."""
    labels: list[str] = []
    average: tuple[float, float, float] | None = None
    current: list[str] = []
    for line in lines:
        if line.split() == ["precision", "recall", "f1-score", "support"]:
            current = []
            continue
        row = _REPORT_ROW.match(line)
        if row is None:
            continue
        label = row["label"].strip()
        if label in _REPORT_SUMMARY_ROWS:
            if label == _REPORT_AVERAGE:
                average = (float(row["p"]), float(row["r"]), float(row["f"]))
                labels = current
            continue
        current.append(label[:200])
    return labels, average


def _with_classes(dataset_info_json: str, labels: list[str]) -> str:
    """DATASET_INFO with `classes` (what the confusion matrix is labelled with) when the code
    did not name them itself."""
    info = _json_or_none(dataset_info_json) if dataset_info_json else {}
    if not isinstance(info, dict) or "classes" in info:
        return dataset_info_json
    info["classes"] = labels
    return json.dumps(info, separators=(",", ":"))


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def parse_stdout(stdout: str, notices: list[str] | None = None) -> run_pb2.RunOutcome:
    """The outcome the protocol lines describe; a JSON line that is refused is named in
    `notices` (when given)."""
    notices = notices if notices is not None else []
    outcome = run_pb2.RunOutcome()
    # Printed metrics that are not numbers (nan, inf): kept out of the outcome, but named.
    unreadable: dict[str, float] = {}
    for line in stdout.splitlines():
        key, sep, rest = line.partition(":")
        if not sep:
            continue
        key = key.strip().upper()
        value = rest.strip()
        if key in _FLOAT_FIELDS:
            number = _finite(value)
            if number is not None:
                setattr(outcome, _FLOAT_FIELDS[key], number)
            elif _not_a_number(value):
                unreadable[_FLOAT_FIELDS[key]] = float(value.strip().rstrip("%"))
        elif key in _JSON_FIELDS:
            try:
                setattr(outcome, _JSON_FIELDS[key], _json(value))
            except NotJson as exc:
                notice = f"The {key}: line was ignored: {exc}."
                if notice not in notices:
                    notices.append(notice)
        elif key in _TEXT_FIELDS and value:
            setattr(outcome, _TEXT_FIELDS[key], value[:200])
    labels, average = _classification_report(stdout.splitlines())
    if average is not None:
        # Printed PRECISION:/RECALL:/F1: lines say what the learner meant: they win.
        for field, number in zip(("precision", "recall", "f1_score"), average, strict=True):
            if not outcome.HasField(field):
                setattr(outcome, field, number)
    if labels:
        outcome.dataset_info_json = _with_classes(outcome.dataset_info_json, labels)
    if not outcome.task_type:
        if outcome.HasField("accuracy") or outcome.confusion_matrix_json:
            outcome.task_type = "classification"
        elif outcome.HasField("r2") or outcome.HasField("rmse"):
            outcome.task_type = "regression"
    for field, number in unreadable.items():
        if not outcome.HasField(field):
            outcome.unranked_reason = metric_problem(field, number) or ""
            break
    return outcome


def merge_report(
    outcome: run_pb2.RunOutcome, report: dict[str, Any], notices: list[str] | None = None
) -> run_pb2.RunOutcome:
    """Overlay what the `ascent_report` helper recorded onto the parsed outcome; a recorded
    value that is not strict JSON is named in `notices` (when given)."""
    notices = notices if notices is not None else []
    metrics = report.get("metrics")
    if not isinstance(metrics, dict):
        metrics = {}
    for key, field in _REPORT_FLOATS.items():
        if key in metrics:
            number = _finite(metrics[key])
            if number is not None:
                setattr(outcome, field, number)
    if isinstance(report.get("confusion_matrix"), list):
        try:
            outcome.confusion_matrix_json = strict_json(report["confusion_matrix"])
        except NotJson as exc:
            notices.append(f"The reported confusion matrix was ignored: {exc}.")
    model = report.get("model")
    if not isinstance(model, dict):
        model = {}
    if isinstance(model.get("type"), str) and model["type"]:
        outcome.model_type = model["type"][:200]
    if model:
        try:
            outcome.pipeline_json = strict_json(model)
        except NotJson as exc:
            notices.append(f"The reported model description was ignored: {exc}.")
    task = report.get("task_type") or metrics.get("task_type")
    if task in ("classification", "regression"):
        outcome.task_type = task
    return outcome


def check_scores(outcome: run_pb2.RunOutcome) -> run_pb2.RunOutcome:
    """Name the impossible metric of a run (accuracy 7.5, a negative RMSE…), if any: such a
    run is kept and shown, but not ranked (services.common.ml.scoring.outcome_problem)."""
    outcome.unranked_reason = outcome_problem(outcome) or ""
    return outcome


# Bounds of a displayed value, checked again here: the report was writable by learner code.
_DISPLAY_TEXT_CHARS = 20_000
_DISPLAY_CELL_CHARS = 200
_DISPLAY_ROWS = 50
_DISPLAY_COLUMNS = 50


def _texts(value: Any, limit: int, chars: int) -> list[str]:
    if not isinstance(value, list):
        return []
    return [str(item)[:chars] for item in value[:limit]]


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def display_of(report: dict[str, Any]) -> run_pb2.RunDisplay | None:
    """The value of the code's last expression (`ascent_report._display`), or None."""
    shown = report.get("display")
    if not isinstance(shown, dict) or shown.get("kind") not in ("table", "text"):
        return None
    display = run_pb2.RunDisplay(
        kind=str(shown["kind"]),
        type_name=str(shown.get("type_name") or "")[:100],
        text=str(shown.get("text") or "")[:_DISPLAY_TEXT_CHARS],
    )
    table = shown.get("table")
    if display.kind == "table":
        if not isinstance(table, dict):
            display.kind = "text"
            return display
        columns = _texts(table.get("columns"), _DISPLAY_COLUMNS, _DISPLAY_CELL_CHARS)
        display.table.columns.extend(columns)
        display.table.index.extend(_texts(table.get("index"), _DISPLAY_ROWS, _DISPLAY_CELL_CHARS))
        rows = table.get("rows")
        for row in rows[:_DISPLAY_ROWS] if isinstance(rows, list) else []:
            cells = _texts(row, len(columns), _DISPLAY_CELL_CHARS)
            display.table.rows.add(cells=cells)
        display.table.total_rows = _count(table.get("total_rows"))
        display.table.total_columns = _count(table.get("total_columns"))
    return display
