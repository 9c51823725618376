"""Turns a sandbox result into the run record (the seed's run schema) and its event."""

from __future__ import annotations

from ascent.events.v1 import learning_pb2
from ascent.execution.v1 import execution_service_pb2 as pb
from ascent.types.v1 import run_pb2

from services.common.errors import AscentError
from services.execution.protocol import check_scores, display_of, merge_report, parse_stdout
from services.execution.sandbox import LearnerError, SandboxResult

# What a learner reads when the sandbox stopped their code rather than their code failing.
_STOPPED = {
    "timeout": ("TimeoutError", "Your code ran longer than the time limit and was stopped."),
    "memory": ("MemoryError", "Your code used more memory than the limit and was stopped."),
    "output_limit": ("OutputLimitError", "Your code printed more than the output limit."),
    "cancelled": ("Cancelled", "The run was cancelled."),
    "killed": ("Killed", "Your code was stopped by the sandbox (a resource limit was hit)."),
}


def validate_request(request: pb.ExecuteRequest, max_code_chars: int) -> None:
    if not request.run_id:
        raise AscentError("invalid_argument", "run_id is required.")
    if not request.code.strip():
        raise AscentError("invalid_argument", "There is no code to run.")
    if request.practice and not request.challenge_slug:
        raise AscentError("invalid_argument", "A practice run needs the challenge it practises.")
    if len(request.code) > max_code_chars:
        raise AscentError(
            "invalid_argument", f"The code is longer than {max_code_chars} characters."
        )


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}".rstrip("0").rstrip(".")


def _stopped_message(result: SandboxResult, wall_seconds: float | None) -> str | None:
    """The two stops a learner meets most say how long the run had: the limit it hit, or the
    time it ran before Stop (the only caller of Cancel on a learner's behalf)."""
    if result.status == "timeout" and wall_seconds:
        limit = _seconds(wall_seconds)
        return f"Stopped after {limit} s (the limit): the code ran past its time limit."
    if result.status == "cancelled":
        return f"Stopped by you after {_seconds(result.duration_ms / 1000)} s."
    return None


def learner_error(result: SandboxResult, wall_seconds: float | None = None) -> LearnerError | None:
    if result.error is not None:
        return result.error
    message = _stopped_message(result, wall_seconds)
    if message is not None:
        return LearnerError(type=_STOPPED[result.status][0], message=message, traceback=[])
    if result.status in _STOPPED:
        kind, message = _STOPPED[result.status]
        return LearnerError(type=kind, message=message, traceback=[])
    if result.status != "ok":
        return LearnerError(
            type="RunError",
            message=f"The run ended with exit code {result.exit_code}.",
            traceback=[],
        )
    return None


def build_run(
    request: pb.ExecuteRequest, result: SandboxResult, wall_seconds: float | None = None
) -> run_pb2.Run:
    """`wall_seconds`: the time limit the run had, named when it hit it."""
    report = result.report or {}
    outcome = check_scores(merge_report(parse_stdout(result.stdout), report))
    run = run_pb2.Run(
        id=request.run_id,
        session_id=request.session_id,
        owner_id=request.owner_id,
        name=request.name or "Run",
        code=request.code,
        outcome=outcome,
        stdout=result.stdout,
        stderr=result.stderr,
        is_improved=request.is_improved,
        parent_run_id=request.parent_run_id,
        dataset_sha256=request.dataset_sha256,
        status=result.status,
        duration_ms=result.duration_ms,
        peak_memory_kb=result.peak_memory_kb,
        figures=result.figures,
        app_slug=request.app_slug,
    )
    run.created_at.GetCurrentTime()
    display = display_of(report)
    if display is not None:
        run.display.CopyFrom(display)
    error = learner_error(result, wall_seconds)
    if error is not None:
        run.has_error = True
        run.error.CopyFrom(
            run_pb2.RunError(type=error.type, message=error.message, traceback=error.traceback)
        )
    return run


def completed_event(run: run_pb2.Run) -> learning_pb2.RunCompleted:
    """Figures stay out of the event: they can be megabytes and nobody downstream needs them."""
    slim = run_pb2.Run()
    slim.CopyFrom(run)
    del slim.figures[:]
    return learning_pb2.RunCompleted(run=slim)
