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

from services.coach.codegen import is_scale_sensitive, resolve_estimator
from services.coach.learner_code import CodeFacts, read_code
from services.common.ml.columns import DATE, ID, TEXT, columns_with, id_like_name
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
    # Socratic mode: a guiding question (makes the learner look), then a hint that narrows
    # it down without the fix the suggestion gives.
    question: str = ""
    hint: str = ""


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
    hints: list[str] = field(default_factory=list)

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
    hint = CRASH_HINTS.get(cause, "")
    quoted = _short(run.error.message, 100)
    if quoted and cause in ("categorical", "column", "name", "file", "import"):
        hint = f"The error says: {quoted!r}. {hint}".strip()
    return [replace(f, question=question, hint=hint) for f in _crash_findings_plain(run, cause)]


# Hints per crash cause (Socratic mode): narrower than the question, without the fix.
CRASH_HINTS: dict[str, str] = {
    "categorical": "That value is a word, and the model was asked to treat it as a number.",
    "missing": "Some cells are empty (NaN), and the estimator refuses rows with gaps.",
    "continuous_target": "Count the distinct values of your target: are they categories?",
    "single_class": "Count the rows per class of your target.",
    "file": "The sandbox mounts the uploaded CSV at one fixed path.",
    "column": "Compare the name in the error with df.columns.",
    "import": "Only the data-science stack is installed in the sandbox.",
    "memory": "Every copy of a large frame and every one-hot column costs memory.",
    "timeout": "The slowest step is usually the model fit: count the trees or iterations.",
    "syntax": "Look at the line in the traceback and the one just above it.",
    "name": "Python reads top to bottom: the name must exist before that line.",
}


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
_CONVERGENCE = re.compile(r"ConvergenceWarning|failed to converge|did not converge", re.I)
_LINEAR = ("LogisticRegression", "LinearRegression", "Ridge", "Lasso", "ElasticNet")
_TREES = ("Forest", "Trees", "Boosting", "DecisionTree")


def _uses_scaling(run: run_pb2.Run, facts: CodeFacts) -> bool:
    spec = spec_from_outcome(run.outcome.pipeline_json, "")
    if spec is not None and "StandardScaler" in spec["steps"]:
        return True
    return facts.scaled


def _family(estimator: str | None) -> str:
    if not estimator:
        return ""
    if estimator in _LINEAR:
        return "linear"
    if any(part in estimator for part in _TREES):
        return "trees"
    return "other"


def _run_estimator(run: run_pb2.Run, facts: CodeFacts, task_type: str) -> str | None:
    model = run.outcome.model_type.strip() or facts.estimator
    return resolve_estimator(model, task_type) if model else None


def _model_findings(run: run_pb2.Run, task_type: str, facts: CodeFacts) -> list[Finding]:
    """Scaling, only where the run shows it matters: a scale-sensitive model without a
    scaler that did not converge (its own warning), or that is below the ceiling."""
    estimator = _run_estimator(run, facts, task_type)
    if not estimator or not is_scale_sensitive(estimator) or _uses_scaling(run, facts):
        return []
    if _CONVERGENCE.search(run.stderr):
        return [
            Finding(
                f"{estimator} stopped before converging (the run printed a ConvergenceWarning): "
                "your code gives it unscaled features, and large ranges slow its solver.",
                "Standardise numeric features with StandardScaler inside a Pipeline, so the "
                "test rows are scaled with the training statistics.",
                "Your run printed a ConvergenceWarning: what does the solver have to do "
                "with features of very different ranges?",
                f"{estimator} weighs features by their raw values; look at how far apart "
                "the ranges of your columns are.",
            )
        ]
    scored = ranking_score(run.outcome)
    if scored is None or scored.value >= NEAR_CEILING or not facts.known:
        return []
    return [
        Finding(
            f"Your code gives {estimator} unscaled features (no scaler in the code), and "
            f"{estimator} is sensitive to feature ranges.",
            "Standardise numeric features with StandardScaler inside a Pipeline, so the "
            "test rows are scaled with the training statistics.",
            f"{estimator} compares features by their values: which of your columns has the "
            "largest range?",
            "A column measured in thousands outweighs one measured in tenths for a model "
            "like this; think about putting them on one scale.",
        )
    ]


# At or above this accuracy/R2 the test split leaves no room to rank models.
NEAR_CEILING = 0.98


def _score_findings(
    run: run_pb2.Run,
    profile: MetaFeatures | None,
    history: list[run_pb2.Run],
    estimator: str | None,
) -> list[Finding]:
    scored = ranking_score(run.outcome)
    if scored is None:
        return []
    metric, value = scored
    findings: list[Finding] = []
    model = estimator or run.outcome.model_type or "The model"
    family = _family(estimator)
    if metric == "accuracy":
        n_classes = profile.n_classes if profile and profile.n_classes else 0
        chance = (
            f" (chance is about {1 / n_classes:.2f} with {n_classes} classes)"
            if (n_classes)
            else ""
        )
        rows = profile.rows if profile else 0
        test_rows = max(1, round(rows * 0.2)) if rows else 0
        if value >= NEAR_CEILING:
            findings.append(
                Finding(
                    f"{model} reaches an accuracy of {value:.3f}, close to the ceiling for "
                    "this test split, so small differences between models are noise.",
                    "Compare models with 5-fold cross_val_score instead of a single split.",
                    f"Your test split has about {test_rows} rows: how much would one more "
                    "mistake move the accuracy?"
                    if test_rows
                    else "How many test rows would one more mistake change the accuracy by?",
                    "At this level the split, not the model, decides the ranking; several "
                    "splits would tell you more than one.",
                )
            )
        elif family == "linear":
            findings.append(
                Finding(
                    f"{model} reaches {value:.3f} accuracy{chance}; as a linear model it can "
                    "only draw straight boundaries between the classes.",
                    "Try a tree ensemble (RandomForest, HistGradientBoosting), which captures "
                    "non-linear interactions without scaling.",
                    f"{model} scored {value:.3f}: could a straight line (or plane) separate "
                    "your classes, or do features interact?",
                    "Think of a model that can split on one feature, then on another inside "
                    "each part.",
                )
            )
        elif family == "trees":
            findings.append(
                Finding(
                    f"{model} reaches {value:.3f} accuracy{chance}; a tree ensemble already "
                    "captures non-linear interactions, so the next gains come from its "
                    "settings or from the features.",
                    "Tune one setting at a time (min_samples_leaf, max_features, or the "
                    "learning rate of a boosted model) and compare the scores.",
                    f"{model} already fits non-linear patterns and scored {value:.3f}: which "
                    "rows does it still get wrong, and what do they share?",
                    "Compare its training and test scores: the gap tells you whether to give "
                    "the trees more freedom or less.",
                )
            )
        else:
            findings.append(
                Finding(
                    f"{model} reaches an accuracy of {value:.3f}{chance}, which leaves room "
                    "to improve.",
                    "Compare it with a tree ensemble and tune one hyperparameter at a time.",
                    f"{model} scored {value:.3f}: which kinds of rows does it still get wrong?",
                    "Look at the confusion matrix: which classes does it mix up?",
                )
            )
    else:
        quality = "weak" if value < 0.5 else "reasonable" if value < 0.85 else "strong"
        findings.append(
            Finding(
                f"{model} explains {value:.3f} of the target variance (R2), a {quality} fit.",
                "Compare with a tree ensemble and check the residuals for patterns."
                if family != "trees"
                else "Tune one setting at a time and check the residuals for patterns.",
                f"{model} explains {value:.3f} of the variance: where does it make its "
                "largest errors, and what do those rows share?",
                "Plot the errors against each feature: a pattern there is signal the model missed.",
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
                f"Your run {best.name or best.outcome.model_type} scored "
                f"{best_score.value:.3f}: what did it do differently from this one?",
                "Put the two runs side by side (Runs → compare) and look at what changed.",
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
                f"Your model scores {train:.3f} on rows it has seen and {test:.3f} on new "
                "ones: why would those differ so much?",
                "A model that memorises its training rows needs less freedom: fewer or "
                "shallower trees, or stronger regularisation.",
            )
        ]
    if train < UNDERFIT_SCORE and test < UNDERFIT_SCORE:
        return [
            Finding(
                f"The model under-fits: even on the training rows it scores only {train:.3f}.",
                "Use a more flexible model (a tree ensemble) or better features.",
                f"Even on the rows it learns from it scores {train:.3f}: what does the model lack?",
                "Either the model is too rigid for the pattern, or the features do not "
                "carry it yet.",
            )
        ]
    return []


def column_handling(roles: dict[str, str]) -> list[str]:
    """What the generated code does with the identifier, date and free-text columns."""
    done: list[str] = []
    if ids := columns_with(roles, ID):
        done.append(f"dropping the identifier{'s' if len(ids) > 1 else ''} {_names(ids)}")
    if dates := columns_with(roles, DATE):
        done.append(f"year, month and weekday from {_names(dates)}")
    if texts := columns_with(roles, TEXT):
        done.append(f"TF-IDF word features from {_names(texts)}")
    return done


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _names(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _role_findings(profile: MetaFeatures, handled: bool) -> list[Finding]:
    """Identifier, date and free-text columns of the dataset (its profile's column roles)."""
    roles = profile.column_roles
    findings: list[Finding] = []
    ids, dates, texts = (
        columns_with(roles, ID),
        columns_with(roles, DATE),
        columns_with(roles, TEXT),
    )
    parts: list[str] = []
    if ids:
        parts.append(
            f"{_names(ids)} {'is an identifier' if len(ids) == 1 else 'are identifiers'} "
            f"(a different value on almost every one of the {profile.rows:,} rows)"
        )
    if dates:
        parts.append(f"{_names(dates)} {'holds' if len(dates) == 1 else 'hold'} dates")
    if texts:
        parts.append(f"{_names(texts)} {'is' if len(texts) == 1 else 'are'} free text")
    if not parts:
        return findings
    action = (
        "; one-hot encoding them makes one column per distinct value, so the proposal "
        + _and(
            [
                *(["drops the identifiers"] if ids else []),
                *(["splits the dates into year, month and weekday"] if dates else []),
                *(["turns the words of the text into TF-IDF features"] if texts else []),
            ]
        )
        if handled
        else ""
    )
    first = ids[0] if ids else dates[0] if dates else texts[0]
    findings.append(
        Finding(
            "In this dataset " + ", ".join(parts) + action + ".",
            "Drop identifier columns, split dates into parts (year, month, weekday) and "
            "vectorise free text (TfidfVectorizer) before one-hot encoding the rest.",
            f"What do you notice about the column {first!r}: how many distinct values does "
            f"it have in {profile.rows:,} rows, and what would one-hot encoding make of it?",
            " ".join(
                [
                    *(
                        [f"A value seen once, like each {ids[0]}, cannot teach the model anything."]
                        if ids
                        else []
                    ),
                    *(
                        [f"The month in {dates[0]} may matter more than the exact day."]
                        if dates
                        else []
                    ),
                    *(
                        [f"The words inside {texts[0]} repeat even when the sentences do not."]
                        if texts
                        else []
                    ),
                ]
            ),
        )
    )
    return findings


def _column_findings(
    run: run_pb2.Run, profile: MetaFeatures | None, handled: bool
) -> list[Finding]:
    """ID-like columns (no signal, or a leak through row order) and target leaks."""
    if profile is not None and profile.column_roles:
        findings = _role_findings(profile, handled)
    else:
        findings = []
    try:
        info = json.loads(run.outcome.dataset_info_json or "{}")
    except ValueError:
        return findings
    features = info.get("features") if isinstance(info, dict) else None
    if not isinstance(features, list):
        return findings
    names = [str(name) for name in features]
    ids = [name for name in names if id_like_name(name)]
    if ids and not (profile is not None and profile.column_roles):
        findings.append(
            Finding(
                f"The feature(s) {', '.join(ids[:3])} look like identifiers: they carry no "
                "signal, or leak the answer through how rows were numbered.",
                f"Drop identifier columns before training (X = X.drop(columns={ids[:3]!r})).",
                f"What does the column {ids[0]!r} tell you about a row, other than which row "
                "it is?",
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
                    f"Could {leaks[0]!r} only be known after the answer is known?",
                    f"Compare {leaks[0]!r} with {target!r} row by row.",
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
            f"Your {profile.rows} rows leave about {test_rows} for testing: how much is one "
            "prediction worth in the score?",
            "Several splits, each row tested once, say more than one small split.",
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
                f"The smallest class has {profile.class_imbalance:.0%} as many rows as the "
                "largest: what accuracy would always guessing the largest class get?",
                "Accuracy counts every row alike; look at a score per class.",
            )
        )
    if profile.missing_ratio > 0 and cause != "missing":
        findings.append(
            Finding(
                f"{profile.missing_ratio:.1%} of the cells are missing.",
                "Impute missing values inside the Pipeline (SimpleImputer) rather than "
                "dropping rows.",
                f"{profile.missing_ratio:.1%} of your cells are empty: what does your code do "
                "with them today?",
                "Dropping every row with a gap can throw away much of the data; a value can "
                "be filled in from the training rows instead.",
            )
        )
    roles = profile.column_roles
    special = set(columns_with(roles, ID) + columns_with(roles, DATE) + columns_with(roles, TEXT))
    categorical = [name for name, role in roles.items() if role == "categorical"]
    if profile.categorical_ratio > 0 and cause != "categorical" and (categorical or not roles):
        named = f" ({_names(categorical)})" if categorical else ""
        share = (
            f"{len(categorical)} of the {profile.columns} feature columns are categories"
            if categorical
            else f"{profile.categorical_ratio:.0%} of the feature columns are text (categorical)"
        )
        subject = f"the column {categorical[0]!r}" if categorical else "a column of words"
        if not (special and not categorical):
            findings.append(
                Finding(
                    f"{share}{named}.",
                    'One-hot encode the text columns (OneHotEncoder(handle_unknown="ignore")).',
                    f"How can a model that only understands numbers use {subject}?",
                    "Each category could become its own yes/no column.",
                )
            )
    return findings


def diagnose(
    run: run_pb2.Run,
    profile: MetaFeatures | None,
    history: list[run_pb2.Run],
    task_type: str,
    proposal: Finding,
    facts: CodeFacts | None = None,
    handled: bool = True,
) -> Diagnosis:
    """2–3 sentences and 2–3 suggestions; `proposal` describes the improved experiment.

    `facts` is what the learner's code does (read with `ast`); `handled` says whether the
    proposal deals with the identifier/date/text columns itself (the generated template
    does; an edit of the learner's code does not).
    """
    facts = facts if facts is not None else read_code(run.code)
    cause = crash_cause(run)
    findings: list[Finding] = []
    if cause:
        findings += _crash_findings(run, cause)
        if profile is not None and profile.column_roles:
            findings += _role_findings(profile, handled)
    else:
        findings += _column_findings(run, profile, handled)
        findings += _fit_findings(run)
        findings += _model_findings(run, task_type, facts)
        findings += _score_findings(run, profile, history, _run_estimator(run, facts, task_type))
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
    hints = [h for h in _unique([f.hint for f in findings]) if h not in suggestions]
    return Diagnosis(
        sentences=sentences,
        suggestions=suggestions,
        crash_cause=cause,
        questions=questions,
        hints=hints[:MAX_SUGGESTIONS],
    )


def _generic_sentence(run: run_pb2.Run, task_type: str) -> str:
    model = run.outcome.model_type or "The model"
    kind = "regression" if task_type == REGRESSION else "classification"
    return f"{model} ran without errors on this {kind} task."


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))
