"""Issue 18 §2-§4 at the unit level: what a run keeps and what its event carries.

The run event is bounded by construction (EVENTS.md, "Bounded events"); figures are bounded
per run; protocol JSON with NaN/Infinity is refused with a notice, never stored.
"""

from __future__ import annotations

import json

from ascent.execution.v1 import execution_service_pb2 as pb
from ascent.types.v1 import run_pb2

from services.execution.protocol import merge_report, parse_stdout
from services.execution.sandbox import SandboxResult
from services.execution.service import (
    EVENT_BUDGET_BYTES,
    MAX_FIGURE_BYTES,
    MAX_FIGURES_TOTAL_BYTES,
    bounded_figures,
    build_run,
    completed_event,
)

# The reproduction of issue 18 §2: under the 200,000-character limit, 760 KB of UTF-8.
EMOJI_CODE = "# " + "😀" * 190_000 + "\nprint('x' * 999_000)\n"


def sandbox_result(stdout: str, figures: list[bytes] | None = None) -> SandboxResult:
    return SandboxResult(
        run_id="r",
        status="ok",
        exit_code=0,
        error=None,
        duration_ms=5,
        peak_memory_kb=1,
        stdout=stdout,
        stderr="",
        truncated=False,
        figures=figures or [],
        report={},
        predictions=None,
    )


def test_the_issue_run_event_fits_nats_and_keeps_both_ends_of_the_output() -> None:
    stdout = "START\n" + "x" * 999_000 + "\nEND\n"
    request = pb.ExecuteRequest(run_id="r1", session_id="s", owner_id="o", code=EMOJI_CODE)
    run = build_run(request, sandbox_result(stdout))
    assert run.stdout == stdout, "the live result keeps the whole output"
    event = completed_event(run)
    size = len(event.SerializeToString())
    assert size <= EVENT_BUDGET_BYTES < 1 << 20
    assert event.run.stdout.startswith("START\n") and event.run.stdout.endswith("\nEND\n")
    assert "bytes of output left out of the stored run" in event.run.stdout
    assert event.run.code.startswith("# 😀😀") and "the rest of the code is left out" in (
        event.run.code
    )
    notices = "\n".join(event.run.notices)
    assert "first 16 KB and the last 112 KB of the output" in notices
    assert "first 256 KB of the code" in notices


def test_a_huge_displayed_table_still_fits_the_event() -> None:
    run = run_pb2.Run(id="r2", session_id="s", code="df", stdout="ok\n")
    run.display.kind = "table"
    for _ in range(50):
        run.display.table.rows.add(cells=["😀" * 200] * 50)
    assert run.ByteSize() > 1 << 20
    event = completed_event(run)
    assert len(event.SerializeToString()) <= EVENT_BUDGET_BYTES
    assert not event.run.HasField("display")
    assert "The stored run leaves out the displayed value." in event.run.notices


def test_the_smaller_excerpts_name_the_whole_sizes() -> None:
    run = run_pb2.Run(id="r5", session_id="s", code="df", stdout="y" * 600_000)
    run.display.kind = "table"
    for _ in range(50):
        run.display.table.rows.add(cells=["😀" * 200] * 50)
    event = completed_event(run)
    assert len(event.SerializeToString()) <= EVENT_BUDGET_BYTES
    assert len(event.run.stdout) < 10_000
    assert any(
        "first 4 KB and the last 4 KB of the output (586 KB in all)" in n for n in event.run.notices
    ), list(event.run.notices)


def test_a_small_run_event_is_the_run_without_figures() -> None:
    run = build_run(
        pb.ExecuteRequest(run_id="r3", code="print(1)"), sandbox_result("1\n", [b"\x89PNG1"])
    )
    event = completed_event(run)
    assert event.run.stdout == "1\n" and event.run.code == "print(1)"
    assert not event.run.figures and not event.run.notices


def test_figures_are_bounded_in_size_and_total_with_a_notice() -> None:
    small = b"\x89PNG" + b"s" * 1000
    huge = b"\x89PNG" + b"h" * (MAX_FIGURE_BYTES + 1)
    big = b"\x89PNG" + b"b" * (MAX_FIGURE_BYTES - 10)
    notices: list[str] = []
    kept = bounded_figures([small, huge, big, big, big, small], notices)
    assert kept == [small, big, big, small]
    assert sum(map(len, kept)) <= MAX_FIGURES_TOTAL_BYTES
    assert notices[0].startswith("Figure 2 (4.0 MB) is larger than the 4.0 MB")
    assert notices[1] == "Figure 5 was left out: the figures of a run may take 12.0 MB in all."


def test_nan_and_infinity_in_a_confusion_matrix_are_refused_with_a_notice() -> None:
    notices: list[str] = []
    outcome = parse_stdout("CONFUSION_MATRIX: [[NaN,1],[Infinity,-Infinity]]\n", notices)
    assert outcome.confusion_matrix_json == ""
    assert notices == ["The CONFUSION_MATRIX: line was ignored: NaN is not a number JSON allows."]
    outcome = parse_stdout('DATASET_INFO: {"rows": NaN}\nCONFUSION_MATRIX: [[1,0],[0,1]]\n')
    assert outcome.dataset_info_json == "" and json.loads(outcome.confusion_matrix_json)


def test_nan_in_the_report_is_refused_too() -> None:
    notices: list[str] = []
    report = {"confusion_matrix": [[float("nan"), 1]], "model": {"type": "X", "c": float("inf")}}
    outcome = merge_report(run_pb2.RunOutcome(), report, notices)
    assert outcome.confusion_matrix_json == "" and outcome.pipeline_json == ""
    assert outcome.model_type == "X"
    assert len(notices) == 2 and all("NaN and Infinity are not valid JSON" in n for n in notices)


def test_the_run_names_what_it_refused() -> None:
    stdout = "CONFUSION_MATRIX: [[NaN,1],[Infinity,-Infinity]]\nACCURACY: 0.5\n"
    run = build_run(pb.ExecuteRequest(run_id="r4", code="..."), sandbox_result(stdout))
    assert run.outcome.accuracy == 0.5 and not run.outcome.confusion_matrix_json
    assert list(run.notices) == [
        "The CONFUSION_MATRIX: line was ignored: NaN is not a number JSON allows."
    ]
