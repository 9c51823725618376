"""Loading a deployed model: only ONNX, only the standard operator domains, checked first.

A model reaches serving as ONNX bytes exported inside the sandbox
(`services.common.ml.model_export`); serving never runs learner code. Before a model is
accepted it is parsed (`onnx.load_from_string`), checked (`onnx.checker.check_model`), its
operator domains are limited to `ai.onnx` (`""`) and `ai.onnx.ml` (a custom domain could name
a custom-op library), its inputs must match the exported feature schema, and it must load in
an `onnxruntime` session: a model that fails any step is refused at deploy time with the
reason, never at the first prediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort  # type: ignore[import-untyped]
from google.protobuf.message import DecodeError

from services.common.errors import AscentError
from services.common.ml.model_export import MAX_MODEL_BYTES, Feature

ALLOWED_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml"})
_ONNX_TYPES = {"number": "tensor(float)", "integer": "tensor(int64)", "string": "tensor(string)"}


@dataclass(frozen=True)
class LoadedModel:
    session: ort.InferenceSession
    features: tuple[Feature, ...]
    input_mode: str
    output_name: str


def _refuse(reason: str) -> AscentError:
    return AscentError("unprocessable", f"The model cannot be deployed: {reason}")


def session_options(threads: int = 1) -> ort.SessionOptions:
    options = ort.SessionOptions()
    # One thread per session: concurrency comes from serving several requests, not from one
    # model taking every core (one learner's model must not starve the others).
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return options


def load_model(raw: bytes, features: tuple[Feature, ...], input_mode: str) -> LoadedModel:
    if not raw or len(raw) > MAX_MODEL_BYTES:
        raise _refuse(f"its size must be 1–{MAX_MODEL_BYTES:,} bytes.")
    try:
        proto = onnx.load_from_string(raw)
    except (DecodeError, ValueError, RuntimeError):
        raise _refuse("it is not an ONNX model.") from None
    try:
        onnx.checker.check_model(proto)
    except onnx.checker.ValidationError as exc:
        raise _refuse(f"it fails the ONNX checker ({str(exc).splitlines()[0][:200]}).") from None
    domains = {o.domain for o in proto.opset_import} | {n.domain for n in proto.graph.node}
    if proto.functions:
        raise _refuse("it defines its own functions; only standard operators are served.")
    other = sorted(domains - ALLOWED_DOMAINS)
    if other:
        raise _refuse(
            f"it uses operator domain(s) {', '.join(other)[:200]}; only ai.onnx and "
            "ai.onnx.ml are served."
        )
    _check_inputs(proto, features, input_mode)
    try:
        session = ort.InferenceSession(
            raw, sess_options=session_options(), providers=["CPUExecutionProvider"]
        )
    except Exception as exc:  # onnxruntime raises its own exception types
        raise _refuse(f"onnxruntime cannot load it ({str(exc)[:200]}).") from None
    return LoadedModel(
        session=session,
        features=features,
        input_mode=input_mode,
        output_name=session.get_outputs()[0].name,
    )


def _check_inputs(proto: onnx.ModelProto, features: tuple[Feature, ...], mode: str) -> None:
    graph_inputs = [(i.name, onnx.helper.printable_type(i.type)) for i in proto.graph.input]
    if mode == "matrix":
        ok = len(graph_inputs) == 1 and graph_inputs[0][0] == "X"
        ok = ok and all(f.type != "string" for f in features)
    elif mode == "columns":
        names = [name for name, _ in graph_inputs]
        ok = names == [f.name for f in features]
    else:
        ok = False
    if not ok:
        raise _refuse("its inputs do not match the training columns.")


def _feeds(model: LoadedModel, rows: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    if model.input_mode == "matrix":
        matrix = np.column_stack([rows[f.name] for f in model.features]).astype(np.float32)
        return {"X": matrix}
    return {f.name: rows[f.name].reshape(-1, 1) for f in model.features}


def _plain(values: np.ndarray) -> list[Any]:
    return [v.item() if hasattr(v, "item") else v for v in np.asarray(values).ravel()]


def predict(model: LoadedModel, rows: dict[str, np.ndarray]) -> list[Any]:
    """Predictions for checked columns (name → 1-D array of the feature's type)."""
    out = model.session.run([model.output_name], _feeds(model, rows))[0]
    return _plain(out)


_DTYPES: dict[str, Any] = {"number": np.float32, "integer": np.int64, "string": object}


def _feeds_from_rows(model: LoadedModel, values: list[list[Any]]) -> dict[str, np.ndarray]:
    if model.input_mode == "matrix":
        # One conversion of the whole table: the hot path of a one-row request.
        return {"X": np.asarray(values, dtype=np.float32).reshape(len(values), -1)}
    return {
        f.name: np.array([row[i] for row in values], dtype=_DTYPES[f.type]).reshape(-1, 1)
        for i, f in enumerate(model.features)
    }


def predict_with_probabilities(
    model: LoadedModel, values: list[list[Any]]
) -> tuple[list[Any], list[list[float]] | None]:
    """Predictions for checked rows (values in feature order) and, for a classifier
    (skl2onnx's second output, without zipmap), the probability of each class per row."""
    outputs = model.session.run(None, _feeds_from_rows(model, values))
    labels = _plain(outputs[0])
    if len(outputs) > 1:
        probabilities = np.asarray(outputs[1])
        if probabilities.ndim == 2 and probabilities.shape[0] == len(labels):
            return labels, probabilities.astype(float).tolist()
    return labels, None
