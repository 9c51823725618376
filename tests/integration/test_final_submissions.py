"""Issue 17, reproduction 2's last defence through the real stack: learners choose their
final submissions, and the private standing ranks each by the best private score among
those (by default their 2 best by public score), never their best private overall.

The test knows the hidden labels (it reads the grader's files, as only a test may) so that
each submission's public and private scores are what it wants them to be."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pandas as pd
import pytest

from services.common.challenge_data import LABEL_COLUMN
from services.supervisor.stack import Stack
from tests.integration.conftest import login, register
from tests.integration.test_coach_feedback import HX, PASSWORD, page_login

pytestmark = pytest.mark.integration

SLUG = "first-classifier"


def predictions_code(values: list[Any]) -> str:
    return f"import ascent_report\nascent_report.predictions({values!r})\n"


def private_order(api: httpx.Client, auth: dict[str, str], names: set[str]) -> list[str]:
    """Our learners (the board shows usernames: they chose no display name) in private-rank
    order, as `auth` sees the board (staff: with private ranks before the reveal)."""
    board = api.get(f"/api/leaderboards/{SLUG}", headers=auth)
    assert board.status_code == 200, board.text
    ours = [e for e in board.json()["data"]["entries"] if e["name"] in names]
    assert all(e["privateRank"] for e in ours), ours
    return [e["name"] for e in sorted(ours, key=lambda e: e["privateRank"])]


def test_final_ranking_uses_the_selected_submissions(api: httpx.Client, stack: Stack) -> None:
    # ann signs up through the pages (she also uses the page's toggle), ben through the API.
    page = httpx.Client(base_url=stack.base_url, timeout=120)
    ann_name = f"ann-{uuid.uuid4().hex[:8]}"
    _, csrf = page_login(page, ann_name)
    token = api.post("/api/auth/token", json={"username": ann_name, "password": PASSWORD})
    ann = {"Authorization": f"Bearer {token.json()['data']['token']}"}
    ben_name = f"ben-{uuid.uuid4().hex[:8]}"
    ben = {"Authorization": f"Bearer {register(api, ben_name)}"}
    staff = {"Authorization": f"Bearer {login(api, 'instructor-it')}"}
    ours = {ann_name, ben_name}

    # Build the challenge's files, then read its hidden labels and public rows.
    warm = api.post(f"/api/challenges/{SLUG}/practice", json={"code": "1"}, headers=ann)
    assert warm.status_code == 201, warm.text
    folder = next((stack.config.data_dir / "challenges").glob(f"{SLUG}-*"))
    labels = pd.read_csv(folder / "labels.csv")[LABEL_COLUMN].tolist()
    public = set(pd.read_json(folder / "public_rows.json", typ="series").tolist())
    classes = sorted(set(labels))
    wrong = [next(c for c in classes if c != label) for label in labels]
    private = [i for i in range(len(labels)) if i not in public]

    def crafted(public_right: float, private_right: float) -> list[Any]:
        """Right on that share of the public rows and of the private rows, wrong elsewhere."""
        pub_ok = set(sorted(public)[: round(public_right * len(public))])
        priv_ok = set(private[: round(private_right * len(private))])
        return [labels[i] if i in pub_ok or i in priv_ok else wrong[i] for i in range(len(labels))]

    def submit(auth: dict[str, str], values: list[Any]) -> dict[str, Any]:
        response = api.post(
            f"/api/challenges/{SLUG}/submissions",
            json={"code": predictions_code([int(v) for v in values])},
            headers=auth,
        )
        assert response.status_code == 201, response.text
        return dict(response.json()["data"])

    a1 = submit(ann, crafted(1.0, 0.0))  # best public, worst private
    a2 = submit(ann, crafted(0.8, 0.2))  # second by public
    a3 = submit(ann, crafted(0.0, 1.0))  # ann's best private, worst public
    submit(ben, crafted(1.0, 0.5))
    assert a1["publicScore"] == 1.0 and a3["publicScore"] == 0.0

    def finals(auth: dict[str, str]) -> dict[str, Any]:
        response = api.get(f"/api/challenges/{SLUG}/final-submissions", headers=auth)
        assert response.status_code == 200, response.text
        return dict(response.json()["data"])

    def select(auth: dict[str, str], run_ids: list[str]) -> httpx.Response:
        return api.put(
            f"/api/challenges/{SLUG}/final-submissions", json={"runIds": run_ids}, headers=auth
        )

    # Default: ann's 2 best by public score count (0.2 private at best): ben is above her,
    # though her best private overall (1.0) would beat him.
    mine = finals(ann)
    assert not mine["selected"] and mine["maxFinal"] == 2 and not mine["locked"]
    assert {s["runId"] for s in mine["submissions"] if s["final"]} == {
        a1["runId"],
        a2["runId"],
    }
    assert all(s["privateScore"] is None for s in mine["submissions"])  # not revealed
    assert private_order(api, staff, ours) == [ben_name, ann_name]

    # ann selects her third submission: she now ranks by its private score, above ben.
    chosen = select(ann, [a3["runId"]])
    assert chosen.status_code == 200, chosen.text
    assert [s["runId"] for s in chosen.json()["data"]["submissions"] if s["final"]] == [a3["runId"]]
    assert private_order(api, staff, ours) == [ann_name, ben_name]

    # Validation: someone else's run (404), more than 2 (400), unknown fields (400).
    bens = finals(ben)["submissions"][0]["runId"]
    assert select(ann, [bens]).status_code == 404
    assert select(ben, [a3["runId"]]).status_code == 404
    too_many = select(ann, [a1["runId"], a2["runId"], a3["runId"]])
    assert too_many.status_code == 400, too_many.text
    assert finals(ann)["submissions"][0]["selected"]  # unchanged by the refusals

    # The page: ann's own list with the rule and a toggle each; unticking her selected one
    # returns her to the default, ticking two makes those her final ones.
    html = page.get(f"/challenges/{SLUG}").text
    assert "Your submissions" in html and "best private score among the submissions" in html
    assert html.count('name="final"') == 3 and html.count("selected</span>") == 1

    def toggle(run_id: str, on: bool) -> httpx.Response:
        data = {"run_id": run_id, **({"final": "true"} if on else {})}
        return page.post(f"/challenges/{SLUG}/final", data=data, headers={**HX, **csrf})

    off = toggle(a3["runId"], on=False)
    assert off.status_code == 200, off.text
    assert "your 2 best by public score count" in off.text and off.text.count("by default") == 2
    assert private_order(api, staff, ours) == [ben_name, ann_name]
    assert toggle(a3["runId"], on=True).status_code == 200
    both = toggle(a1["runId"], on=True)
    assert both.text.count("selected</span>") == 2
    assert private_order(api, staff, ours) == [ann_name, ben_name]  # a3's 1.0 counts
    third = toggle(a2["runId"], on=True)
    assert third.status_code == 422 and "at most 2" in third.text
    cleared = select(ann, [])
    assert cleared.status_code == 200 and not cleared.json()["data"]["selected"]
    assert private_order(api, staff, ours) == [ben_name, ann_name]

    # Revealed: the selection is closed (422) and ann sees her private scores.
    revealed = api.put(
        f"/api/leaderboards/{SLUG}", json={"hidden": False, "revealPrivate": True}, headers=staff
    )
    assert revealed.status_code == 200, revealed.text
    try:
        closed = select(ann, [a3["runId"]])
        assert closed.status_code == 422, closed.text
        assert "revealed" in closed.json()["error"]["message"]
        after = finals(ann)
        assert after["locked"] and all(s["privateScore"] is not None for s in after["submissions"])
        assert private_order(api, ann, ours) == [ben_name, ann_name]
        # The page says so, and its toggles are disabled.
        html = page.get(f"/challenges/{SLUG}").text
        assert "the selection is closed" in html and html.count("disabled") >= 3
    finally:
        api.put(
            f"/api/leaderboards/{SLUG}",
            json={"hidden": False, "revealPrivate": False},
            headers=staff,
        )
        page.close()
