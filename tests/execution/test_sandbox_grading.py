"""grade(): challenge predictions against hidden labels, outside the sandbox."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from services.execution.sandbox import GradingError, SandboxError, grade


@pytest.fixture
def class_labels(tmp_path: Path) -> str:
    path = tmp_path / "labels.csv"
    path.write_text("id,label\n1,0\n2,1\n3,1\n4,0\n5,1\n")
    return str(path)


@pytest.fixture
def text_labels(tmp_path: Path) -> str:
    path = tmp_path / "text_labels.csv"
    path.write_text("target\ncat\ndog\ndog\nbird\n")
    return str(path)


@pytest.fixture
def reg_labels(tmp_path: Path) -> str:
    path = tmp_path / "reg_labels.csv"
    path.write_text("y\n1.0\n2.0\n3.0\n4.0\n")
    return str(path)


def test_accuracy_and_f1(class_labels: str) -> None:
    assert grade([0, 1, 1, 0, 1], class_labels, "accuracy") == 1.0
    assert grade([0, 1, 0, 0, 1], class_labels, "accuracy") == pytest.approx(0.8)
    assert grade([0.0, 1.0, 0.0, 0.0, 1.0], class_labels, "ACCURACY") == pytest.approx(0.8)
    # macro F1: class 0 -> 0.8, class 1 -> 0.8
    assert grade([0, 1, 0, 0, 1], class_labels, "f1") == pytest.approx(0.8)


def test_text_labels(text_labels: str) -> None:
    assert grade(["cat", "dog", "dog", "cat"], text_labels, "accuracy") == pytest.approx(0.75)
    with pytest.raises(GradingError, match="text labels"):
        grade([1, 2, 2, 3], text_labels, "accuracy")


def test_roc_auc(class_labels: str, text_labels: str) -> None:
    assert grade([0.1, 0.9, 0.8, 0.2, 0.7], class_labels, "roc_auc") == 1.0
    rows = [[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4], [0.4, 0.6]]
    assert grade(rows, class_labels, "roc_auc") == 1.0
    multi = [[0.1, 0.8, 0.1], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8], [0.8, 0.1, 0.1]]
    assert grade(multi, text_labels, "roc_auc") == 1.0  # classes sorted: bird, cat, dog
    with pytest.raises(GradingError, match="probabilities"):
        grade(["cat", "dog", "dog", "bird"], text_labels, "roc_auc")
    with pytest.raises(GradingError, match="per row"):
        grade([[0.5, 0.5]] * 4, text_labels, "roc_auc")


def test_regression_metrics(reg_labels: str) -> None:
    preds = [1.0, 2.0, 3.0, 6.0]
    assert grade(preds, reg_labels, "rmse") == pytest.approx(1.0)
    assert grade(preds, reg_labels, "mae") == pytest.approx(0.5)
    assert grade(preds, reg_labels, "r2") == pytest.approx(1 - 4 / 5)
    assert grade([1, 2, 3, 4], reg_labels, "rmse") == 0.0


def test_json_labels(tmp_path: Path) -> None:
    path = tmp_path / "labels.json"
    path.write_text("[1, 0, 1]")
    assert grade([1, 0, 0], str(path), "accuracy") == pytest.approx(2 / 3)


def test_errors(class_labels: str, reg_labels: str, tmp_path: Path) -> None:
    with pytest.raises(GradingError, match="no predictions"):
        grade(None, class_labels, "accuracy")
    with pytest.raises(GradingError, match="no predictions"):
        grade([], class_labels, "accuracy")
    with pytest.raises(GradingError, match="expected 5 predictions, got 3"):
        grade([0, 1, 1], class_labels, "accuracy")
    with pytest.raises(GradingError, match="must be numbers"):
        grade(["a", "b", "c", "d"], reg_labels, "rmse")
    with pytest.raises(GradingError, match="finite"):
        grade([1.0, 2.0, math.nan, 4.0], reg_labels, "mae")
    with pytest.raises(GradingError, match="not lists"):
        grade([[0], [1], [1], [0], [1]], class_labels, "accuracy")
    with pytest.raises(GradingError, match="list"):
        grade("01101", class_labels, "accuracy")
    with pytest.raises(GradingError, match="unknown metric"):
        grade([0, 1, 1, 0, 1], class_labels, "precision@k")
    with pytest.raises(GradingError, match="unavailable") as info:
        grade([0], str(tmp_path / "missing.csv"), "accuracy")
    assert str(tmp_path) not in str(info.value)  # no host paths in learner-facing errors
    assert issubclass(GradingError, SandboxError)
