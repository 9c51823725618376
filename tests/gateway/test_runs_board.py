"""The runs board's datasets (issue 13 item 9): names, the filter, the API's dataset query."""

from __future__ import annotations

from datetime import UTC, datetime

from ascent.types.v1 import run_pb2

from gateway.models import SessionDataset
from gateway.notebook.views import BoardView, RunView, dataset_names
from tests.gateway.conftest import GatewayUnderTest, bearer

WINE, WINE_QUALITY, OTHER = "a" * 64, "b" * 64, "c" * 64
AT = datetime(2026, 1, 1, tzinfo=UTC)


def _dataset(sha256: str, filename: str, target: str) -> SessionDataset:
    return SessionDataset(
        session_id="s1", dataset_sha256=sha256, filename=filename, target=target, attached_at=AT
    )


def test_dataset_names_tell_same_named_files_apart() -> None:
    names = dataset_names(
        [
            _dataset(WINE, "wine.csv", "target"),
            _dataset(WINE_QUALITY, "wine.csv", "quality"),
            _dataset(OTHER, "iris.csv", "species"),
        ]
    )
    assert names == {
        "": "Iris (no CSV)",
        WINE: "wine.csv (target target)",
        WINE_QUALITY: "wine.csv (target quality)",
        OTHER: "iris.csv",
    }


def _view(run_id: str, sha256: str, rank: int | None, name: str) -> RunView:
    run = run_pb2.Run(id=run_id, session_id="s1", name=run_id, dataset_sha256=sha256)
    run.outcome.accuracy = 0.9
    return RunView.of(run, rank=rank, dataset_name=name)


def test_board_defaults_to_the_current_dataset_and_offers_the_others() -> None:
    runs = [
        _view("ai", WINE, 1, "wine.csv"),
        _view("iris-1", "", 1, "Iris (no CSV)"),
        _view("iris-2", "", 2, "Iris (no CSV)"),
    ]
    names = {"": "Iris (no CSV)", WINE: "wine.csv"}
    board = BoardView.of(runs, WINE, names, "current")
    assert [r.id for r in board.rows] == ["ai"]
    assert [(o.value, o.label, o.runs) for o in board.options] == [
        ("current", "wine.csv (current)", 1),
        ("none", "Iris (no CSV)", 2),
        ("all", "All datasets", 3),
    ]
    assert [r.id for r in BoardView.of(runs, WINE, names, "none").rows] == ["iris-1", "iris-2"]
    assert len(BoardView.of(runs, WINE, names, "all").rows) == 3
    # The current dataset chosen by its hash is "current"; one without runs is offered too.
    assert BoardView.of(runs, WINE, names, WINE).dataset == "current"
    empty = BoardView.of(runs, WINE, names, OTHER)
    assert empty.rows == []
    assert (OTHER, 0) in [(o.value, o.runs) for o in empty.options]


async def test_api_refuses_an_unknown_dataset_filter(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "ada")
    session = (await gateway.client.post("/api/sessions", json={}, headers=headers)).json()["data"]
    for path in (f"/api/sessions/{session['id']}", f"/api/runs/{session['id']}"):
        response = await gateway.client.get(path, params={"dataset": "wine"}, headers=headers)
        assert response.status_code == 400, response.text
        assert "sha256" in response.json()["error"]["message"]
