"""Client code generated for a deployment: a curl call, a Python client, and a FastAPI app
that serves the downloaded ONNX file with onnxruntime (self-hosting, no Ascent needed).

The example row is built from the training columns (0.0 / 0 / "a"), so every snippet runs as
shown; the key is a placeholder (the real one was shown once, at deploy time).
"""

from __future__ import annotations

import json
from typing import Any

from services.common.ml.model_export import Feature

KEY_PLACEHOLDER = "$ASCENT_API_KEY"


def example_row(features: tuple[Feature, ...]) -> dict[str, Any]:
    values = {"number": 0.0, "integer": 0, "string": "a"}
    return {f.name: values[f.type] for f in features}


def curl(base_url: str, deployment_id: str, features: tuple[Feature, ...]) -> str:
    body = json.dumps({"rows": [example_row(features)]})
    return (
        f"curl -sS -X POST {base_url}/api/models/{deployment_id}/predict \\\n"
        f'  -H "Authorization: Bearer {KEY_PLACEHOLDER}" \\\n'
        '  -H "Content-Type: application/json" \\\n'
        f"  -d '{body.replace(chr(39), chr(39) + chr(92) + chr(39) + chr(39))}'\n"
    )


def python(base_url: str, deployment_id: str, features: tuple[Feature, ...]) -> str:
    row = json.dumps(example_row(features), indent=4).replace("\n", "\n    ")
    return f'''import os

import httpx

URL = "{base_url}/api/models/{deployment_id}/predict"
KEY = os.environ["ASCENT_API_KEY"]  # shown once when the model was deployed

rows = [
    {row},
]
response = httpx.post(URL, json={{"rows": rows}}, headers={{"Authorization": f"Bearer {{KEY}}"}})
if response.status_code == 429:  # over the key's rate limit
    print("retry after", response.headers["Retry-After"], "s")
response.raise_for_status()
print(response.json()["data"]["predictions"])
'''


def fastapi_app(features: tuple[Feature, ...], input_mode: str, version: int) -> str:
    schema = json.dumps([{"name": f.name, "type": f.type} for f in features], indent=4)
    return f'''"""Self-hosted serving of an Ascent deployment (model version {version}).

pip install fastapi uvicorn onnxruntime numpy
Download model.onnx from the deployment page, then: uvicorn app:app --port 8080
"""

from typing import Any

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

FEATURES = {schema}
INPUT_MODE = "{input_mode}"  # "matrix": one float tensor X; "columns": one input per column
DTYPES = {{"number": np.float32, "integer": np.int64, "string": object}}

session = ort.InferenceSession("model.onnx", providers=["CPUExecutionProvider"])
app = FastAPI(title="Ascent model v{version}")


class Rows(BaseModel):
    rows: list[dict[str, Any]]


def feeds(rows: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    names = [f["name"] for f in FEATURES]
    for i, row in enumerate(rows):
        if set(row) != set(names):
            raise HTTPException(400, f"rows[{{i}}] must have exactly the columns {{names}}")
    if INPUT_MODE == "matrix":
        return {{"X": np.array([[row[n] for n in names] for row in rows], dtype=np.float32)}}
    out = {{}}
    for f in FEATURES:
        column = np.array([row[f["name"]] for row in rows], dtype=DTYPES[f["type"]])
        out[f["name"]] = column.reshape(-1, 1)
    return out


@app.post("/predict")
def predict(body: Rows) -> dict[str, Any]:
    if not body.rows:
        raise HTTPException(400, "send at least one row")
    try:
        outputs = session.run(None, feeds(body.rows))
    except (ValueError, TypeError) as exc:
        raise HTTPException(400, f"rows do not fit the model: {{exc}}") from None
    return {{"predictions": np.asarray(outputs[0]).ravel().tolist()}}
'''
