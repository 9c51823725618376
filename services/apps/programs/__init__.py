"""The programs apps run: each app renders its learner-readable template with the learner's
choices. A template is a real Python file (`<slug>.py.tmpl`) with `{{NAME}}` placeholders that
are replaced by Python literals (`repr`), so no choice can inject code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.common.errors import AscentError

DATA_PATH = "/data/uploaded.csv"
_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ProgramRequest:
    target: str
    options: dict[str, Any]
    sample_rows: int
    data_path: str = DATA_PATH


def parse_options(options_json: str) -> dict[str, Any]:
    if not options_json.strip():
        return {}
    try:
        options = json.loads(options_json)
    except ValueError:
        raise AscentError("invalid_argument", "The app's options are not valid JSON.") from None
    if not isinstance(options, dict):
        raise AscentError("invalid_argument", "The app's options must be a JSON object.")
    return options


def _bounded_int(options: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = options.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise AscentError("invalid_argument", f"{key} must be a whole number in {low}–{high}.")
    return value


def render(template: str, values: dict[str, Any]) -> str:
    code = template
    for name, value in values.items():
        code = code.replace("{{" + name + "}}", repr(value))
    if "{{" in code:
        raise ValueError("a template placeholder was left unfilled")
    return code


def template(slug: str) -> str:
    return (_HERE / f"{slug}.py.tmpl").read_text(encoding="utf-8")


def explorer_program(request: ProgramRequest) -> str:
    sample_rows = _bounded_int(
        request.options, "sample_rows", request.sample_rows, 100, max(request.sample_rows, 100)
    )
    return render(
        template("explorer"),
        {"DATA": request.data_path, "TARGET": request.target, "SAMPLE_ROWS": sample_rows},
    )


# slug -> how to build its program. An app is "available" when it has one here.
PROGRAMS = {"explorer": explorer_program}


def build_program(slug: str, request: ProgramRequest) -> str:
    builder = PROGRAMS.get(slug)
    if builder is None:
        raise AscentError("not_found", f"The app {slug!r} has no program yet.")
    return builder(request)
