"""Public data types of the sandbox (the interface the gRPC servicer codes against)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class SandboxError(Exception):
    """The sandbox cannot run this (setup failure, invalid request). Fails closed; the
    message is safe to show to a learner."""


class SandboxBusy(SandboxError):
    """All workers are busy and the wait queue is full: retry later."""


class GradingError(SandboxError):
    """Predictions cannot be graded (missing, wrong length/type, unknown metric…)."""


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 30.0
    cpu_seconds: float = 30.0
    memory_mb: int = 1024
    max_processes: int = 32
    file_size_mb: int = 16
    open_files: int = 256
    output_bytes: int = 1_000_000


@dataclass(frozen=True)
class RunSpec:
    run_id: str
    owner_id: str
    code: str
    dataset_path: str | None = None  # host path, exposed read-only at /data/uploaded.csv
    input_files: Mapping[str, str] = field(default_factory=dict)  # /data/<name> -> host path
    limits: Limits = Limits()


@dataclass(frozen=True)
class OutputChunk:
    stream: str  # "stdout" | "stderr"
    text: str


@dataclass(frozen=True)
class QueuePosition:
    position: int  # 1 = next to run


@dataclass(frozen=True)
class LearnerError:
    type: str
    message: str
    traceback: list[str]  # the learner's own frames only, formatted lines


@dataclass(frozen=True)
class SandboxResult:
    run_id: str
    status: str  # ok | error | timeout | cancelled | memory | output_limit | killed
    exit_code: int  # process exit code; -N when killed by signal N; -1 if never started
    error: LearnerError | None
    duration_ms: int
    peak_memory_kb: int
    stdout: str  # full captured text (capped)
    stderr: str
    truncated: bool
    figures: list[bytes]  # PNG
    report: dict[str, Any]  # from ascent_report, {} if unused
    predictions: list[Any] | None  # from ascent_report.predictions, None if not given


STATUSES = ("ok", "error", "timeout", "cancelled", "memory", "output_limit", "killed")
