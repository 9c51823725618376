"""Validation before publish: static checks, then the reference solution and the starter
code through the real execution service. The runs take seconds, so no transaction is open
while they happen; the report is stored (and a publish committed) for the exact revision
that was checked."""

from __future__ import annotations

import asyncio
from typing import Protocol

from ascent.authoring.v1 import authoring_service_pb2 as pb
from ascent.types.v1 import run_pb2

from services.authoring import service
from services.common.db import Database
from services.common.errors import AscentError
from services.common.ml.scoring import meets


class Runner(Protocol):
    async def run(
        self, code: str, slug: str, version: int, owner_id: str, name: str
    ) -> run_pb2.Run: ...


class Tracks(Protocol):
    async def track_slugs(self) -> set[str]: ...


def _error_text(run: run_pb2.Run) -> str:
    if run.has_error:
        error = run.error
        return f"{error.type}: {error.message}" if error.type else error.message
    return f"the run ended with status {run.status!r}"


def reference_check(run: run_pb2.Run, metric: str, threshold: float) -> pb.RunCheck:
    check = pb.RunCheck(threshold=threshold, run_status=run.status)
    grade = run.grade
    if run.has_error or run.status != "ok":
        check.status = "failed"
        check.message = f"The reference solution failed: {_error_text(run)}"
        return check
    if grade.status != "graded" or not grade.HasField("public_score"):
        check.status = "failed"
        check.message = f"The reference solution could not be graded: {grade.message}"
        return check
    # Both parts of the hidden set count: the reference must reach the bar on each, so the
    # public score is not a lucky draw.
    scores = [grade.public_score]
    if grade.HasField("private_score"):
        scores.append(grade.private_score)
    worst = max(scores) if grade.lower_is_better else min(scores)
    check.score = worst
    check.passed = meets(metric, worst, threshold)
    check.status = "ok" if check.passed else "failed"
    check.message = (
        f"The reference solution scores {worst:.4f} ({metric}); the threshold is {threshold:g}."
        if check.passed
        else f"The reference solution scores {worst:.4f} ({metric}), which does not reach the "
        f"pass threshold {threshold:g}: learners could not pass either. Lower the threshold or "
        "improve the reference solution."
    )
    return check


def starter_check(run: run_pb2.Run) -> pb.RunCheck:
    if run.has_error or run.status != "ok":
        return pb.RunCheck(
            status="failed",
            run_status=run.status,
            message=f"The starter code does not run: {_error_text(run)}",
        )
    return pb.RunCheck(status="ok", run_status=run.status, message="The starter code runs.")


async def validate(
    db: Database, slug: str, runner: Runner, tracks: Tracks
) -> tuple[service.Draft, pb.ValidationReport]:
    draft = await db.run(lambda s: service.draft_snapshot(s, slug))
    try:
        known: set[str] | None = await tracks.track_slugs()
    except AscentError:
        known = None
    messages, profile = await asyncio.to_thread(service.static_checks, draft, known)
    if known is None:
        messages.append("The track could not be checked: the progress service is unavailable.")
    report = pb.ValidationReport(version=draft.version, profile=profile)
    report.reference.status = report.starter.status = "not_run"
    if not messages:
        owner = f"authoring:{slug}"
        reference, starter = await asyncio.gather(
            runner.run(draft.solution, slug, draft.version, owner, "Reference solution"),
            runner.run(draft.starter_code, slug, draft.version, owner, "Starter code"),
        )
        assert draft.pass_threshold is not None
        report.reference.CopyFrom(reference_check(reference, draft.metric, draft.pass_threshold))
        report.starter.CopyFrom(starter_check(starter))
        messages += [
            check.message for check in (report.reference, report.starter) if check.status != "ok"
        ]
    report.messages.extend(messages)
    report.ok = not messages
    report.validated_at.GetCurrentTime()
    await db.run(lambda s: service.store_validation(s, draft, report))
    return draft, report


async def publish(
    db: Database, slug: str, runner: Runner, tracks: Tracks
) -> tuple[pb.AuthoredChallenge, pb.ValidationReport]:
    """Validate, then publish only if that passed; an archived challenge with no new draft
    simply goes back into its track."""
    again = await db.run(lambda s: service.republish(s, slug))
    if again is not None:
        return again, again.validation
    draft, report = await validate(db, slug, runner, tracks)
    if not report.ok:
        raise AscentError("unprocessable", "Not published: " + " ".join(report.messages))
    challenge = await db.run(lambda s: service.publish(s, draft, report))
    return challenge, report
