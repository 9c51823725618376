"""Rule-based diagnosis of a run: why it crashed, or what its model and metrics suggest.

Each rule looks at the run (error, status, code, outcome), the dataset profile from the
recommender when known, and the session history, and yields findings: one sentence for the
diagnosis and one concrete suggestion. The most important findings come first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from ascent.types.v1 import run_pb2

from services.coach.codegen import SCALERS, is_scale_sensitive, resolve_estimator
from services.common.ml.metafeatures import MetaFeatures
from services.common.ml.pipelines import spec_from_outcome
from services.common.ml.scoring import Score, ranking_score
from services.common.ml.tasks import CLASSIFICATION, REGRESSION

MAX_SENTENCES = 3
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Finding:
    sentence: str
    suggestion: str
    # A guiding question for the Socratic mode (leads to the suggestion without giving it).
    question: str = ""


# Guiding questions per crash cause (Socratic mode).
CRASH_QUESTIONS: dict[str, str] = {
    "categorical": "Which of your columns hold text, and what does a scikit-learn model need "
    "its inputs to be?",
    "missing": "What happens to a row with an empty cell when the model tries to use it?",
    "continuous_target": "Is the thing you predict a category or a quantity, and which kind "
    "of model fits each?",
    "single_class": "How many rows does your rarest class have, and how many does the split need?",
    "file": "Where does the sandbox put the dataset you uploaded?",
    "column": "Which column names does the data really have?",
    "import": "Which libraries are available in every run?",
    "memory": "How much of the data do you need to learn the pattern?",
    "timeout": "Which part of the run takes the longest, and can it do less work?",
    "syntax": "What does the line the traceback points at look like?",
    "name": "Where is that name defined or imported?",
}


@dataclass(frozen=True)
class Diagnosis:
    sentences: list[str]
    suggestions: list[str]
    crash_cause: str
    questions: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- crashes ------------------------------------------------------------------------------
CrashRule = tuple[str, re.Pattern[str], str, str]

CRASH_RULES: list[CrashRule] = [
    (
        "categorical",
        re.compile(
            r"could not convert string to float|cannot use (median|mean) strategy with "
            r"non-numeric|unable to convert|dtype='numeric' is not compatible",
            re.I,
        ),
        "the model received text (categorical) columns, but scikit-learn estimators only "
        "accept numbers",
        'Encode the text columns with OneHotEncoder(handle_unknown="ignore") inside a '
        "ColumnTransformer, so the same encoding is applied to the test rows.",
    ),
    (
        "missing",
        re.compile(r"contains nan|input contains nan|missing values|\bnan\b", re.I),
        "the data has missing values (NaN), which most estimators refuse",
        "Fill the gaps with SimpleImputer (median for numbers, most frequent value for text) "
        "as the first step of a Pipeline.",
    ),
    (
        "continuous_target",
        re.compile(r"unknown label type|continuous", re.I),
        "a classifier was given a continuous (numeric) target, which calls for regression",
        "Use a regressor (e.g. RandomForestRegressor) and report R2/RMSE instead of accuracy.",
    ),
    (
        "single_class",
        re.compile(r"least populated class|only one class|needs samples of at least 2", re.I),
        "a class has too few rows for this split or model",
        "Drop or merge the very rare classes, or split without stratification.",
    ),
]

ERROR_TYPE_RULES: dict[str, tuple[str, str, str]] = {
    "FileNotFoundError": (
        "file",
        "the code reads a file that does not exist in the sandbox; uploaded data is "
        "available at /data/uploaded.csv",
        "Read the dataset with pd.read_csv('/data/uploaded.csv') (without an upload the "
        "starter template falls back to Iris).",
    ),
    "KeyError": (
        "column",
        "the code asks for a column or key that is not in the data",
        "Print df.columns.tolist() and use the exact column names (the target is the last column).",
    ),
    "ModuleNotFoundError": (
        "import",
        "the code imports a package that is not installed in the sandbox",
        "Stick to pandas, numpy and scikit-learn, which are available in every run.",
    ),
    "ImportError": (
        "import",
        "the code imports something the installed libraries do not provide",
        "Check the import against the scikit-learn/pandas documentation for the installed version.",
    ),
    "MemoryError": (
        "memory",
        "the run ran out of memory",
        "Work on a sample of the rows (df.sample(n=10000, random_state=42)) or use a "
        "lighter model.",
    ),
    "SyntaxError": (
        "syntax",
        "the code is not valid Python",
        "Fix the syntax error at the line shown in the traceback, then run again.",
    ),
    "IndentationError": (
        "syntax",
        "the code is not valid Python (indentation)",
        "Indent blocks consistently with four spaces.",
    ),
    "NameError": (
        "name",
        "the code uses a name that was never defined or imported",
        "Define or import the name before using it (check spelling and imports).",
    ),
}

STATUS_RULES: dict[str, tuple[str, str]] = {
    "timeout": (
        "the run exceeded the time limit",
        "Use fewer trees or iterations, or train on a sample of the rows.",
    ),
    "memory": (
        "the run exceeded the memory limit",
        "Work on a sample of the rows or drop very wide one-hot encodings.",
    ),
    "output_limit": (
        "the run printed more output than allowed",
        "Print summaries (df.head(), df.describe()) instead of whole tables.",
    ),
}


def crash_cause(run: run_pb2.Run) -> str:
    """A short cause id for a failed run ("" when it did not fail)."""
    if not run.has_error and run.status in ("", "ok"):
        return ""
    if run.status in STATUS_RULES:
        return str(run.status)
    text = f"{run.error.message}\n{run.stderr[-2000:]}"
    if run.error.type in ("ValueError", "TypeError"):
        for cause, pattern, _, _ in CRASH_RULES:
            if pattern.search(text):
                return cause
    if run.error.type in ERROR_TYPE_RULES:
        return ERROR_TYPE_RULES[run.error.type][0]
    for cause, pattern, _, _ in CRASH_RULES:
        if pattern.search(text):
            return cause
    return "other"


def _crash_findings(run: run_pb2.Run, cause: str) -> list[Finding]:
    question = CRASH_QUESTIONS.get(
        cause, "Which line does the last frame of the traceback point at, and why would it fail?"
    )
    return [replace(f, question=question) for f in _crash_findings_plain(run, cause)]


def _crash_findings_plain(run: run_pb2.Run, cause: str) -> list[Finding]:
    error = run.error
    what = f"{error.type}: {_short(error.message)}" if error.type else run.status
    if cause in STATUS_RULES:
        because, fix = STATUS_RULES[cause]
        return [Finding(f"The run stopped because {because}.", fix)]
    for rule_cause, _, because, fix in CRASH_RULES:
        if rule_cause == cause:
            return [Finding(f"The run crashed with {what} — {because}.", fix)]
    if error.type in ERROR_TYPE_RULES:
        _, because, fix = ERROR_TYPE_RULES[error.type]
        return [Finding(f"The run crashed with {what} — {because}.", fix)]
    return [
        Finding(
            f"The run crashed with {what}.",
            "Read the last line of the traceback: it names the failing call; fix that line "
            "and run again.",
        )
    ]


# -- observations on a finished run -------------------------------------------------------
def _uses_scaling(run: run_pb2.Run) -> bool:
    spec = spec_from_outcome(run.outcome.pipeline_json, "")
    if spec is not None and any(step in SCALERS for step in spec["steps"]):
        return True
    return any(scaler in run.code for scaler in SCALERS) or "scale(" in run.code


def _model_findings(run: run_pb2.Run, task_type: str) -> list[Finding]:
    model = run.outcome.model_type.strip()
    estimator = resolve_estimator(model, task_type) if model else None
    if estimator and is_scale_sensitive(estimator) and not _uses_scaling(run):
        return [
            Finding(
                f"{model} is trained on unscaled features, so columns with large ranges "
                "dominate the fit and the solver may stop before converging.",
                "Standardise numeric features with StandardScaler inside a Pipeline, so the "
                "test rows are scaled with the training statistics.",
                "Which of your features has the largest range, and how does that affect a "
                "model that compares distances or weights?",
            )
        ]
    return []


def _score_findings(
    run: run_pb2.Run, profile: MetaFeatures | None, history: list[run_pb2.Run]
) -> list[Finding]:
    scored = ranking_score(run.outcome)
    if scored is None:
        return []
    metric, value = scored
    findings: list[Finding] = []
    model = run.outcome.model_type or "The model"
    if metric == "accuracy":
        n_classes = profile.n_classes if profile and profile.n_classes else 0
        chance = (
            f" (chance is about {1 / n_classes:.2f} with {n_classes} classes)"
            if (n_classes)
            else ""
        )
        if value >= 0.98:
            findings.append(
                Finding(
                    f"{model} reaches an accuracy of {value:.3f}, close to the ceiling for "
                    "this test split, so small differences between models are noise.",
                    "Compare models with 5-fold cross_val_score instead of a single split.",
                    "How many test rows would one more mistake change the accuracy by?",
                )
            )
        elif value < 0.75:
            findings.append(
                Finding(
                    f"{model} reaches only {value:.3f} accuracy{chance}: the decision boundary "
                    "is probably not linear or the features need preparation.",
                    "Try a tree ensemble (RandomForest, HistGradientBoosting), which captures "
                    "non-linear interactions without scaling.",
                    "Could a straight line (or plane) separate your classes, or do features "
                    "interact?",
                )
            )
        else:
            findings.append(
                Finding(
                    f"{model} reaches an accuracy of {value:.3f}{chance}, which leaves room "
                    "to improve.",
                    "Try a non-linear model and tune one hyperparameter at a time.",
                    "Which kinds of rows does the model still get wrong?",
                )
            )
    else:
        quality = "weak" if value < 0.5 else "reasonable" if value < 0.85 else "strong"
        findings.append(
            Finding(
                f"{model} explains {value:.3f} of the target variance (R2), a {quality} fit.",
                "Compare with a tree ensemble and check the residuals for patterns.",
                "Where does the model make its largest errors, and what do those rows share?",
            )
        )
    better: list[tuple[run_pb2.Run, Score]] = [
        (other, other_score)
        for other in history
        if other.id != run.id
        and (other_score := ranking_score(other.outcome)) is not None
        and other_score.metric == metric
        and other_score.value > value
    ]
    if better:
        best, best_score = max(better, key=lambda pair: pair[1].value)
        findings.append(
            Finding(
                f"An earlier run in this session ({best.name or best.outcome.model_type}) "
                f"scored higher ({best_score.value:.3f}).",
                "Start from the best earlier run and change one thing at a time.",
                "What did your best earlier run do differently from this one?",
            )
        )
    return findings


# Thresholds of the fit rules: a train score this far above the test score is over-fitting;
# both below UNDERFIT_SCORE is under-fitting. Fewer rows than SMALL_DATA_ROWS leaves a test
# split too small to rank models on.
OVERFIT_GAP = 0.1
UNDERFIT_SCORE = 0.6
SMALL_DATA_ROWS = 100
_TRAIN_LINE = re.compile(r"^TRAIN_(?:ACCURACY|R2|SCORE):\s*(-?[0-9.]+(?:e-?\d+)?)\s*$", re.M)
_ID_NAME = re.compile(r"^(id|index|row_?id|unnamed: ?0|.*[_ ]id)$", re.I)


def train_score(run: run_pb2.Run) -> float | None:
    """The training-set score a run printed (`TRAIN_ACCURACY:`, `TRAIN_R2:` or
    `TRAIN_SCORE:`; the coach's generated code prints it), else None."""
    found = _TRAIN_LINE.findall(run.stdout)
    return float(found[-1]) if found else None


def _fit_findings(run: run_pb2.Run) -> list[Finding]:
    scored = ranking_score(run.outcome)
    train = train_score(run)
    if scored is None or train is None:
        return []
    test = scored.value
    if train - test > OVERFIT_GAP:
        return [
            Finding(
                f"The model over-fits: it scores {train:.3f} on the training rows but "
                f"{test:.3f} on the test rows.",
                "Regularise: fewer/shallower trees (max_depth, min_samples_leaf), a smaller C, "
                "or more data.",
                "Why would a model score much better on rows it has seen than on new ones?",
            )
        ]
    if train < UNDERFIT_SCORE and test < UNDERFIT_SCORE:
        return [
            Finding(
                f"The model under-fits: even on the training rows it scores only {train:.3f}.",
                "Use a more flexible model (a tree ensemble) or better features.",
                "If the model cannot fit the rows it learns from, what does it lack?",
            )
        ]
    return []


def _column_findings(run: run_pb2.Run, profile: MetaFeatures | None) -> list[Finding]:
    """ID-like columns (no signal, or a leak through row order) and target leaks."""
    try:
        info = json.loads(run.outcome.dataset_info_json or "{}")
    except ValueError:
        return []
    features = info.get("features") if isinstance(info, dict) else None
    if not isinstance(features, list):
        return []
    names = [str(name) for name in features]
    findings: list[Finding] = []
    ids = [name for name in names if _ID_NAME.match(name.strip())]
    if ids:
        findings.append(
            Finding(
                f"The feature(s) {', '.join(ids[:3])} look like identifiers: they carry no "
                "signal, or leak the answer through how rows were numbered.",
                f"Drop identifier columns before training (X = X.drop(columns={ids[:3]!r})).",
                "Would knowing a row's number help predict its label on new data?",
            )
        )
    target = (profile.target if profile else str(info.get("target", ""))).strip().lower()
    scored = ranking_score(run.outcome)
    if target and scored and scored.value >= 0.99:
        leaks = [n for n in names if target in n.lower() and n.lower() != target]
        if leaks:
            findings.append(
                Finding(
                    f"A near-perfect score with feature(s) named like the target "
                    f"({', '.join(leaks[:3])}) suggests target leakage.",
                    "Remove features computed from the target and score again.",
                    "Could any feature only be known after the answer is known?",
                )
            )
    return findings


def _size_findings(profile: MetaFeatures | None) -> list[Finding]:
    if profile is None or profile.rows >= SMALL_DATA_ROWS:
        return []
    test_rows = max(1, round(profile.rows * 0.2))
    return [
        Finding(
            f"With only {profile.rows} rows the test split has about {test_rows}: one "
            f"prediction moves the score by {1 / test_rows:.0%}, too little to compare models.",
            "Evaluate with 5-fold cross_val_score on all rows instead of one split.",
            "How many test rows does one different prediction represent?",
        )
    ]


def _profile_findings(profile: MetaFeatures | None, cause: str) -> list[Finding]:
    if profile is None:
        return []
    findings: list[Finding] = []
    if profile.task_type == CLASSIFICATION and profile.class_imbalance < 0.5:
        findings.append(
            Finding(
                f"The classes are imbalanced (smallest/largest class = "
                f"{profile.class_imbalance:.2f}), so accuracy flatters the majority class.",
                'Use class_weight="balanced" and watch macro F1 next to accuracy.',
                "What accuracy would a model get that always predicts the largest class?",
            )
        )
    if profile.missing_ratio > 0 and cause != "missing":
        findings.append(
            Finding(
                f"{profile.missing_ratio:.1%} of the cells are missing.",
                "Impute missing values inside the Pipeline (SimpleImputer) rather than "
                "dropping rows.",
                "What does your code do with the empty cells today?",
            )
        )
    if profile.categorical_ratio > 0 and cause != "categorical":
        findings.append(
            Finding(
                f"{profile.categorical_ratio:.0%} of the feature columns are text (categorical).",
                'One-hot encode the text columns (OneHotEncoder(handle_unknown="ignore")).',
                "How can a model that only understands numbers use a column of words?",
            )
        )
    return findings


def diagnose(
    run: run_pb2.Run,
    profile: MetaFeatures | None,
    history: list[run_pb2.Run],
    task_type: str,
    proposal: Finding,
) -> Diagnosis:
    """2–3 sentences and 2–3 suggestions; `proposal` describes the improved experiment."""
    cause = crash_cause(run)
    findings: list[Finding] = []
    if cause:
        findings += _crash_findings(run, cause)
    else:
        findings += _column_findings(run, profile)
        findings += _fit_findings(run)
        findings += _model_findings(run, task_type)
        findings += _score_findings(run, profile, history)
        findings += _size_findings(profile)
    findings += _profile_findings(profile, cause)
    sentences = _unique([f.sentence for f in findings])[: MAX_SENTENCES - 1]
    sentences.append(proposal.sentence)
    suggestions = _unique([f.suggestion for f in findings])[: MAX_SUGGESTIONS - 1]
    suggestions.append(proposal.suggestion)
    if len(sentences) < 2:
        sentences.insert(0, _generic_sentence(run, task_type))
    if len(suggestions) < 2:
        suggestions.insert(0, "Evaluate with 5-fold cross-validation to get a stable score.")
    questions = _unique([f.question for f in findings])[:MAX_SUGGESTIONS]
    return Diagnosis(
        sentences=sentences, suggestions=suggestions, crash_cause=cause, questions=questions
    )


def _generic_sentence(run: run_pb2.Run, task_type: str) -> str:
    model = run.outcome.model_type or "The model"
    kind = "regression" if task_type == REGRESSION else "classification"
    return f"{model} ran without errors on this {kind} task."


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))
