"""The serving loader refuses at deploy time what it could not serve safely, and the export
channel refuses what arrives incomplete, tampered with or over its bounds."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from skl2onnx import convert_sklearn  # type: ignore[import-untyped]
from skl2onnx.common.data_types import FloatTensorType  # type: ignore[import-untyped]
from sklearn.tree import DecisionTreeRegressor

from services.common.errors import AscentError
from services.common.ml.model_export import MAX_MODEL_BYTES, Feature, assemble
from services.common.report_sections import ReportSection, parse_line
from services.serving.loader import load_model, predict

FEATURES = (Feature("a", "number"), Feature("b", "number"))


def tree_onnx() -> bytes:
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0], [3.0, 1.0]])
    model = DecisionTreeRegressor().fit(X, [0.0, 1.0, 2.0, 3.0])
    onx = convert_sklearn(model, initial_types=[("X", FloatTensorType([None, 2]))])
    return bytes(onx.SerializeToString())


def sections(raw: bytes, chunk_chars: int = 100_000, **changes: object) -> list[ReportSection]:
    packed = base64.b64encode(zlib.compress(raw)).decode()
    chunks = [packed[i : i + chunk_chars] for i in range(0, len(packed), chunk_chars)]
    result: dict[str, object] = {
        "ok": True,
        "features": [{"name": f.name, "type": f.type} for f in FEATURES],
        "input_mode": "matrix",
        "onnx_sha256": hashlib.sha256(raw).hexdigest(),
        "chunks": len(chunks),
        "agreement": 1.0,
        "checked_rows": 4,
    }
    result.update(changes)
    found = [ReportSection("export_result", 1, result)]
    found += [ReportSection("onnx_chunk", 1, {"index": i, "b64": c}) for i, c in enumerate(chunks)]
    return found


def test_a_tree_round_trips_through_the_channel_and_predicts() -> None:
    raw = tree_onnx()
    exported = assemble(sections(raw, chunk_chars=200))
    assert exported.onnx == raw
    loaded = load_model(exported.onnx, exported.features, exported.input_mode)
    assert predict(loaded, {"a": np.array([3.0, 0.0]), "b": np.array([1.0, 0.0])}) == [3.0, 0.0]


def test_the_channel_refuses_tampering_gaps_and_bombs() -> None:
    raw = tree_onnx()
    with pytest.raises(AscentError, match="checksum"):
        assemble(sections(raw, onnx_sha256="0" * 64))
    broken = sections(raw, chunk_chars=200)
    with pytest.raises(AscentError, match="incomplete"):
        assemble(broken[:-1])
    bomb = bytes(MAX_MODEL_BYTES + 10)
    with pytest.raises(AscentError, match="size limit"):
        assemble(sections(bomb, onnx_sha256=hashlib.sha256(bomb).hexdigest()))
    refused = [ReportSection("export_result", 1, {"ok": False, "reason": "Step 'x' (T) no."})]
    with pytest.raises(AscentError, match="Step 'x'") as caught:
        assemble(refused)
    assert caught.value.http_status == 422
    with pytest.raises(AscentError, match="without a result"):
        assemble([])


def test_a_section_line_from_the_program_is_what_assemble_reads() -> None:
    line = "ASCENT_REPORT: " + json.dumps({"v": 1, "kind": "onnx_chunk", "data": {"index": 0}})
    section = parse_line(line)
    assert section is not None
    assert section.kind == "onnx_chunk"


def custom_domain_model() -> bytes:
    node = helper.make_node("Evil", ["X"], ["Y"], domain="com.example.evil")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [None, 1])],
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.example.evil", 1)],
    )
    return bytes(model.SerializeToString())


def test_models_the_service_could_not_serve_safely_are_refused_at_deploy() -> None:
    with pytest.raises(AscentError, match=r"domain\(s\) com\.example\.evil"):
        load_model(custom_domain_model(), FEATURES, "matrix")
    with pytest.raises(AscentError, match=r"not an ONNX model|ONNX checker"):
        load_model(b"\x80\x04definitely not onnx", FEATURES, "matrix")
    with pytest.raises(AscentError, match="size"):
        load_model(b"", FEATURES, "matrix")
    with pytest.raises(AscentError, match="do not match the training columns"):
        load_model(tree_onnx(), (Feature("a", "number"),), "columns")
    # A graph that passes the checker but references an output no node makes fails to load.
    proto = onnx.load_from_string(tree_onnx())
    proto.graph.output[0].name = "nowhere"
    with pytest.raises(AscentError, match="cannot be deployed") as caught:
        load_model(proto.SerializeToString(), FEATURES, "matrix")
    assert caught.value.http_status == 422
