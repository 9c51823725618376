"""CSV uploads: reading the upload, validation with a clear message per failure,
normalisation, the task type of a target, and summaries.

The sandbox reads `/data/uploaded.csv` with pandas' defaults (UTF-8, commas) and the starter
code takes the last column as the target. An upload in another encoding or delimiter, or
with the target elsewhere, is therefore rewritten once here into that shape; an upload that
already has it is stored byte for byte.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from starlette.datastructures import UploadFile

from gateway.context import Gateway
from gateway.views import View
from services.common.errors import AscentError
from services.common.ml.tasks import infer_task_type

log = logging.getLogger(__name__)

PREVIEW_ROWS = 5
MIN_COLUMNS = 2
MIN_ROWS = 2
HISTOGRAM_BINS = 12
# Columns charted at most: a wide CSV would otherwise ship megabytes of bins to the page.
MAX_CHARTED_COLUMNS = 24

DELIMITERS = {"auto": None, "comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"}
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# cp1252 is what spreadsheet software on Windows writes when "CSV" is not "CSV UTF-8".
ENCODINGS = {"auto": None, "utf-8": "utf-8-sig", "cp1252": "cp1252", "latin-1": "latin-1"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# How decimals are written: "auto" reads a text column as numbers when the delimiter is not a
# comma and every value is a decimal-comma number (`57,0`, `-3,25`, with plain integers
# beside them); "comma" reads every column with decimal commas (and `.` as the thousands
# separator, as spreadsheets write them); "point" never converts.
DECIMALS = ("auto", "point", "comma")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_INTEGER = re.compile(r"^-?\d+$")


@dataclass
class ParsedDataset:
    rows: int
    columns: list[str]
    preview: list[dict[str, Any]]
    delimiter: str = ","
    encoding: str = "utf-8"
    target: str = ""
    # The bytes to store: the upload itself, or its UTF-8/comma/target-last rewrite.
    content: bytes = b""
    # "comma" when decimal commas were read as numbers (the stored CSV has points).
    decimal: str = "point"
    # The columns read as numbers thanks to that (shown on the upload card).
    decimal_columns: list[str] = field(default_factory=list)
    # The frame as the sandbox will read it (for the dataset card, computed once at upload).
    frame: pd.DataFrame | None = None


def clean_filename(name: str | None) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    base = _CONTROL.sub("", base).strip()[:200]
    return base or "dataset.csv"


async def read_upload(gw: Gateway, upload: UploadFile | None) -> tuple[str, bytes]:
    """The upload's name and bytes, refusing anything over the size limit."""
    if upload is None or not isinstance(upload, UploadFile):
        raise AscentError("invalid_argument", "Choose a CSV file to upload (form field 'file').")
    limit = gw.settings.max_upload_bytes
    content = await upload.read(limit + 1)
    if len(content) > limit:
        raise AscentError(
            "too_large",
            f"The file is larger than {limit / (1024 * 1024):.0f} MB; upload less data.",
        )
    return clean_filename(upload.filename), content


_CHUNK = 1024 * 1024


def _check_text(content: bytes, codec: str) -> None:
    """Raises UnicodeDecodeError (with its position in the whole file) if `content` is not
    `codec` text. Decoded a megabyte at a time and thrown away: a 200 MB upload never exists as
    a Python string (pandas reads the bytes)."""
    decoder = codecs.getincrementaldecoder(codec)()
    view = memoryview(content)
    for start in range(0, len(content), _CHUNK):
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(content))
        except UnicodeDecodeError as exc:
            raise UnicodeDecodeError(
                exc.encoding, content, start + exc.start, start + exc.end, exc.reason
            ) from None


def _decode(content: bytes, encoding: str) -> str:
    """The codec pandas reads the upload with, after checking that the whole file is text in it;
    `auto` is UTF-8 (with or without a byte-order mark), else Windows-1252."""
    if encoding not in ENCODINGS:
        raise AscentError(
            "invalid_argument", f"Unknown encoding {encoding!r}; choose one of {list(ENCODINGS)}."
        )
    codec = ENCODINGS[encoding]
    if codec is not None:
        try:
            _check_text(content, codec)
        except UnicodeDecodeError as exc:
            raise AscentError(
                "invalid_argument",
                f"The file is not valid {encoding} text (invalid byte at position {exc.start}). "
                "Pick the file's encoding, or save it as 'CSV UTF-8'.",
            ) from None
        return encoding
    try:
        _check_text(content, "utf-8-sig")
        return "utf-8"
    except UnicodeDecodeError as exc:
        position = exc.start
    try:
        _check_text(content, "cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        raise AscentError(
            "invalid_argument",
            f"The file is not UTF-8 text (invalid byte at position {position}). "
            "Save it as 'CSV UTF-8' and upload it again.",
        ) from None


def _head(content: bytes, used_encoding: str) -> str:
    """The first 64 KB as text, whole lines only (enough to sniff the delimiter)."""
    head = content[: 64 * 1024]
    if len(content) > len(head) and b"\n" in head:
        head = head[: head.rindex(b"\n")]
    return head.decode(ENCODINGS[used_encoding] or "utf-8", errors="ignore")


def _sniff(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _first_long_line(text: str, sep: str, width: int) -> int:
    """The line number (1-based, header = 1) of the first row with more than `width` values."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    next(reader, None)
    for row in reader:
        if len(row) > width:
            return reader.line_num
    return 0


def _looks_numeric(label: str) -> bool:
    try:
        float(label)
    except ValueError:
        return False
    return True


def _decimal_comma_columns(frame: pd.DataFrame) -> list[str]:
    """Text columns whose every value is a decimal-comma number (at least one with a comma)."""
    found = []
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        values = frame[column].dropna().astype(str).str.strip()
        if values.empty or not values.str.contains(",", regex=False).any():
            continue
        if all(_DECIMAL_COMMA.match(v) or _INTEGER.match(v) for v in values):
            found.append(str(column))
    return found


def _read_decimals(
    frame: pd.DataFrame, content: bytes, codec: str, sep: str, decimal: str
) -> tuple[pd.DataFrame, list[str]]:
    """The frame with decimal commas read as numbers, per the `decimal` option, and the
    columns that became numeric because of it."""
    if decimal not in DECIMALS:
        raise AscentError(
            "invalid_argument", f"Unknown decimal {decimal!r}; choose one of {list(DECIMALS)}."
        )
    if decimal == "point":
        return frame, []
    if decimal == "comma":
        converted = pd.read_csv(
            io.BytesIO(content), sep=sep, decimal=",", thousands=".", encoding=codec
        )
        numeric = pd.api.types.is_numeric_dtype
        before = {str(c) for c in frame.columns if not numeric(frame[c])}
        after = {str(c) for c in converted.columns if not numeric(converted[c])}
        return converted, [str(c) for c in converted.columns if str(c) in before - after]
    # A comma-separated file cannot hold unquoted decimal commas: "1,5" there is more likely
    # a pair than a number, so auto-detection leaves it alone.
    if sep == ",":
        return frame, []
    columns = _decimal_comma_columns(frame)
    for column in columns:
        frame[column] = pd.to_numeric(frame[column].astype("string").str.replace(",", "."))
    return frame, columns


def parse_dataset(
    content: bytes,
    max_rows: int,
    *,
    delimiter: str = "auto",
    encoding: str = "auto",
    target: str | None = None,
    decimal: str = "auto",
) -> ParsedDataset:
    """Validates an upload as a CSV the sandbox can read; each failure has its own message."""
    if not content.strip():
        raise AscentError("invalid_argument", "The file is empty.")
    if b"\x00" in content:
        raise AscentError(
            "invalid_argument",
            "This is a binary file, not a CSV. Upload a comma-separated text file.",
        )
    used_encoding = _decode(content, encoding)
    codec = ENCODINGS[used_encoding] or "utf-8-sig"
    if delimiter not in DELIMITERS:
        raise AscentError(
            "invalid_argument",
            f"Unknown delimiter {delimiter!r}; choose one of {list(DELIMITERS)}.",
        )
    sep = DELIMITERS[delimiter] or _sniff(_head(content, used_encoding))
    try:
        # From the bytes: a string of the whole file would cost four bytes a character in
        # StringIO (2 GB of memory for a 245 MB upload).
        frame = pd.read_csv(io.BytesIO(content), sep=sep, encoding=codec)
    except pd.errors.EmptyDataError:
        raise AscentError("invalid_argument", "The file has no CSV content.") from None
    except (pd.errors.ParserError, ValueError) as exc:
        detail = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else "malformed"
        raise AscentError("invalid_argument", f"The file is not a valid CSV: {detail}") from None
    if isinstance(frame.index, pd.RangeIndex):
        frame, decimal_columns = _read_decimals(frame, content, codec, sep, decimal)
    else:
        decimal_columns = []
    columns = [str(column) for column in frame.columns]
    if not isinstance(frame.index, pd.RangeIndex):
        # pandas quietly turns the extra leading values of over-long rows into an index:
        # that would shift every value of those rows into the wrong column.
        line = _first_long_line(content.decode(codec), sep, len(columns))
        raise AscentError(
            "invalid_argument",
            f"Line {line} has more values than the header has columns ({len(columns)}). "
            "Check the delimiter and the quoting on that line.",
        )
    if len(columns) < MIN_COLUMNS:
        raise AscentError(
            "invalid_argument",
            f"The CSV needs at least {MIN_COLUMNS} columns (features and a target) but has "
            f"{len(columns)}. Check the delimiter: values must be separated by commas, "
            "semicolons, tabs or pipes.",
        )
    if all(_looks_numeric(column) for column in columns):
        raise AscentError(
            "invalid_argument",
            "The first row must be a header with column names, but it contains only numbers.",
        )
    rows = len(frame)
    if rows < MIN_ROWS:
        raise AscentError(
            "invalid_argument",
            f"The CSV needs at least {MIN_ROWS} data rows below the header but has {rows}.",
        )
    if rows > max_rows:
        raise AscentError(
            "invalid_argument",
            f"The CSV has {rows:,} data rows; the limit is {max_rows:,}. "
            "Sample it down and upload it again.",
        )
    chosen = (target or "").strip() or columns[-1]
    if chosen not in columns:
        raise AscentError(
            "invalid_argument", f"The target column {chosen!r} is not a column of this CSV."
        )
    # Already what the sandbox expects: stored byte for byte (its hash is the upload's).
    rewritten = (
        sep != "," or used_encoding != "utf-8" or chosen != columns[-1] or bool(decimal_columns)
    )
    frame.columns = columns
    if chosen != columns[-1]:
        frame = frame[[c for c in columns if c != chosen] + [chosen]]
        columns = [str(column) for column in frame.columns]
    stored = frame.to_csv(index=False).encode("utf-8") if rewritten else content
    preview = json.loads(frame.head(PREVIEW_ROWS).to_json(orient="records", date_format="iso"))
    return ParsedDataset(
        rows=rows,
        columns=columns,
        preview=preview,
        delimiter=DELIMITER_NAMES.get(sep, sep),
        encoding=used_encoding,
        target=chosen,
        content=stored,
        decimal="comma" if decimal_columns else "point",
        decimal_columns=decimal_columns,
        frame=frame,
    )


def columnar_copy(frame: pd.DataFrame) -> bytes | None:
    """The parsed upload as Parquet: the frame `pd.read_csv` gives for the stored CSV, read
    back unchanged by `pd.read_parquet` (services/common/datasets.py says where it is used).
    None when pyarrow cannot type a column (e.g. one that mixes numbers and text)."""
    buffer = io.BytesIO()
    try:
        frame.to_parquet(buffer, index=False)
    except (ValueError, TypeError, NotImplementedError, ImportError, OverflowError) as exc:
        # pyarrow's ArrowInvalid and ArrowTypeError are ValueError and TypeError.
        log.info("no columnar copy", extra={"error": repr(exc)[:200]})
        return None
    return buffer.getvalue()


# -- summaries for the dashboard ----------------------------------------------------------------
def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class ClassShareView(View):
    label: str
    count: int
    share: float


class DatasetCardView(View):
    """The notebook dashboard's dataset card. `histograms` stays plain JSON: the page hands
    it to the chart script as it is."""

    source: str
    rows: int
    columns: int
    features: list[str]
    target: str
    task: str
    missing: dict[str, int]
    missingTotal: int
    balance: list[ClassShareView]
    histograms: dict[str, dict[str, Any]]
    numeric: list[str]
    # 0: the histograms are of every row; else of a uniform random sample of this many rows
    # (seed 0). Rows, missing values and the class balance always count every row.
    sampleRows: int = 0


def summarize(
    frame: pd.DataFrame, target: str | None, source: str, sample_rows: int = 0
) -> DatasetCardView:
    """Rows, columns, missing values, features, target balance and numeric histograms (of a
    sample of `sample_rows` rows when the frame is larger and `sample_rows` is set)."""
    target = target if target in frame.columns else str(frame.columns[-1])
    features = [str(c) for c in frame.columns if c != target]
    missing = {str(c): int(frame[c].isna().sum()) for c in frame.columns}
    series = frame[target]
    task = infer_task_type(series)
    balance: list[ClassShareView] = []
    if task == "classification":
        counts = series.value_counts(dropna=False)
        total = int(counts.sum()) or 1
        balance = [
            ClassShareView(label=str(label), count=int(count), share=int(count) / total)
            for label, count in counts.items()
        ]
    sampled = 0 < sample_rows < len(frame)
    charted = frame.sample(n=sample_rows, random_state=0) if sampled else frame
    histograms: dict[str, dict[str, Any]] = {}
    for column in charted.columns:
        if len(histograms) >= MAX_CHARTED_COLUMNS:
            break
        values = pd.to_numeric(charted[column], errors="coerce").dropna()
        if not pd.api.types.is_numeric_dtype(charted[column]) or values.empty:
            continue
        counts_arr, edges = np.histogram(values.to_numpy(dtype=float), bins=HISTOGRAM_BINS)
        labels = [f"{edges[i]:.3g}–{edges[i + 1]:.3g}" for i in range(len(counts_arr))]
        histograms[str(column)] = {
            "labels": labels,
            "counts": [int(c) for c in counts_arr],
            "mean": _clean(float(values.mean())),
            "std": _clean(float(values.std())) if len(values) > 1 else None,
            "min": _clean(float(values.min())),
            "max": _clean(float(values.max())),
        }
    return DatasetCardView(
        source=source,
        rows=len(frame),
        columns=len(frame.columns),
        features=features,
        target=str(target),
        task=task,
        missing=missing,
        missingTotal=sum(missing.values()),
        balance=balance,
        histograms=histograms,
        numeric=list(histograms),
        sampleRows=sample_rows if sampled else 0,
    )


def summarize_file(
    path: Path, target: str | None, filename: str, sample_rows: int
) -> DatasetCardView:
    return summarize(pd.read_csv(path), target, filename, sample_rows)


def iris_summary() -> DatasetCardView:
    """What the starter code falls back to when no CSV is uploaded."""
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns={"target": "species"})
    frame["species"] = frame["species"].map(dict(enumerate(iris.target_names)))
    return summarize(frame, "species", "Iris (built-in; upload a CSV to use your own data)")
