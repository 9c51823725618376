"""Exporting a run's fitted model to ONNX: the sandbox program and the channel back.

Which runs can be deployed: any run whose code fits a scikit-learn model — a notebook run, an
app's program (its code is stored with the run) or a challenge run. Deploying re-runs the
run's code **in the sandbox** (`export_program`), its output silenced, then finds the fitted
model: the variable `model`, else `pipeline`, `pipe`, `clf`, `estimator`, else the only fitted
estimator among the program's globals (several → refused, asking to name one `model`). The
training rows are `X_train`, else `X` (their columns and types become the deployment's input
schema). The model is converted with skl2onnx; a step without a converter is refused with its
path in the pipeline and its type; the ONNX model is checked against the model itself on up to
500 training rows (`agreement`).

The channel back is the run's stdout, as `ASCENT_REPORT:` sections
(`services/common/report_sections.py`): one `export_result` and the zlib-compressed ONNX bytes
as base64 `onnx_chunk` sections. It is bounded at both ends: at most `MAX_MODEL_BYTES` of ONNX
and `MAX_CARRIED_BYTES` compressed (under the execution service's 1 MB output cap), and
`assemble` decompresses with the same bound (no zip bomb) and checks the SHA-256. Nothing
but ONNX bytes and JSON leaves the sandbox: no pickle.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from services.common.errors import AscentError
from services.common.report_sections import MAX_SECTION_BYTES, ReportSection

MAX_MODEL_BYTES = 8_000_000
MAX_CARRIED_BYTES = 700_000
CHUNK_CHARS = MAX_SECTION_BYTES - 1_000
FEATURE_TYPES = frozenset({"number", "integer", "string"})
_TEMPLATE = Path(__file__).resolve().parent / "export_program.py.tmpl"


def export_program(run_code: str) -> str:
    """The sandbox program that re-runs `run_code` and exports its fitted model."""
    if not run_code.strip():
        raise AscentError("invalid_argument", "This run has no code to re-run.")
    values: dict[str, Any] = {
        "RUN_CODE": run_code,
        "MAX_MODEL_BYTES": MAX_MODEL_BYTES,
        "MAX_CARRIED_BYTES": MAX_CARRIED_BYTES,
        "CHUNK_CHARS": CHUNK_CHARS,
    }
    code = _TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        code = code.replace("{{" + name + "}}", repr(value))
    return code


@dataclass(frozen=True)
class Feature:
    name: str
    type: str  # "number" | "integer" | "string"


@dataclass(frozen=True)
class ExportedModel:
    onnx: bytes
    sha256: str
    features: tuple[Feature, ...]
    input_mode: str  # "matrix" (one float tensor `X`) | "columns" (one input per column)
    model_type: str
    model_variable: str
    classes: tuple[str, ...]
    agreement: float
    checked_rows: int
    details: dict[str, Any] = field(default_factory=dict)


def refusal(export_result: dict[str, Any]) -> AscentError:
    reason = str(export_result.get("reason") or "The model could not be exported.")
    return AscentError("unprocessable", reason[:500])


def assemble(sections: list[ReportSection]) -> ExportedModel:
    """The exported model out of an export run's sections, or an AscentError saying why not."""
    results = [s.data for s in sections if s.kind == "export_result"]
    if len(results) != 1:
        raise AscentError(
            "unprocessable", "The export run ended without a result (see its output)."
        )
    result = results[0]
    if result.get("ok") is not True:
        raise refusal(result)
    chunks = [s.data for s in sections if s.kind == "onnx_chunk"]
    expected = result.get("chunks")
    if not isinstance(expected, int) or expected < 1 or len(chunks) != expected:
        raise AscentError("unprocessable", "The exported model arrived incomplete.")
    ordered = sorted(chunks, key=lambda c: c.get("index", -1) if isinstance(c, dict) else -1)
    if [c.get("index") for c in ordered] != list(range(expected)):
        raise AscentError("unprocessable", "The exported model arrived out of order.")
    text = "".join(str(c.get("b64", "")) for c in ordered)
    if len(text) > (MAX_CARRIED_BYTES * 4) // 3 + 4:
        raise AscentError("unprocessable", "The exported model is over the size limit.")
    try:
        packed = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise AscentError("unprocessable", "The exported model is not valid.") from None
    raw = _bounded_decompress(packed)
    digest = hashlib.sha256(raw).hexdigest()
    if digest != result.get("onnx_sha256"):
        raise AscentError("unprocessable", "The exported model failed its checksum.")
    features = _features(result.get("features"))
    mode = result.get("input_mode")
    if mode not in ("matrix", "columns"):
        raise AscentError("unprocessable", "The exported model's input mode is unknown.")
    classes = result.get("classes") or []
    agreement = result.get("agreement")
    rows = result.get("checked_rows")
    return ExportedModel(
        onnx=raw,
        sha256=digest,
        features=features,
        input_mode=str(mode),
        model_type=str(result.get("model_type", ""))[:200],
        model_variable=str(result.get("model_variable", ""))[:100],
        classes=tuple(str(c)[:200] for c in classes[:10_000]) if isinstance(classes, list) else (),
        agreement=float(agreement) if isinstance(agreement, int | float) else 0.0,
        checked_rows=rows if isinstance(rows, int) else 0,
        details={"reference": _reference(sections, features)},
    )


def _reference(sections: list[ReportSection], features: tuple[Feature, ...]) -> dict[str, Any]:
    """The per-feature training reference (for drift detection) of the export run, keeping
    only the model's columns with a well-formed summary; {} when absent."""
    found = [s.data for s in sections if s.kind == "reference"]
    if len(found) != 1 or not isinstance(found[0], dict):
        return {}
    given = found[0].get("features")
    if not isinstance(given, dict):
        return {}
    kept: dict[str, Any] = {}
    for feature in features:
        item = given.get(feature.name)
        if not isinstance(item, dict):
            continue
        if feature.type == "string":
            counts = item.get("counts")
            if isinstance(counts, dict) and all(
                isinstance(v, int) and v >= 0 for v in counts.values()
            ):
                other = item.get("other")
                kept[feature.name] = {
                    "kind": "string",
                    "counts": {str(k)[:200]: v for k, v in list(counts.items())[:50]},
                    "other": other if isinstance(other, int) and other >= 0 else 0,
                }
            continue
        quantiles = item.get("quantiles")
        if (
            isinstance(quantiles, list)
            and 3 <= len(quantiles) <= 1_001
            and all(isinstance(q, int | float) and math.isfinite(q) for q in quantiles)
            and quantiles == sorted(quantiles)
        ):
            mean, std, n = item.get("mean"), item.get("std"), item.get("n")
            kept[feature.name] = {
                "kind": "number",
                "n": n if isinstance(n, int) and n > 0 else 0,
                "quantiles": [float(q) for q in quantiles],
                "mean": float(mean) if isinstance(mean, int | float) else 0.0,
                "std": float(std) if isinstance(std, int | float) else 0.0,
            }
    return kept


def _bounded_decompress(packed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_MODEL_BYTES + 1)
    except zlib.error:
        raise AscentError("unprocessable", "The exported model is not valid.") from None
    if len(raw) > MAX_MODEL_BYTES or inflater.unconsumed_tail or not inflater.eof:
        raise AscentError("unprocessable", "The exported model is over the size limit.")
    return raw


def _features(value: object) -> tuple[Feature, ...]:
    if not isinstance(value, list) or not value or len(value) > 10_000:
        raise AscentError("unprocessable", "The exported model has no input columns.")
    found: list[Feature] = []
    for item in value:
        if not isinstance(item, dict):
            raise AscentError("unprocessable", "The exported model's columns are invalid.")
        name, kind = item.get("name"), item.get("type")
        if not isinstance(name, str) or not name or kind not in FEATURE_TYPES:
            raise AscentError("unprocessable", "The exported model's columns are invalid.")
        found.append(Feature(name=name[:200], type=str(kind)))
    if len({f.name for f in found}) != len(found):
        raise AscentError("unprocessable", "The exported model repeats a column.")
    return tuple(found)
