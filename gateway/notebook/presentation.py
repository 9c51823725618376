"""Presentation helpers of the notebook page: traceback lines, code diffs, heatmap cells,
starter templates and `.ipynb` conversion. Pure functions, no I/O."""

from __future__ import annotations

import difflib
import html
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import nbformat as _nbformat

from services.common.errors import AscentError
from services.common.ml.scoring import metric_label
from services.common.ml.tasks import CLASSIFICATION, MAX_CLASS_VALUES, REGRESSION
from services.common.templates import STARTER_TEMPLATE

# nbformat ships no annotations: its calls are typed as Any here rather than ignored one by one.
nbformat: Any = _nbformat

if TYPE_CHECKING:
    # Only a type here: the views import the renderer, which imports this module.
    from gateway.datasets import DatasetCardView
    from gateway.notebook.views import DisplayView, RunView

_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>.+))?$')
LEARNER_FILES = frozenset({"main.py", "<notebook>", "<string>"})


# A run's console shows at most this many of its last lines; the rest is one click away
# ("show all", "download"): laying out 100,000 lines froze the browser tab.
OUTPUT_TAIL_LINES = 2000


@dataclass(frozen=True)
class OutputTail:
    text: str
    shown: int
    total: int

    @property
    def cut(self) -> bool:
        return self.shown < self.total


def output_tail(text: str, limit: int = OUTPUT_TAIL_LINES) -> OutputTail:
    """The last `limit` lines of a run's output, and how many lines there are in all."""
    total = text.count("\n") + (0 if not text or text.endswith("\n") else 1)
    if total <= limit:
        return OutputTail(text, total, total)
    # Cut at the start of the (total - limit)th line from the end, without splitting it all.
    cut = len(text)
    for _ in range(limit + (1 if text.endswith("\n") else 0)):
        cut = text.rfind("\n", 0, cut)
    return OutputTail(text[cut + 1 :], limit, total)


@dataclass
class TracebackLine:
    kind: str  # "head" | "frame" | "code" | "text"
    text: str
    line: int | None = None
    own: bool = False


def traceback_lines(error: str | None) -> list[TracebackLine]:
    """The error text split so the learner's own frames and the failing code stand out."""
    if not error:
        return []
    raw = error.rstrip("\n").split("\n")
    out: list[TracebackLine] = []
    for index, text in enumerate(raw):
        match = _FRAME.match(text)
        if index == 0:
            out.append(TracebackLine("head", text))
        elif match:
            # The sandbox keeps only frames of the learner's file; anything else (a traceback
            # printed by the learner's own code) is shown without the highlight.
            own = match.group("file") in LEARNER_FILES
            out.append(TracebackLine("frame", text, int(match.group("line")), own))
        elif out and out[-1].kind == "frame":
            out.append(TracebackLine("code", text, out[-1].line, out[-1].own))
        else:
            out.append(TracebackLine("text", text))
    return out


@dataclass
class DiffLine:
    kind: str  # "add" | "del" | "ctx" | "hunk"
    text: str


def code_diff(before: str, after: str, context: int = 3) -> list[DiffLine]:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), "current", "improved", n=context, lineterm=""
    )
    out: list[DiffLine] = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            out.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            out.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            out.append(DiffLine("del", line[1:]))
        else:
            out.append(DiffLine("ctx", line[1:]))
    return out


def diff_stats(diff: list[DiffLine]) -> dict[str, int]:
    return {
        "added": sum(1 for d in diff if d.kind == "add"),
        "removed": sum(1 for d in diff if d.kind == "del"),
    }


def heat(value: Any, matrix: list[list[Any]]) -> float:
    """A cell's share of the matrix's largest count, for the heatmap's colour intensity."""
    try:
        peak = max(float(cell) for row in matrix for cell in row)
        return 0.0 if peak <= 0 else round(float(value) / peak, 3)
    except (TypeError, ValueError):
        return 0.0


def _sorted_labels(labels: list[str]) -> list[str]:
    # scikit-learn orders a confusion matrix by the sorted class values: numbers as numbers.
    try:
        return sorted(labels, key=float)
    except ValueError:
        return sorted(labels)


def class_labels(run: RunView, size: int, summary: DatasetCardView | None = None) -> list[str]:
    """The confusion matrix's class names: those the run gave (DATASET_INFO `classes`, or the
    rows of its printed classification report), else the dataset's target values when there
    are as many, else 0, 1, 2…"""
    info = run.datasetInfo or {}
    labels = info.get("classes") if isinstance(info, dict) else None
    if isinstance(labels, list) and len(labels) == size:
        return [str(label) for label in labels]
    if summary is not None and summary.task == CLASSIFICATION:
        values = [item.label for item in summary.balance]
        if len(values) == size:
            return _sorted_labels(values)
    return [str(i) for i in range(size)]


# Above this many classes a confusion matrix is unreadable (and slow to draw): the most
# classes a target can have and still be a classification label (the shared task rule).
MAX_MATRIX_CLASSES = MAX_CLASS_VALUES


def metric_warning(run: RunView | None, summary: DatasetCardView | None) -> str | None:
    """Why the run's headline metric does not fit the dataset's target, or None."""
    if run is None or summary is None or summary.task != REGRESSION:
        return None
    if run.accuracy is None and run.taskType != CLASSIFICATION:
        return None
    return (
        f"The target '{summary.target}' is a quantity (a regression target), so accuracy is "
        "the wrong metric: it counts exact matches of the number. Measure R², RMSE and MAE "
        "with a regressor instead (the Regression template)."
    )


def matrix_problem(run: RunView, matrix: Any, summary: DatasetCardView | None) -> str | None:
    """Why this run's confusion matrix is not drawn, or None to draw it."""
    if summary is not None and summary.task == REGRESSION:
        return (
            f"No confusion matrix: the target '{summary.target}' is a regression target, "
            "where predictions are numbers, not classes."
        )
    if run.taskType == REGRESSION:
        return "No confusion matrix: this run is a regression."
    size = len(matrix) if isinstance(matrix, list) else 0
    if size > MAX_MATRIX_CLASSES:
        return (
            f"No confusion matrix: {size} classes (more than {MAX_MATRIX_CLASSES}) is too many "
            "to read; a target with that many values is usually a quantity (regression)."
        )
    return None


def score_delta(before: RunView, after: RunView) -> str | None:
    """The change from one run's score to another's ("+3.3 pts", "R² +0.120"), or None when
    they are not measured by the same metric (accuracy vs R²) or one has no score."""
    if before.score is None or after.score is None or before.scoreMetric != after.scoreMetric:
        return None
    return metric_delta(after.scoreMetric, after.score - before.score)


def metric_delta(metric: str | None, change: float) -> str:
    if metric == "accuracy":
        return f"{change * 100:+.1f} pts"
    return f"{metric_label(metric or '')} {change:+.3f}"


REGRESSION_TEMPLATE = """import json
import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split

# Load data (uses the diabetes dataset if no CSV uploaded; the last column is the target)
try:
    df = pd.read_csv('/data/uploaded.csv')
    X = df.iloc[:, :-1].select_dtypes('number')
    y = df.iloc[:, -1]
except Exception:
    data = load_diabetes(as_frame=True)
    X, y = data.data, data.target

print(f"DATASET_INFO: {json.dumps({'rows': len(X), 'columns': len(X.columns), 'features': list(X.columns)})}")
print("TASK_TYPE: regression")

X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
model = Ridge(alpha=1.0)
model.fit(X_train, y_train)
y_pred = model.predict(X_test)

print("MODEL_TYPE: Ridge")
print(f"RMSE: {mean_squared_error(y_test, y_pred) ** 0.5:.4f}")
print(f"MAE: {mean_absolute_error(y_test, y_pred):.4f}")
print(f"R2: {r2_score(y_test, y_pred):.4f}")
"""

TEMPLATES: list[dict[str, str]] = [
    {
        "slug": "iris",
        "title": "Classification · Iris (seed starter)",
        "code": STARTER_TEMPLATE,
    },
    {
        "slug": "regression",
        "title": "Regression · Diabetes (Ridge)",
        "code": REGRESSION_TEMPLATE,
    },
]


def display_table_html(display: DisplayView) -> str:
    """A displayed table as the HTML Jupyter shows for a DataFrame, built from the bounded
    cells with every one escaped (never the learner object's own HTML)."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in display.columns)
    body = []
    for number, row in enumerate(display.rows):
        label = display.index[number] if number < len(display.index) else ""
        cells = "".join(f"<td>{html.escape(cell)}</td>" for cell in row)
        body.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    return (
        f'<table class="dataframe"><thead><tr><th></th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        f"<p>{display.totalRows} rows × {display.totalColumns} columns</p>"
    )


# -- .ipynb -----------------------------------------------------------------------------------
def to_ipynb(name: str, code: str, run: RunView | None) -> str:
    """The session as a one-code-cell Jupyter notebook (nbformat 4), with its last output."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    cells = [nbformat.v4.new_markdown_cell(f"# {name}\n\nExported from Ascent.")]
    cell = nbformat.v4.new_code_cell(code)
    if run is not None:
        outputs = []
        if run.stdout:
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=run.stdout))
        if run.error:
            lines = run.error.split("\n")
            head = lines[0]
            ename, _, evalue = head.partition(": ")
            outputs.append(
                nbformat.v4.new_output(
                    "error", ename=ename or "Error", evalue=evalue, traceback=lines
                )
            )
        for figure in run.figures:
            outputs.append(nbformat.v4.new_output("display_data", data={"image/png": figure}))
        if run.display is not None and not run.error:
            data = {"text/plain": run.display.text}
            if run.display.kind == "table":
                data["text/html"] = display_table_html(run.display)
            outputs.append(nbformat.v4.new_output("execute_result", data=data, execution_count=1))
        cell.outputs = outputs
        cell.execution_count = 1
    cells.append(cell)
    notebook.cells = cells
    nbformat.validate(notebook)
    return str(nbformat.writes(notebook))


@dataclass
class ImportedNotebook:
    """What an uploaded .ipynb becomes: one script, and what the learner is told about it."""

    code: str
    title: str
    code_cells: int
    markdown_cells: int


_HEADING = re.compile(r"^#{1,2}\s+(?P<title>\S.*?)\s*#*\s*$")


def _notebook_title(notebook: Any) -> str:
    """The notebook's own title (metadata, as JupyterLab writes it), else its first heading."""
    title = notebook.metadata.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()[:200]
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for line in str(cell.source).splitlines():
            found = _HEADING.match(line.strip())
            if found:
                return found.group("title")[:200]
    return ""


def _as_comment(markdown: str) -> str:
    return "\n".join(f"# {line}".rstrip() for line in markdown.splitlines())


def _code_cell(source: str) -> str:
    # IPython magics and shell escapes are not Python: kept visible but disabled.
    return "\n".join(
        f"# {line}" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")
    )


def from_ipynb(content: bytes, max_chars: int) -> ImportedNotebook:
    """The cells of an uploaded notebook as one script, in their order: code as code, markdown
    as comments (so the learner's explanations stay beside their code)."""
    try:
        notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise AscentError(
            "invalid_argument", "This is not a Jupyter notebook (.ipynb JSON)."
        ) from None
    except Exception:
        raise AscentError(
            "invalid_argument", "This .ipynb file could not be read as a Jupyter notebook."
        ) from None
    parts: list[str] = []
    code_cells = markdown_cells = 0
    for cell in notebook.cells:
        source = str(cell.source).replace("\r\n", "\n").rstrip()
        if not source.strip():
            continue
        if cell.cell_type == "code":
            code_cells += 1
            parts.append(_code_cell(source))
        elif cell.cell_type == "markdown":
            markdown_cells += 1
            parts.append(_as_comment(source))
    if code_cells == 0:
        raise AscentError("invalid_argument", "The notebook has no code cells to import.")
    code = "\n\n".join(parts)
    if len(code) > max_chars:
        raise AscentError(
            "invalid_argument", f"The notebook's code is too long (limit {max_chars:,} characters)."
        )
    return ImportedNotebook(
        code=code + "\n",
        title=_notebook_title(notebook),
        code_cells=code_cells,
        markdown_cells=markdown_cells,
    )
