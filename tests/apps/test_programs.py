"""Programs are rendered from their templates with Python literals only: a learner's choice
(a column name, an option) can never become code."""

from __future__ import annotations

import ast

import pytest

from services.apps.programs import ProgramRequest, build_program, parse_options
from services.common.errors import AscentError


def constants(code: str) -> dict[str, object]:
    found: dict[str, object] = {}
    for node in ast.parse(code).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Constant):
                found[node.targets[0].id] = node.value.value
    return found


def test_a_hostile_column_name_stays_a_string() -> None:
    target = "y'); import os; os.system('x') #\n\"\"\""
    code = build_program("explorer", ProgramRequest(target=target, options={}, sample_rows=500))
    values = constants(code)
    assert values["TARGET"] == target
    assert values["DATA"] == "/data/uploaded.csv"
    assert values["SAMPLE_ROWS"] == 500
    assert "{{" not in code


def test_options_are_checked() -> None:
    request = ProgramRequest(target="", options={"sample_rows": 100}, sample_rows=20_000)
    assert constants(build_program("explorer", request))["SAMPLE_ROWS"] == 100
    for bad in ({"sample_rows": 5}, {"sample_rows": "all"}, {"sample_rows": 10**9}):
        with pytest.raises(AscentError):
            build_program("explorer", ProgramRequest(target="", options=bad, sample_rows=20_000))
    with pytest.raises(AscentError):
        parse_options("[1, 2]")
    with pytest.raises(AscentError) as err:
        build_program("nope", ProgramRequest(target="", options={}, sample_rows=1))
    assert err.value.code == "not_found"


# -- Time-Series Forecaster (issue 15) -------------------------------------------------------
def test_forecast_options_are_literals_and_checked() -> None:
    hostile = "d'); import os #"
    options = {"date_column": hostile, "value_column": "v", "horizon": 14, "models": ["sarima"]}
    code = build_program("forecast", ProgramRequest(target="", options=options, sample_rows=1))
    values = constants(code)
    assert values["DATE_COLUMN"] == hostile and values["HORIZON"] == 14 and values["FOLDS"] == 3
    assert "MODELS = ['sarima']" in code and "{{" not in code
    bad_options: list[dict[str, object]] = [
        {"models": ["prophet"]},
        {"models": []},
        {"horizon": 0},
        {"folds": 9},
        {"source": "http://x"},
        {"date_column": 3},
    ]
    for bad in bad_options:
        with pytest.raises(AscentError):
            build_program("forecast", ProgramRequest(target="", options=bad, sample_rows=1))
