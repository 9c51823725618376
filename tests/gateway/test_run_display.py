"""The value of a run's last expression in the run card and the `.ipynb` export, and an
unranked run's reason in its card (issue 13, items 3 and 12)."""

from __future__ import annotations

from typing import Any

import nbformat as _nbformat
from ascent.types.v1 import run_pb2

from gateway.notebook.presentation import OutputTail, output_tail, to_ipynb
from gateway.notebook.views import BoardView, RunView
from gateway.rendering import env

# nbformat ships no annotations: its calls are typed as Any, as in the notebook's tests.
nbformat: Any = _nbformat


def _table_run() -> run_pb2.Run:
    run = run_pb2.Run(id="r1", session_id="s1", name="Run", code="df.head()", status="ok")
    shown = run.display
    shown.kind, shown.type_name, shown.text = "table", "DataFrame", "     a\n0  <b>"
    shown.table.columns.extend(["a", "<script>alert(1)</script>"])
    shown.table.index.extend(["0"])
    shown.table.rows.add(cells=["1", "<b>bold</b>"])
    shown.table.total_rows, shown.table.total_columns = 100, 2
    return run


def _outputs(run: run_pb2.Run) -> list[dict[str, object]]:
    book = nbformat.reads(to_ipynb("Demo", run.code, RunView.of(run)), as_version=4)
    nbformat.validate(book)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    return list(code[0].outputs)


def test_export_carries_the_display_as_execute_result() -> None:
    outputs = _outputs(_table_run())
    results = [o for o in outputs if o["output_type"] == "execute_result"]
    assert len(results) == 1
    data = results[0]["data"]
    assert isinstance(data, dict)
    assert data["text/plain"] == "     a\n0  <b>"
    html = data["text/html"]
    assert "<th>a</th>" in html and "<td>1</td>" in html and "100 rows × 2 columns" in html
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;bold" in html


def test_export_of_a_scalar_and_of_no_display() -> None:
    run = run_pb2.Run(id="r2", code="1 + 1", status="ok", stdout="hi\n")
    run.display.kind, run.display.type_name, run.display.text = "text", "int", "2"
    outputs = _outputs(run)
    assert [o["output_type"] for o in outputs] == ["stream", "execute_result"]
    assert outputs[1]["data"] == {"text/plain": "2"}
    plain = run_pb2.Run(id="r3", code="x = 1", status="ok")
    assert [o["output_type"] for o in _outputs(plain)] == []


def test_run_card_shows_the_table_escaped_instead_of_no_output() -> None:
    html = env.get_template("_run.html").render(r=RunView.of(_table_run()))
    assert "(no output)" not in html
    assert 'class="display-table"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "100 rows × 2 columns" in html and "first 1 rows" in html


def test_run_card_shows_a_scalar_and_why_a_run_is_not_ranked() -> None:
    run = run_pb2.Run(id="r4", code="ACC", status="ok", stdout="ACCURACY: 7.5\n")
    run.outcome.accuracy = 7.5
    run.display.kind, run.display.type_name, run.display.text = "text", "float", "7.5"
    view = RunView.of(run)
    assert view.score is None
    assert view.unrankedReason is not None and "7.5 is above 1" in view.unrankedReason
    html = env.get_template("_run.html").render(r=view)
    assert "Not ranked." in html and "is above 1" in html
    assert 'class="console console-result">7.5</pre>' in html


def _board(runs: list[RunView]) -> BoardView:
    return BoardView.of(runs, "", {}, "current")


def test_runs_board_marks_an_impossible_score_unranked_with_its_reason() -> None:
    good = run_pb2.Run(id="good", name="Good", code="x", status="ok")
    good.outcome.accuracy = 0.9
    typo = run_pb2.Run(id="typo", name="Typo", code="x", status="ok")
    typo.outcome.accuracy = 7.5
    template = env.get_template("notebook.html")
    # Ranks are the leaderboard's (per dataset): an unranked run has none.
    runs = [RunView.of(good, rank=1), RunView.of(typo)]
    context = template.new_context({"board": _board(runs), "runs_error": None, "session": good})
    html = "".join(template.blocks["runs"](context))
    good_row, typo_row = html.split('data-run-id="good"')[1].split('data-run-id="typo"')
    assert "Best run" in good_row and "unranked" not in good_row
    assert 'class="rank">—</td>' in typo_row and "unranked</span>" in typo_row
    assert "Accuracy 7.5 is above 1" in typo_row


def test_only_scored_runs_hold_a_place_on_the_board() -> None:
    # Seen on the page: an unranked run listed first pushed an unscored baseline to "2",
    # with no run at 1. Only ranked runs (the leaderboard's ranks) show a place.
    typo = run_pb2.Run(id="typo", name="Typo", code="x", status="ok")
    typo.outcome.accuracy = 7.5
    unscored = run_pb2.Run(id="plain", name="Plain", code="x", status="ok")
    good = run_pb2.Run(id="good", name="Good", code="x", status="ok")
    good.outcome.accuracy = 0.8
    template = env.get_template("notebook.html")
    runs = [RunView.of(good, rank=1), RunView.of(typo), RunView.of(unscored)]
    context = template.new_context({"board": _board(runs), "runs_error": None, "session": good})
    html = "".join(template.blocks["runs"](context))
    rows = html.split('data-run-id="')[1:]
    ranks = [row.split('class="rank">', 1)[1].split("</td>", 1)[0] for row in rows]
    assert ranks[0].endswith(" 1") and "Best run" in ranks[0]
    assert ranks[1:] == ["—", "—"]


def test_a_long_output_shows_its_tail_and_links_the_whole() -> None:
    # Issue 13 item 1: 100,000 lines in the card froze the tab; the card keeps the last 2,000.
    stdout = "".join(f"{i}\n" for i in range(10_000))
    run = run_pb2.Run(id="r5", session_id="s1", name="Loop", code="...", stdout=stdout)
    html = env.get_template("_run.html").render(r=RunView.of(run))
    console = html.split("data-console>", 1)[1].split("</pre>", 1)[0]
    assert console.splitlines() == [str(i) for i in range(8_000, 10_000)]
    assert "Showing the last 2,000 of 10,000 lines" in html
    assert 'data-show-all="/notebook/s1/runs/r5/stdout.txt"' in html
    assert 'href="/notebook/s1/runs/r5/stdout.txt?download=1"' in html


def test_output_tail_counts_lines_with_or_without_a_final_newline() -> None:
    assert output_tail("", 3) == OutputTail("", 0, 0)
    assert output_tail("a\nb", 3) == OutputTail("a\nb", 2, 2)
    assert output_tail("a\nb\nc\nd\n", 2) == OutputTail("c\nd\n", 2, 4)
    assert output_tail("a\nb\nc\nd", 2) == OutputTail("c\nd", 2, 4)
    short = run_pb2.Run(id="r6", session_id="s1", stdout="one\ntwo\n")
    html = env.get_template("_run.html").render(r=RunView.of(short))
    assert "one\ntwo" in html and "Showing the last" not in html
