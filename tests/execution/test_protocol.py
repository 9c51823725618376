from __future__ import annotations

import json

import pytest

from services.common.ml.scoring import metric_problem, ranking_score, ranking_score_of
from services.execution.protocol import check_scores, display_of, merge_report, parse_stdout

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


# -- scores are checked (issue 13, item 12) --------------------------------------------------
@pytest.mark.parametrize(
    ("printed", "words"),
    [
        ("ACCURACY: 7.5", "Accuracy 7.5 is above 1"),
        ("ACCURACY: 750%", "Accuracy 7.5 is above 1"),
        ("ACCURACY: -0.1", "Accuracy -0.1 is below 0"),
        ("ACCURACY: 0.9\nPRECISION: 1.2", "Precision 1.2 is above 1"),
        ("RECALL: 2", "Recall 2 is above 1"),
        ("F1: 1.01", "F1 score 1.01 is above 1"),
        ("R2: 1.5", "R² 1.5 is above 1"),
        ("RMSE: -3", "RMSE -3 is below 0"),
        ("MAE: -0.5", "MAE -0.5 is below 0"),
        ("ACCURACY: nan", "Accuracy is nan, not a number"),
        ("R2: inf", "R² is inf, not a number"),
    ],
)
def test_impossible_scores_are_not_ranked_and_say_why(printed: str, words: str) -> None:
    outcome = check_scores(parse_stdout(printed + "\n"))
    assert words in outcome.unranked_reason
    assert "not ranked" in outcome.unranked_reason
    assert ranking_score(outcome) is None


def test_plausible_scores_stay_ranked() -> None:
    for printed in ("ACCURACY: 1.0", "ACCURACY: 0", "ACCURACY: 93%", "R2: -4.2\nRMSE: 0"):
        outcome = check_scores(parse_stdout(printed + "\n"))
        assert outcome.unranked_reason == "", printed
        assert ranking_score(outcome) is not None, printed


def test_helper_scores_are_checked_too() -> None:
    outcome = check_scores(merge_report(parse_stdout(""), {"metrics": {"accuracy": 3.0}}))
    assert "Accuracy 3 is above 1" in outcome.unranked_reason


def test_range_rule_over_a_json_view() -> None:
    assert ranking_score_of({"accuracy": 7.5}) is None
    assert ranking_score_of({"accuracy": 0.5, "rmse": -1.0}) is None
    assert ranking_score_of({"accuracy": 0.5}) == ("accuracy", 0.5)
    assert metric_problem("roc_auc", 1.2) is not None and metric_problem("roc_auc", 0.7) is None


# -- the last expression's display (issue 13, item 3) -----------------------------------------
def test_display_of_a_table_is_bounded_text() -> None:
    report = {
        "display": {
            "kind": "table",
            "type_name": "DataFrame",
            "text": "x" * 50_000,
            "table": {
                "columns": ["a", "<b>"],
                "index": [str(i) for i in range(500)],
                "rows": [["1", "<script>", "extra"]] * 500,
                "total_rows": 500,
                "total_columns": 2,
            },
        }
    }
    display = display_of(report)
    assert display is not None and display.kind == "table"
    assert len(display.text) == 20_000
    assert list(display.table.columns) == ["a", "<b>"]
    assert len(display.table.rows) == 50 and len(display.table.index) == 50
    assert list(display.table.rows[0].cells) == ["1", "<script>"]
    assert (display.table.total_rows, display.table.total_columns) == (500, 2)


def test_display_of_rejects_what_is_not_a_display() -> None:
    assert display_of({}) is None
    assert display_of({"display": "42"}) is None
    assert display_of({"display": {"kind": "html", "text": "<b>"}}) is None
    text = display_of({"display": {"kind": "table", "text": "42", "table": None}})
    assert text is not None and text.kind == "text" and text.text == "42"


def _starter_output(y_true: list[str], y_pred: list[str], info: str = "") -> str:
    from sklearn.metrics import classification_report, confusion_matrix

    matrix = confusion_matrix(y_true, y_pred).tolist()
    return (
        f"{info}MODEL_TYPE: LogisticRegression\nACCURACY: 0.9\n"
        f"CONFUSION_MATRIX: {json.dumps(matrix)}\n"
        f"CLASSIFICATION_REPORT:\n{classification_report(y_true, y_pred)}\n"
    )


IRIS_TRUE = ["setosa"] * 10 + ["versicolor"] * 10 + ["virginica"] * 10
IRIS_PRED = ["setosa"] * 10 + ["versicolor"] * 8 + ["virginica"] * 2 + ["virginica"] * 10


def test_the_starters_classification_report_gives_macro_precision_recall_f1() -> None:
    from sklearn.metrics import precision_recall_fscore_support

    outcome = parse_stdout(_starter_output(IRIS_TRUE, IRIS_PRED))
    precision, recall, f1, _ = precision_recall_fscore_support(
        IRIS_TRUE, IRIS_PRED, average="macro"
    )
    # The report prints two decimals: the macro avg row, not the weighted one.
    assert outcome.precision == pytest.approx(precision, abs=0.005)
    assert outcome.recall == pytest.approx(recall, abs=0.005)
    assert outcome.f1_score == pytest.approx(f1, abs=0.005)


def test_the_reports_class_names_label_the_confusion_matrix() -> None:
    info = 'DATASET_INFO: {"rows": 150, "columns": 4, "features": ["a"]}\n'
    outcome = parse_stdout(_starter_output(IRIS_TRUE, IRIS_PRED, info))
    dataset = json.loads(outcome.dataset_info_json)
    assert dataset["classes"] == ["setosa", "versicolor", "virginica"]
    assert dataset["rows"] == 150
    assert len(json.loads(outcome.confusion_matrix_json)) == 3


def test_printed_metrics_and_classes_win_over_the_report() -> None:
    info = 'DATASET_INFO: {"classes": ["a", "b", "c"]}\nPRECISION: 0.5\n'
    outcome = parse_stdout(_starter_output(IRIS_TRUE, IRIS_PRED, info))
    assert outcome.precision == 0.5
    assert outcome.HasField("recall")
    assert json.loads(outcome.dataset_info_json)["classes"] == ["a", "b", "c"]


def test_class_names_with_spaces_and_numeric_classes() -> None:
    outcome = parse_stdout(_starter_output(["no churn", "churn"] * 5, ["no churn"] * 10))
    assert json.loads(outcome.dataset_info_json)["classes"] == ["churn", "no churn"]
    numbers = parse_stdout(_starter_output(["0", "1", "2"] * 4, ["0", "1", "1"] * 4))
    assert json.loads(numbers.dataset_info_json)["classes"] == ["0", "1", "2"]
