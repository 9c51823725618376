"""Typed test data for the proto messages the tests build with per-test overrides.

A generated message's `__init__` takes each field as its own keyword, so a `**dict[str, object]`
of defaults cannot be checked against it; `RunFields` names the same keywords with their types.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, Unpack

from ascent.types.v1 import run_pb2
from google.protobuf.timestamp_pb2 import Timestamp


class RunFields(TypedDict, total=False):
    """The keywords of `run_pb2.Run(...)` (a test checks the names against the message)."""

    id: str
    session_id: str
    owner_id: str
    name: str
    code: str
    outcome: run_pb2.RunOutcome
    stdout: str
    stderr: str
    error: run_pb2.RunError
    has_error: bool
    is_improved: bool
    parent_run_id: str
    dataset_sha256: str
    status: str
    duration_ms: int
    peak_memory_kb: int
    created_at: Timestamp | datetime
    figures: list[bytes]
    challenge_slug: str
    grade: run_pb2.Grade
    challenge_version: int
    practice: bool
    display: run_pb2.RunDisplay
    notices: list[str]
    summary: bool
    app_slug: str
    scored_by: str


def make_run(defaults: RunFields, **fields: Unpack[RunFields]) -> run_pb2.Run:
    """A `Run` of `defaults`, each of `fields` replacing the default of the same name."""
    values: RunFields = {**defaults, **fields}
    return run_pb2.Run(**values)
