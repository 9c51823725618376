"""Turns a sandbox result into the run record (the seed's run schema) and its event.

Limits (execution README, "Limits"): a run keeps at most `MAX_FIGURES` figures of at most
`MAX_FIGURE_BYTES` each and `MAX_FIGURES_TOTAL_BYTES` in all (the rest are left out, with a
notice), so its result always fits the gRPC message limit of `services.common.rpc`. Its
`learning.run.completed.v1` event is bounded by construction (`completed_event`): figures
left out, stdout/stderr/code cut to fixed excerpts, the whole payload under
`EVENT_BUDGET_BYTES`, far below NATS's 1 MiB default max_payload.
"""

from __future__ import annotations

from ascent.events.v1 import learning_pb2
from ascent.execution.v1 import execution_service_pb2 as pb
from ascent.types.v1 import run_pb2

from services.common.errors import AscentError
from services.execution.protocol import check_scores, display_of, merge_report, parse_stdout
from services.execution.sandbox import LearnerError, SandboxResult

MAX_FIGURES = 20
MAX_FIGURE_BYTES = 4 << 20
MAX_FIGURES_TOTAL_BYTES = 12 << 20

# The event of a run (EVENTS.md, "Bounded events"): the learner saw the whole output live;
# the ledger keeps the first and last parts of it.
EVENT_BUDGET_BYTES = 512 << 10
EVENT_STDOUT_HEAD_BYTES = 16 << 10
EVENT_STDOUT_TAIL_BYTES = 112 << 10
EVENT_STDERR_TAIL_BYTES = 32 << 10
EVENT_CODE_BYTES = 256 << 10
# What is left of each text when the rest of the event (a large displayed table, a long
# traceback) still does not fit.
EVENT_FALLBACK_BYTES = 4 << 10

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
    notices: list[str] = []
    outcome = check_scores(merge_report(parse_stdout(result.stdout, notices), report, notices))
    figures = bounded_figures(result.figures, notices)
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
        figures=figures,
        notices=notices,
        app_slug=request.app_slug,
        scored_by=request.scored_by,
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


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):.1f} MB"


def _kilobytes(size: int) -> str:
    return f"{size / 1024:,.0f} KB"


def bounded_figures(figures: list[bytes], notices: list[str]) -> list[bytes]:
    """The figures a run keeps (count, each one's size, total), in the order drawn."""
    kept: list[bytes] = []
    total = 0
    for number, figure in enumerate(figures, start=1):
        if len(kept) >= MAX_FIGURES:
            notices.append(f"Only the first {MAX_FIGURES} figures are kept.")
            break
        if len(figure) > MAX_FIGURE_BYTES:
            notices.append(
                f"Figure {number} ({_megabytes(len(figure))}) is larger than the "
                f"{_megabytes(MAX_FIGURE_BYTES)} a figure may be and was left out: "
                "lower its dpi or size."
            )
            continue
        if total + len(figure) > MAX_FIGURES_TOTAL_BYTES:
            notices.append(
                f"Figure {number} was left out: the figures of a run may take "
                f"{_megabytes(MAX_FIGURES_TOTAL_BYTES)} in all."
            )
            continue
        kept.append(figure)
        total += len(figure)
    return kept


def _head(text: str, size: int) -> str:
    """The longest prefix of `text` of at most `size` UTF-8 bytes."""
    return text.encode("utf-8")[:size].decode("utf-8", "ignore")


def _tail(text: str, size: int) -> str:
    data = text.encode("utf-8")
    return data[max(0, len(data) - size) :].decode("utf-8", "ignore")


def _excerpt(text: str, head: int, tail: int, what: str) -> tuple[str, int]:
    """`text` cut to its first `head` and last `tail` bytes with a marker between; the
    number of bytes left out (0: unchanged)."""
    size = len(text.encode("utf-8"))
    if size <= head + tail:
        return text, 0
    first, last = _head(text, head), _tail(text, tail)
    left_out = size - len(first.encode("utf-8")) - len(last.encode("utf-8"))
    marker = f"\n… [{left_out:,} bytes of {what} left out of the stored run] …\n"
    return first + marker + last, left_out


def _bound_texts(run: run_pb2.Run, stdout: tuple[int, int], stderr: int, code: int) -> list[str]:
    notices = []
    run.stdout, cut = _excerpt(run.stdout, stdout[0], stdout[1], "output")
    if cut:
        whole = _kilobytes(len(run.stdout.encode("utf-8")) + cut)
        notices.append(
            f"The stored run keeps the first {_kilobytes(stdout[0])} and the last "
            f"{_kilobytes(stdout[1])} of the output ({whole} in all); the notebook's "
            "download has all of it."
        )
    run.stderr, cut = _excerpt(run.stderr, 0, stderr, "error output")
    if cut:
        notices.append(f"The stored run keeps the last {_kilobytes(stderr)} of stderr.")
    size = len(run.code.encode("utf-8"))
    if size > code:
        run.code = _head(run.code, code) + "\n# … [the rest of the code is left out] …\n"
        notices.append(
            f"The stored run keeps the first {_kilobytes(code)} of the code "
            f"({_kilobytes(size)} in all); the notebook keeps all of it."
        )
    return notices


def completed_event(run: run_pb2.Run) -> learning_pb2.RunCompleted:
    """The run's event, bounded by construction (module docstring): no figures (megabytes
    that nobody downstream needs), excerpts of stdout, stderr and code, and — should the
    rest still not fit (a wide displayed table, a huge traceback) — smaller excerpts and no
    display. Every cut is named in `notices`, which the leaderboard keeps with the run."""
    slim = run_pb2.Run()
    slim.CopyFrom(run)
    del slim.figures[:]
    slim.notices.extend(
        _bound_texts(
            slim,
            (EVENT_STDOUT_HEAD_BYTES, EVENT_STDOUT_TAIL_BYTES),
            EVENT_STDERR_TAIL_BYTES,
            EVENT_CODE_BYTES,
        )
    )
    if slim.ByteSize() > EVENT_BUDGET_BYTES:
        small = EVENT_FALLBACK_BYTES
        del slim.notices[len(run.notices) :]
        slim.stdout, slim.stderr, slim.code = run.stdout, run.stderr, run.code
        slim.notices.extend(_bound_texts(slim, (small, small), small, small))
        slim.ClearField("display")
        del slim.error.traceback[50:]
        slim.error.message = _head(slim.error.message, small)
        slim.name = _head(slim.name, 200)
        slim.notices.append("The stored run leaves out the displayed value.")
    if slim.ByteSize() > EVENT_BUDGET_BYTES:
        # Nothing a run carries beyond these can be large, but the bound must hold.
        for name in ("dataset_info_json", "confusion_matrix_json", "pipeline_json"):
            slim.outcome.ClearField(name)
        del slim.notices[20:]
        slim.notices[:] = [_head(n, 500) for n in slim.notices]
    return learning_pb2.RunCompleted(run=slim)
