from __future__ import annotations

import json

from services.execution.protocol import merge_report, parse_stdout

SEED_OUTPUT = """DATASET_INFO: {"rows": 150, "columns": 4, "features": ["a", "b", "c", "d"]}
MODEL_TYPE: LogisticRegression
ACCURACY: 0.9667
CONFUSION_MATRIX: [[10, 0, 0], [0, 9, 1], [0, 0, 10]]
CLASSIFICATION_REPORT:
              precision    recall  f1-score   support
"""


def test_seed_protocol_lines_are_parsed() -> None:
    outcome = parse_stdout(SEED_OUTPUT)
    assert outcome.accuracy == 0.9667
    assert outcome.model_type == "LogisticRegression"
    assert json.loads(outcome.dataset_info_json)["rows"] == 150
    assert json.loads(outcome.confusion_matrix_json) == [[10, 0, 0], [0, 9, 1], [0, 0, 10]]
    assert outcome.task_type == "classification"
    assert not outcome.HasField("precision")


def test_extended_lines_and_percentages() -> None:
    outcome = parse_stdout('R2: 0.81\nRMSE: 3.5\nMAE: 2\nF1: 87%\nPIPELINE: {"estimator": "X"}\n')
    assert outcome.r2 == 0.81
    assert outcome.rmse == 3.5
    assert outcome.mae == 2.0
    assert outcome.f1_score == 0.87
    assert json.loads(outcome.pipeline_json) == {"estimator": "X"}
    assert outcome.task_type == "regression"


def test_malformed_lines_are_ignored_not_fatal() -> None:
    outcome = parse_stdout("ACCURACY: high\nACCURACY: nan\nDATASET_INFO: {oops\nMODEL_TYPE:\n")
    assert not outcome.HasField("accuracy")
    assert outcome.dataset_info_json == ""
    assert outcome.model_type == ""


def test_lines_must_start_with_the_key() -> None:
    outcome = parse_stdout("my ACCURACY: 0.5 is bad\n")
    assert not outcome.HasField("accuracy")


def test_report_overrides_printed_values() -> None:
    outcome = parse_stdout("ACCURACY: 0.5\nMODEL_TYPE: Typed\n")
    merged = merge_report(
        outcome,
        {
            "metrics": {"accuracy": 0.75, "f1": 0.7, "precision": 0.71, "recall": 0.69},
            "confusion_matrix": [[3, 1], [0, 4]],
            "model": {"type": "RandomForestClassifier", "steps": ["StandardScaler"]},
            "task_type": "classification",
        },
    )
    assert merged.accuracy == 0.75
    assert merged.f1_score == 0.7
    assert merged.model_type == "RandomForestClassifier"
    assert json.loads(merged.confusion_matrix_json) == [[3, 1], [0, 4]]
    assert json.loads(merged.pipeline_json)["steps"] == ["StandardScaler"]
