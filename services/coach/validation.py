"""Checks every proposal passes before it reaches the learner.

1. It parses (Python `ast`).
2. It follows the run contract: reads the uploaded dataset at `/data/uploaded.csv`, prints
   `MODEL_TYPE:` and a score line (`ACCURACY:` or `R2:`), imports nothing outside the data
   science stack (no process, network or file-system escape hatches).
3. A dry run: the code runs in a fresh, isolated interpreter (`python -I`, empty working
   directory, CPU/memory/file-size rlimits, wall-clock timeout) on a sample of the dataset
   (at most DRY_RUN_ROWS rows; the Iris fallback when there is no dataset) and must exit 0
   and print a score. This is a plain subprocess, not the execution service's sandbox: the
   coach does not run as root, and the learner's real run still goes through the sandbox.
"""

from __future__ import annotations

import ast
import os
import re
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from services.coach.codegen import DATA_PATH

DRY_RUN_ROWS = 300
DRY_RUN_SECONDS = 60.0
DRY_RUN_MEMORY_MB = 2048
MAX_CODE_CHARS = 50_000

ALLOWED_IMPORTS = {
    "json",
    "math",
    "numpy",
    "pandas",
    "sklearn",
    "scipy",
    "matplotlib",
    "warnings",
    "statistics",
    "collections",
    "itertools",
    "functools",
    "random",
    "time",
    "re",
    "typing",
    "dataclasses",
    "__future__",
}
FORBIDDEN_CALLS = {"exec", "eval", "compile", "__import__", "open", "breakpoint", "input"}
_SCORE = re.compile(r"^(ACCURACY|R2):\s*-?\d", re.M)


@dataclass(frozen=True)
class Validation:
    ok: bool
    problems: list[str]

    @property
    def reason(self) -> str:
        return "; ".join(self.problems)


def static_problems(code: str) -> list[str]:
    """Parse and contract checks (fast; no execution)."""
    if not code.strip():
        return ["the code is empty"]
    if len(code) > MAX_CODE_CHARS:
        return [f"the code is longer than {MAX_CODE_CHARS} characters"]
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return [f"the code does not parse (line {exc.lineno}: {exc.msg})"]
    problems: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            names = []
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in FORBIDDEN_CALLS
            ):
                problems.append(f"the code calls {node.func.id}()")
        for name in names:
            if name.split(".")[0] not in ALLOWED_IMPORTS:
                problems.append(f"the code imports {name!r}, which experiments may not use")
    if DATA_PATH not in code:
        problems.append(f"the code does not read the uploaded dataset ({DATA_PATH})")
    if "MODEL_TYPE:" not in code:
        problems.append("the code does not print MODEL_TYPE:")
    if "ACCURACY:" not in code and "R2:" not in code:
        problems.append("the code prints no score (ACCURACY: or R2:)")
    return sorted(set(problems), key=problems.index)


def _limits() -> None:  # runs in the child before exec
    cpu = int(DRY_RUN_SECONDS)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = DRY_RUN_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024 * 1024, 16 * 1024 * 1024))
    os.setsid()


def dry_run(code: str, dataset: Path | None, timeout: float = DRY_RUN_SECONDS) -> list[str]:
    """Run `code` on a sample of `dataset`; the problems found (empty when it worked)."""
    with tempfile.TemporaryDirectory(prefix="coach-dry-run-") as tmp:
        work = Path(tmp)
        sample = work / "uploaded.csv"
        if dataset is not None and dataset.exists():
            frame = pd.read_csv(dataset)
            if len(frame) > DRY_RUN_ROWS:
                frame = frame.sample(n=DRY_RUN_ROWS, random_state=0)
            frame.to_csv(sample, index=False)
        script = work / "experiment.py"
        # Without a dataset the path does not exist and the code takes its Iris fallback.
        script.write_text(code.replace(DATA_PATH, str(sample)))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "MPLBACKEND": "Agg",
            "OMP_NUM_THREADS": "1",
            "HOME": tmp,
        }
        try:
            proc = subprocess.run(
                [sys.executable, "-I", str(script)],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=timeout,
                preexec_fn=_limits,
            )
        except subprocess.TimeoutExpired:
            return [f"the dry run did not finish within {timeout:.0f} s"]
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        return [f"the dry run failed: {last[:300]}"]
    if not _SCORE.search(proc.stdout):
        return ["the dry run printed no score (ACCURACY: or R2:)"]
    return []


def validate(code: str, dataset: Path | None, run: bool = True) -> Validation:
    problems = static_problems(code)
    if not problems and run:
        problems = dry_run(code, dataset)
    return Validation(ok=not problems, problems=problems)
