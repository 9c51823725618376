"""What the learner's code does, read with `ast` (never executed), and small edits of it.

The coach grounds its advice in the code: which estimator it builds, whether it scales,
imputes or encodes, and whether it is the coach's own template. When the code is simple
enough (one estimator constructor), a proposal is an edit of it — the estimator line
swapped, a scaler step added, the imports and the `MODEL_TYPE:` line kept in step, and a
`PIPELINE:` line so the run reports what it tried — so the diff shows the idea instead of
a rewrite.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field

from services.coach.codegen import ESTIMATORS, SCALERS
from services.common.ml.pipelines import PipelineSpec

# The first comment line of every generated experiment (`codegen.generate_code`).
COACH_HEADER = "# Improved experiment proposed by the Ascent coach."
IMPUTERS = ("SimpleImputer", "KNNImputer", "IterativeImputer")
ENCODERS = ("OneHotEncoder", "OrdinalEncoder", "TargetEncoder", "get_dummies")
TEXT_VECTORISERS = ("TfidfVectorizer", "CountVectorizer", "HashingVectorizer")


@dataclass(frozen=True)
class EstimatorCall:
    name: str
    # Source span of the constructor call (1-based lines, 0-based columns, as `ast` gives).
    lineno: int
    col: int
    end_lineno: int
    end_col: int


@dataclass(frozen=True)
class CodeFacts:
    parsed: bool
    estimators: list[EstimatorCall] = field(default_factory=list)
    # Every name the code calls (constructors and functions), e.g. {"StandardScaler"}.
    calls: frozenset[str] = frozenset()
    coach_template: bool = False

    @property
    def known(self) -> bool:
        """There is code to read (a run without code says nothing about scaling)."""
        return self.parsed and bool(self.calls)

    @property
    def scaled(self) -> bool:
        return any(name in self.calls for name in (*SCALERS, "scale"))

    @property
    def imputes(self) -> bool:
        return any(name in self.calls for name in (*IMPUTERS, "fillna", "dropna"))

    @property
    def encodes(self) -> bool:
        return any(name in self.calls for name in ENCODERS)

    @property
    def vectorises_text(self) -> bool:
        return any(name in self.calls for name in TEXT_VECTORISERS)

    @property
    def estimator(self) -> str:
        """The estimator the code builds when there is exactly one, else ""."""
        names = {call.name for call in self.estimators}
        return next(iter(names)) if len(names) == 1 else ""


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def read_code(code: str) -> CodeFacts:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return CodeFacts(parsed=False)
    calls: set[str] = set()
    estimators: list[EstimatorCall] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node)
        calls.add(name)
        if name in ESTIMATORS and node.end_lineno is not None and node.end_col_offset is not None:
            estimators.append(
                EstimatorCall(
                    name, node.lineno, node.col_offset, node.end_lineno, node.end_col_offset
                )
            )
    estimators.sort(key=lambda call: (call.lineno, call.col))
    return CodeFacts(
        parsed=True,
        estimators=estimators,
        calls=frozenset(calls),
        coach_template=code.lstrip().startswith(COACH_HEADER),
    )


def _offset(lines: list[str], lineno: int, col: int) -> int:
    """Character offset of (1-based line, 0-based UTF-8 byte column) in the joined text."""
    before = sum(len(line) for line in lines[: lineno - 1])
    return before + len(lines[lineno - 1].encode()[:col].decode(errors="ignore"))


def _call_text(spec: PipelineSpec) -> str:
    args = ", ".join(f"{key}={value!r}" for key, value in sorted(spec["params"].items()))
    return f"{spec['estimator']}({args})"


def _import_line(name: str) -> str:
    return f"from {ESTIMATORS[name].module} import {name}"


def edit_code(code: str, facts: CodeFacts, spec: PipelineSpec) -> str | None:
    """The learner's code with its one estimator replaced by `spec`'s (behind a
    StandardScaler when the spec scales and the code does not), or None when the code is
    not simple enough to edit (no or several estimators, unparsable)."""
    if not facts.parsed or len(facts.estimators) != 1:
        return None
    old = facts.estimators[0]
    new = spec["estimator"]
    add_scaler = "StandardScaler" in spec["steps"] and not facts.scaled
    call = _call_text(spec)
    replacement = f"make_pipeline(StandardScaler(), {call})" if add_scaler else call
    lines = code.splitlines(keepends=True)
    start = _offset(lines, old.lineno, old.col)
    end = _offset(lines, old.end_lineno, old.end_col)
    edited = code[:start] + replacement + code[end:]
    edited = edited.replace(f"MODEL_TYPE: {old.name}", f"MODEL_TYPE: {new}")

    tree = ast.parse(edited)
    lines = edited.splitlines(keepends=True)
    imports: list[str] = []
    if new != old.name:
        imports.append(_import_line(new))
    if add_scaler:
        imports += ["from sklearn.pipeline import make_pipeline"]
        imports += ["from sklearn.preprocessing import StandardScaler"]
    still_used = new == old.name or any(
        isinstance(node, ast.Name) and node.id == old.name for node in ast.walk(tree)
    )
    last_import = 0
    swapped = False
    for node in tree.body:
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        last_import = node.end_lineno or node.lineno
        names = [alias.name for alias in node.names]
        if not still_used and not swapped and names == [old.name] and imports:
            # The old estimator's import becomes the new one's: one changed line in the diff.
            indent = lines[node.lineno - 1][: node.col_offset]
            lines[node.lineno - 1] = f"{indent}{imports.pop(0)}\n"
            swapped = True
    if imports:
        lines[last_import:last_import] = [f"{line}\n" for line in imports]
    edited = "".join(lines)
    reported = {
        "steps": ["StandardScaler"] if "StandardScaler" in spec["steps"] else [],
        "estimator": new,
        "params": spec["params"],
    }
    return _add_pipeline_line(edited, json.dumps(reported, sort_keys=True))


def _prints(code: str, tree: ast.AST, marker: str) -> list[ast.Expr]:
    """The `print(...)` statements whose source holds `marker`."""
    found: list[ast.Expr] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Call)
            and _called_name(node.value) == "print"
            and marker in (ast.get_source_segment(code, node) or "")
        ):
            found.append(node)
    return found


def _add_pipeline_line(code: str, spec_json: str) -> str:
    """A `PIPELINE:` print after the `MODEL_TYPE:` one (else at the end), so the run reports
    the pipeline it tried and the coach never proposes it again. An earlier `PIPELINE:`
    print (an edit of an edit) goes: the protocol keeps the last line, which must be this."""
    line = f"print({('PIPELINE: ' + spec_json)!r})"
    lines = code.splitlines(keepends=True)
    for node in sorted(_prints(code, ast.parse(code), "PIPELINE:"), key=lambda n: -n.lineno):
        del lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
    trimmed = "".join(lines)
    try:
        tree = ast.parse(trimmed)
        code = trimmed
    except SyntaxError:
        # The old line was a block's only statement: keep it; ours comes after it anyway.
        tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    model_lines = _prints(code, tree, "MODEL_TYPE:")
    if model_lines:
        node = max(model_lines, key=lambda n: n.lineno)
        indent = lines[node.lineno - 1][: node.col_offset]
        lines.insert(node.end_lineno or node.lineno, f"{indent}{line}\n")
        return "".join(lines)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join([*lines, f"{line}\n"])
