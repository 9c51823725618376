"""What a reload of the notebook restores (issue 13, item 4): the coach's last answer kept on
the session, read back against the session's runs, and the m0006 migration that adds it."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from ascent.coach.v1 import coach_service_pb2 as coach_pb
from ascent.types.v1 import run_pb2
from sqlalchemy import create_engine, inspect, text

from gateway.migrations import m0006_last_improvement
from gateway.models import NotebookSession
from gateway.notebook.flows import last_improvement


def _stored(proposal: coach_pb.ImproveResponse, parent: str, improved: str) -> str:
    encoded = base64.b64encode(proposal.SerializeToString()).decode("ascii")
    return json.dumps({"proposal": encoded, "parentRunId": parent, "improvedRunId": improved})


def test_the_last_answer_is_read_back_with_its_runs() -> None:
    proposal = coach_pb.ImproveResponse(diagnosis="Unscaled features.", proposal_id="p1")
    proposal.suggestions.extend(["Scale them"])
    proposal.improved_experiment.code = "print('better')\n"
    runs = [run_pb2.Run(id="a", name="Baseline"), run_pb2.Run(id="b", is_improved=True)]
    notebook = NotebookSession(id="s1", last_improvement=_stored(proposal, "a", "b"))
    answer = last_improvement(notebook, runs)
    assert answer is not None
    view = answer.view()
    assert view.diagnosis == "Unscaled features." and view.suggestions == ["Scale them"]
    assert view.improvedRun is not None
    assert view.parentRun.name == "Baseline" and view.improvedRun.id == "b"
    assert view.proposalId == "p1"


def test_nothing_is_restored_without_an_answer_its_runs_or_a_readable_one() -> None:
    runs = [run_pb2.Run(id="a")]
    assert last_improvement(NotebookSession(id="s1"), runs) is None
    gone = NotebookSession(id="s1", last_improvement=_stored(coach_pb.ImproveResponse(), "a", "x"))
    assert last_improvement(gone, runs) is None
    for garbage in ("not json", '{"proposal": "%%%"}', json.dumps({"proposal": "AAAA"})):
        assert last_improvement(NotebookSession(id="s1", last_improvement=garbage), runs) is None


def test_m0006_adds_the_column_to_a_database_made_before_it(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE gateway_sessions (id VARCHAR(36) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO gateway_sessions (id) VALUES ('s1')"))
    for _ in range(2):  # idempotent: a second pass finds the column in place
        with engine.begin() as conn:
            m0006_last_improvement.upgrade(conn)
    columns = {c["name"] for c in inspect(engine).get_columns("gateway_sessions")}
    assert "last_improvement" in columns
    with engine.connect() as conn:
        assert conn.execute(text("SELECT last_improvement FROM gateway_sessions")).all() == [
            (None,)
        ]
