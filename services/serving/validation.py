"""Checking a predict request against the training columns and types, before any model runs.

The body is the caller's JSON: `{"rows": [{column: value, …}, …]}`. Everything a model could
choke on is refused here with a 4xx that names the row and the column: not JSON, NaN or
Infinity (refused by the parser itself), a missing or unknown column, a value of the wrong
type, a number outside float32 (the model's input type) or an integer outside int64, too many
rows or too long a string.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from services.common.errors import AscentError
from services.common.ml.model_export import Feature

FLOAT32_MAX = float(np.finfo(np.float32).max)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_STRING = 1_000


@dataclass(frozen=True)
class CheckedRows:
    count: int
    # The rows as plain values in feature order: the model's input and the log's record.
    values: list[list[Any]]


def _bad(message: str) -> AscentError:
    return AscentError("invalid_argument", message)


def _no_constant(name: str) -> Any:
    raise _bad(f"The body has {name}; send finite numbers (or leave the request out).")


def parse_json(body: bytes, max_bytes: int) -> Any:
    """A bounded UTF-8 JSON body (NaN and Infinity refused by the parser itself)."""
    if len(body) > max_bytes:
        raise AscentError("too_large", f"The body is over {max_bytes:,} bytes.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _bad("The body is not UTF-8 JSON.") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise _bad("The body is nested too deeply.") from None
    except json.JSONDecodeError as exc:
        raise _bad(f"The body is not JSON ({exc.msg} at character {exc.pos}).") from None
    return data


def parse_body(body: bytes, max_bytes: int) -> list[Any]:
    data = parse_json(body, max_bytes)
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise _bad('The body must be an object {"rows": [{column: value, ...}, ...]}.')
    extra = sorted(str(k) for k in data if k != "rows")
    if extra:
        raise _bad(f"Unknown field {extra[0][:100]!r}; the body has only rows.")
    rows: list[Any] = data["rows"]
    return rows


def _value(feature: Feature, value: Any, where: str) -> Any:
    # The common case first: a float for a number column (a bool is never a float).
    if type(value) is float and feature.type == "number" and -FLOAT32_MAX <= value <= FLOAT32_MAX:
        return value
    if feature.type == "string":
        if not isinstance(value, str):
            raise _bad(f"{where}: {feature.name!r} must be a string.")
        if len(value) > MAX_STRING:
            raise _bad(f"{where}: {feature.name!r} is over {MAX_STRING} characters.")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(f"{where}: {feature.name!r} must be a number.")
    if feature.type == "integer":
        if isinstance(value, float):
            if not value.is_integer():
                raise _bad(f"{where}: {feature.name!r} must be a whole number.")
            value = int(value)
        if not INT64_MIN <= value <= INT64_MAX:
            raise _bad(f"{where}: {feature.name!r} is out of the 64-bit integer range.")
        return value
    number = float(value) if abs(value) < 1e309 else math.inf
    if not math.isfinite(number) or abs(number) > FLOAT32_MAX:
        raise _bad(f"{where}: {feature.name!r} is out of range for a 32-bit float.")
    return number


def check_rows(rows: list[Any], features: tuple[Feature, ...], max_rows: int) -> CheckedRows:
    if not rows:
        raise _bad("rows is empty: send at least one row.")
    if len(rows) > max_rows:
        raise AscentError("too_large", f"At most {max_rows:,} rows per request.")
    names = [f.name for f in features]
    known = set(names)
    values: list[list[Any]] = []
    for index, row in enumerate(rows):
        where = f"rows[{index}]"
        if not isinstance(row, dict):
            raise _bad(f"{where} must be an object of column: value.")
        missing = [n for n in names if n not in row]
        if missing:
            raise _bad(f"{where} lacks column {missing[0]!r} (the model needs {len(names)}).")
        unknown = [str(k) for k in row if k not in known]
        if unknown:
            raise _bad(
                f"{where} has column {unknown[0][:100]!r}, which the model was not trained on."
            )
        values.append([_value(f, row[f.name], where) for f in features])
    return CheckedRows(count=len(values), values=values)
