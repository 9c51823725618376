"""`ASCENT_REPORT:` lines: the structured sections a program prints for an app to read.

Protocol (version 1), one section per stdout line::

    ASCENT_REPORT: {"v": 1, "kind": "columns", "data": {...}}

- `v` is the protocol version (an integer; this reader accepts 1); `kind` names the section
  (lowercase letters, digits and `_`, at most 40 characters); `data` is a JSON object.
- A line is at most `MAX_SECTION_BYTES` bytes (UTF-8): a longer one is dropped, as is a line
  that is not valid JSON or lacks a field: a program's section is structured or not at all,
  it is never half-read. At most `MAX_SECTIONS` sections per run are kept.
- The kind `progress` is not stored: `{"done": int, "total": int, "label": str}` drives the
  app's progress bar.

Apps print these with plain `print(json.dumps(...))` (no helper module), so the very program
an app shows runs unchanged in the notebook and prints the same sections there; the execution
service ignores them (`services/execution/protocol.py` reads only its own keys), and the apps
service reads them as the output streams (`LineSplitter`) or from a finished run's stdout.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

PREFIX = "ASCENT_REPORT:"
VERSION = 1
MAX_SECTION_BYTES = 512_000
MAX_SECTIONS = 100
PROGRESS = "progress"
_KIND = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class ReportSection:
    kind: str
    version: int
    data: dict[str, Any]

    @property
    def data_json(self) -> str:
        return json.dumps(self.data, separators=(",", ":"), allow_nan=False)


def parse_line(line: str) -> ReportSection | None:
    """The section of one stdout line, or None when the line is not a valid one."""
    if not line.startswith(PREFIX) or len(line.encode("utf-8", "replace")) > MAX_SECTION_BYTES:
        return None
    try:
        payload = json.loads(line[len(PREFIX) :], parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict):
        return None
    version, kind, data = payload.get("v"), payload.get("kind"), payload.get("data")
    if not isinstance(version, int) or isinstance(version, bool) or version != VERSION:
        return None
    if not isinstance(kind, str) or not _KIND.match(kind) or not isinstance(data, dict):
        return None
    return ReportSection(kind=kind, version=version, data=data)


def _reject_constant(name: str) -> Any:
    # NaN/Infinity are not JSON: a section carrying them is not a valid section.
    raise ValueError(f"{name} is not valid JSON")


def sections_of(stdout: str) -> list[ReportSection]:
    """Every valid section of a finished run's stdout, in order (progress lines excluded)."""
    found: list[ReportSection] = []
    for line in stdout.splitlines():
        section = parse_line(line)
        if section is not None and section.kind != PROGRESS:
            found.append(section)
            if len(found) >= MAX_SECTIONS:
                break
    return found


class LineSplitter:
    """Whole lines out of streamed output chunks (a chunk may end mid-line)."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> list[str]:
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        if len(self._pending) > MAX_SECTION_BYTES:
            # An over-long line can never be a section: drop it instead of growing.
            self._pending = ""
        return lines

    def flush(self) -> list[str]:
        rest, self._pending = self._pending, ""
        return [rest] if rest else []
