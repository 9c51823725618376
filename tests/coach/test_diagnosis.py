"""Each diagnosis rule on a run that triggers it."""

from __future__ import annotations

import pytest
from ascent.types.v1 import run_pb2

from services.coach.diagnosis import Diagnosis, Finding, crash_cause, diagnose
from services.common.ml.metafeatures import MetaFeatures
from tests.coach.helpers import SEED_TEMPLATE, crashed_run, scored_run

PROPOSAL = Finding("The proposed experiment is X.", "Run X.")


def profile(
    *,
    rows: int = 500,
    task_type: str = "classification",
    n_classes: int = 2,
    missing_ratio: float = 0.0,
    categorical_ratio: float = 0.0,
    class_imbalance: float = 1.0,
    target: str = "y",
) -> MetaFeatures:
    return MetaFeatures(
        dataset_key="k",
        rows=rows,
        columns=6,
        task_type=task_type,
        n_classes=n_classes,
        missing_ratio=missing_ratio,
        categorical_ratio=categorical_ratio,
        class_imbalance=class_imbalance,
        target=target,
    )


def check_shape(result: Diagnosis) -> None:
    assert 2 <= len(result.sentences) <= 3
    assert 2 <= len(result.suggestions) <= 3
    assert result.sentences[-1] == PROPOSAL.sentence
    assert result.suggestions[-1] == PROPOSAL.suggestion


@pytest.mark.parametrize(
    ("run", "cause", "sentence_part", "suggestion_part"),
    [
        (
            crashed_run("ValueError", "could not convert string to float: 'red'"),
            "categorical",
            "text (categorical) columns",
            "OneHotEncoder",
        ),
        (
            crashed_run("ValueError", "Input X contains NaN."),
            "missing",
            "missing values",
            "SimpleImputer",
        ),
        (
            crashed_run("FileNotFoundError", "[Errno 2] No such file: 'train.csv'"),
            "file",
            "/data/uploaded.csv",
            "pd.read_csv('/data/uploaded.csv')",
        ),
        (
            crashed_run("ValueError", "Unknown label type: continuous. Maybe you are trying..."),
            "continuous_target",
            "continuous",
            "regressor",
        ),
        (crashed_run("KeyError", "'price'"), "column", "column", "df.columns"),
        (
            crashed_run("ModuleNotFoundError", "No module named 'xgboost'"),
            "import",
            "not installed",
            "scikit-learn",
        ),
        (
            run_pb2.Run(id="r", has_error=True, status="timeout"),
            "timeout",
            "time limit",
            "fewer trees",
        ),
        (crashed_run("ZeroDivisionError", "division by zero"), "other", "ZeroDivisionError", ""),
    ],
)
def test_crash_rules(
    run: run_pb2.Run, cause: str, sentence_part: str, suggestion_part: str
) -> None:
    assert crash_cause(run) == cause
    result = diagnose(run, None, [], "classification", PROPOSAL)
    check_shape(result)
    assert sentence_part in result.sentences[0]
    assert suggestion_part in result.suggestions[0]


def test_unscaled_logistic_regression() -> None:
    run = scored_run("LogisticRegression", 0.86, code=SEED_TEMPLATE)
    result = diagnose(run, None, [], "classification", PROPOSAL)
    check_shape(result)
    assert "unscaled features (no scaler in the code)" in result.sentences[0]
    assert "StandardScaler" in result.suggestions[0]


def test_unscaled_logistic_regression_without_code_is_not_judged() -> None:
    run = scored_run("LogisticRegression", 0.86)
    result = diagnose(run, None, [], "classification", PROPOSAL)
    assert not any("unscaled" in s for s in result.sentences)


def test_scaled_logistic_regression_is_not_flagged() -> None:
    run = scored_run("LogisticRegression", 0.86, code="make_pipeline(StandardScaler(), ...)")
    result = diagnose(run, None, [], "classification", PROPOSAL)
    assert not any("unscaled" in s for s in result.sentences)
    assert "0.860" in result.sentences[0]


def test_scaling_reported_in_pipeline_line_counts() -> None:
    run = scored_run("SVC", 0.9)
    run.outcome.pipeline_json = '{"steps": ["StandardScaler"], "estimator": "SVC"}'
    assert not any(
        "unscaled" in s for s in diagnose(run, None, [], "classification", PROPOSAL).sentences
    )


def test_weak_accuracy_mentions_chance_level() -> None:
    run = scored_run("LogisticRegression", 0.41, code="import x")
    result = diagnose(run, profile(n_classes=3), [], "classification", PROPOSAL)
    check_shape(result)
    assert "0.410 accuracy (chance is about 0.33" in " ".join(result.sentences)
    assert any("tree ensemble" in s for s in result.suggestions)


def test_a_tree_ensemble_is_never_told_to_try_a_non_linear_model() -> None:
    """Issue 13, item 15: a RandomForest got "try a non-linear model"."""
    for accuracy in (0.41, 0.8):
        run = scored_run("RandomForestClassifier", accuracy)
        result = diagnose(run, profile(n_classes=3), [], "classification", PROPOSAL)
        said = " ".join([*result.sentences, *result.suggestions, *result.questions])
        assert "non-linear model" not in said and "tree ensemble (" not in said
        assert "already captures non-linear interactions" in result.sentences[0]
        assert "Tune one setting at a time" in result.suggestions[0]


def test_logistic_regression_at_the_ceiling_is_not_called_unconverged() -> None:
    """Issue 13, item 15: every LogisticRegression got "unscaled … may stop before
    converging", even at 100 % on Iris."""
    run = scored_run("LogisticRegression", 1.0, code=SEED_TEMPLATE)
    result = diagnose(run, profile(n_classes=3), [], "classification", PROPOSAL)
    assert not any("unscaled" in s or "converg" in s for s in result.sentences)
    assert "ceiling" in result.sentences[0]


def test_a_convergence_warning_in_the_run_is_what_calls_for_scaling() -> None:
    run = scored_run("LogisticRegression", 1.0, code=SEED_TEMPLATE)
    run.stderr = "ConvergenceWarning: lbfgs failed to converge after 200 iteration(s) (status=1)"
    result = diagnose(run, profile(n_classes=3), [], "classification", PROPOSAL)
    assert (
        "stopped before converging (the run printed a ConvergenceWarning)" in (result.sentences[0])
    )
    assert "StandardScaler" in result.suggestions[0]


def test_a_model_built_by_the_code_counts_when_the_run_printed_none() -> None:
    """The model is read from the code (`ast`) when MODEL_TYPE is missing or wrong."""
    code = "from sklearn.svm import SVC\nmodel = SVC()\nprint('ACCURACY: 0.7')\n"
    run = scored_run("", 0.7, code=code)
    result = diagnose(run, profile(n_classes=2), [], "classification", PROPOSAL)
    assert result.sentences[0].startswith("Your code gives SVC unscaled features")


def test_near_perfect_accuracy_suggests_cross_validation() -> None:
    result = diagnose(
        scored_run("RandomForestClassifier", 1.0), None, [], "classification", PROPOSAL
    )
    assert "ceiling" in result.sentences[0]
    assert "cross_val_score" in result.suggestions[0]


def test_profile_rules_imbalance_missing_and_categoricals() -> None:
    run = scored_run("RandomForestClassifier", 0.9)
    data = profile(class_imbalance=0.2, missing_ratio=0.05, categorical_ratio=0.5)
    result = diagnose(run, data, [], "classification", PROPOSAL)
    check_shape(result)
    assert "imbalanced" in result.sentences[1]
    assert any("class_weight" in s for s in result.suggestions)


def test_missing_and_categorical_profile_sentences() -> None:
    run = crashed_run("SyntaxError", "invalid syntax")
    data = profile(missing_ratio=0.05, categorical_ratio=0.5)
    result = diagnose(run, data, [], "classification", PROPOSAL)
    assert "not valid Python" in result.sentences[0]
    assert "5.0% of the cells are missing" in result.sentences[1]


def test_better_earlier_run_in_history() -> None:
    run = scored_run("DecisionTreeClassifier", 0.8)
    earlier = scored_run("RandomForestClassifier", 0.93)
    earlier.id, earlier.name = "earlier", "Forest try"
    result = diagnose(run, None, [earlier, run], "classification", PROPOSAL)
    assert any("Forest try" in s and "0.930" in s for s in result.sentences)


def test_regression_fit_quality() -> None:
    run = run_pb2.Run(id="r", status="ok")
    run.outcome.model_type = "Ridge"
    run.outcome.r2 = 0.42
    result = diagnose(run, profile(task_type="regression", n_classes=0), [], "regression", PROPOSAL)
    check_shape(result)
    assert "0.420" in " ".join(result.sentences)
    assert "weak" in " ".join(result.sentences)


def test_overfitting_from_train_and_test_scores() -> None:
    run = scored_run("RandomForestClassifier", 0.71, stdout="TRAIN_ACCURACY: 1.0000\n")
    result = diagnose(run, profile(), [], "classification", PROPOSAL)
    assert "over-fits" in result.text
    assert any("Regularise" in s for s in result.suggestions)
    assert any("seen" in q for q in result.questions)


def test_underfitting_from_train_and_test_scores() -> None:
    run = scored_run("LogisticRegression", 0.52, stdout="TRAIN_ACCURACY: 0.5500\n")
    result = diagnose(run, profile(), [], "classification", PROPOSAL)
    assert "under-fits" in result.text


def test_small_train_test_gap_is_neither() -> None:
    run = scored_run("RandomForestClassifier", 0.90, stdout="TRAIN_ACCURACY: 0.9500\n")
    result = diagnose(run, profile(), [], "classification", PROPOSAL)
    assert "fits" not in result.text


def test_identifier_columns() -> None:
    run = scored_run("RandomForestClassifier", 0.8)
    run.outcome.dataset_info_json = '{"rows": 500, "features": ["customer_id", "age", "income"]}'
    result = diagnose(run, profile(), [], "classification", PROPOSAL)
    assert "customer_id" in result.text and "identifiers" in result.text
    assert any("Drop identifier columns" in s for s in result.suggestions)


def test_target_leak_on_a_perfect_score() -> None:
    run = scored_run("RandomForestClassifier", 1.0)
    run.outcome.dataset_info_json = '{"features": ["age", "churn_flag"]}'
    result = diagnose(run, profile(target="churn"), [], "classification", PROPOSAL)
    assert "leakage" in result.text


def test_too_little_data_for_the_split() -> None:
    run = scored_run("RandomForestClassifier", 0.8)
    small = diagnose(run, profile(rows=40), [], "classification", PROPOSAL)
    big = diagnose(run, profile(rows=4000), [], "classification", PROPOSAL)
    assert any("cross_val_score" in s for s in small.suggestions)
    assert "Your 40 rows leave about 8 for testing" in " ".join(small.questions)
    assert "for testing" not in " ".join(big.questions)
