"""Hardened sandbox for running untrusted learner code (see ``services/execution/README.md``)."""

from .grading import METRICS, grade
from .models import (
    GradingError,
    LearnerError,
    Limits,
    OutputChunk,
    QueuePosition,
    RunSpec,
    SandboxBusy,
    SandboxError,
    SandboxResult,
)
from .pool import SandboxPool

__all__ = [
    "METRICS",
    "GradingError",
    "LearnerError",
    "Limits",
    "OutputChunk",
    "QueuePosition",
    "RunSpec",
    "SandboxBusy",
    "SandboxError",
    "SandboxPool",
    "SandboxResult",
    "grade",
]
