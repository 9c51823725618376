"""A learner plays the whole Beginner track through the JSON API against the real stack:
locks, bad submissions, graded passes, XP, badges, unlocks and the challenge boards."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.common.curriculum import load_catalog
from services.execution.config import default_curriculum_dir
from services.supervisor.stack import Stack
from tests.integration.conftest import register
from tests.support.polling import eventually

pytestmark = pytest.mark.integration

CATALOG = load_catalog(default_curriculum_dir())
BEGINNER = CATALOG.tracks[0].challenges


def tracks(api: httpx.Client, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    response = api.get("/api/tracks", headers=headers)
    assert response.status_code == 200, response.text
    return {t["slug"]: t for t in response.json()["data"]}


def submit(api: httpx.Client, headers: dict[str, str], slug: str, code: str) -> httpx.Response:
    return api.post(f"/api/challenges/{slug}/submissions", json={"code": code}, headers=headers)


def test_a_learner_plays_the_beginner_track(api: httpx.Client, stack: Stack) -> None:
    name = f"ada{uuid.uuid4().hex[:6]}"
    ada = {"Authorization": f"Bearer {register(api, name)}"}
    bob_name = f"bob{uuid.uuid4().hex[:6]}"
    bob = {"Authorization": f"Bearer {register(api, bob_name)}"}

    def ours(board: dict[str, Any]) -> list[dict[str, Any]]:
        # The stack is shared by the module's files: other tests' learners (the oracle of
        # test_fair_challenges) may be on the same board.
        return [e for e in board["entries"] if e["name"] in (name, bob_name)]

    start = tracks(api, ada)
    assert start["beginner"]["unlocked"] and not start["intermediate"]["unlocked"]
    assert start["intermediate"]["unlockProgress"] == "0 of 5 Beginner challenges at ≥80% of target"
    first = BEGINNER[0]

    # The challenge page data never carries the solution or labels.
    detail = api.get(f"/api/challenges/{first.slug}", headers=ada).json()["data"]
    assert len(detail["hints"]) == 3 and detail["starterCode"] and "<h1>" in detail["lessonHtml"]
    assert "solution" not in detail and first.solution not in str(detail)
    assert api.get("/api/challenges/no-such", headers=ada).status_code == 404

    # Locked: a dependency inside the track, and a whole locked track.
    locked = submit(api, ada, BEGINNER[1].slug, BEGINNER[1].solution)
    assert locked.status_code == 403 and "locked" in locked.json()["error"]["message"]
    assert submit(api, ada, "breast-cancer-pipeline", "print(1)").status_code == 403

    # Bad submissions: clear 422s, nothing on the board, no pass.
    none = submit(api, ada, first.slug, "print('hello')")
    assert none.status_code == 422 and "predictions" in none.json()["error"]["message"]
    short = submit(api, ada, first.slug, "import ascent_report\nascent_report.predictions([1])")
    assert short.status_code == 422 and "got 1" in short.json()["error"]["message"]
    crash = submit(api, ada, first.slug, "raise ValueError('nope')")
    assert crash.status_code == 422 and "ValueError" in crash.json()["error"]["message"]
    board = api.get(f"/api/leaderboards/{first.slug}", headers=ada).json()["data"]
    assert ours(board) == []

    starter = submit(api, ada, first.slug, first.starter_code)
    assert starter.status_code == 201, starter.text
    assert starter.json()["data"]["passed"] is False
    assert "privateScore" not in starter.json()["data"]

    for challenge in BEGINNER:
        response = submit(api, ada, challenge.slug, challenge.solution)
        assert response.status_code == 201, response.text
        data = response.json()["data"]
        assert data["status"] == "graded" and data["passed"], data

        def passed(slug: str = challenge.slug) -> bool:
            return bool(
                {c["slug"]: c for c in tracks(api, ada)["beginner"]["challenges"]}[slug]["passed"]
            )

        eventually(passed)

    after = eventually(lambda: (t := tracks(api, ada))["intermediate"]["unlocked"] and t)
    assert after["beginner"]["passedCount"] == len(BEGINNER) and after["beginner"]["percent"] == 100
    assert not after["advanced"]["unlocked"]

    # Bob scores below Ada on the first challenge: Ada ranks first, ties break by time.
    assert submit(api, bob, first.slug, first.starter_code).status_code == 201
    seen = api.get(f"/api/leaderboards/{first.slug}", headers=bob)
    assert seen.status_code == 200, seen.text
    board = eventually(
        lambda: (
            len(ours(b := api.get(f"/api/leaderboards/{first.slug}", headers=bob).json()["data"]))
            == 2
            and b
        )
    )
    assert ours(board)[0]["name"] == name
    assert all(e["privateScore"] is None for e in board["entries"])
    assert [e["isYou"] for e in ours(board)] == [False, True]
    assert (
        api.put(f"/api/leaderboards/{first.slug}", json={"hidden": True}, headers=bob).status_code
        == 403
    )

    def profile() -> dict[str, Any]:
        data: dict[str, Any] = api.get("/api/profile", headers=ada).json()["data"]
        return data

    wanted = {
        "first-run",
        "first-pass",
        "personal-best",
        "beat-baseline",
        "track-complete",
        "podium",
    }

    def all_badges() -> dict[str, Any] | None:
        current = profile()
        return current if wanted <= {b["slug"] for b in current["badges"]} else None

    final = eventually(all_badges)
    assert final["challengesPassed"] == len(BEGINNER)
    assert all(b["awardedAt"] for b in final["badges"])
    # Five passes alone are worth 250 XP; runs and the personal best come on top.
    assert final["xp"] >= 250 + 10 * 5 and final["level"] >= 3
    assert {r["challenge"] for r in final["results"] if r["passed"]} == {c.slug for c in BEGINNER}


def test_practice_runs_are_never_graded_and_boards_show_display_names(
    api: httpx.Client, stack: Stack
) -> None:
    name = f"pia{uuid.uuid4().hex[:6]}"
    pia = {"Authorization": f"Bearer {register(api, name)}"}
    first = BEGINNER[0]

    # Practice with the reference solution: it runs on the challenge files, output and
    # metrics come back, and nothing is graded, ranked or counted as an attempt.
    practice = api.post(
        f"/api/challenges/{first.slug}/practice", json={"code": first.solution}, headers=pia
    )
    assert practice.status_code == 201, practice.text
    run = practice.json()["data"]
    assert run["status"] == "ok" and run["name"] == "Practice" and run["practice"]
    assert run["challenge"] == first.slug and "grade" not in run and "publicScore" not in run
    failing = api.post(
        f"/api/challenges/{first.slug}/practice", json={"code": "raise KeyError('x')"}, headers=pia
    )
    assert failing.status_code == 201 and failing.json()["data"]["error"].startswith("KeyError")
    locked = api.post(
        f"/api/challenges/{BEGINNER[1].slug}/practice", json={"code": "print(1)"}, headers=pia
    )
    assert locked.status_code == 403
    empty = api.post(f"/api/challenges/{first.slug}/practice", json={"code": " "}, headers=pia)
    assert empty.status_code == 400

    # The practice run's event reaches progress (run XP) but never the board or results.
    def xp() -> int:
        return int(api.get("/api/profile", headers=pia).json()["data"]["xp"])

    eventually(lambda: xp() > 0)
    profile = api.get("/api/profile", headers=pia).json()["data"]
    assert profile["results"] == [] and profile["challengesPassed"] == 0
    board = api.get(f"/api/leaderboards/{first.slug}", headers=pia).json()["data"]
    assert all(not e["isYou"] for e in board["entries"])

    # A display name replaces the username on the board, for everyone.
    chosen = f"Pia {uuid.uuid4().hex[:5]}"
    updated = api.patch("/api/me", json={"displayName": chosen}, headers=pia)
    assert updated.status_code == 200, updated.text
    assert submit(api, pia, first.slug, first.solution).status_code == 201
    other = {"Authorization": f"Bearer {register(api, f'obs{uuid.uuid4().hex[:6]}')}"}

    def pia_on_board() -> dict[str, Any] | None:
        entries = api.get(f"/api/leaderboards/{first.slug}", headers=other).json()["data"]
        return next((e for e in entries["entries"] if e["name"] == chosen), None)

    entry = eventually(pia_on_board)
    assert not entry["isYou"]
    seen = api.get(f"/api/leaderboards/{first.slug}", headers=other).text
    assert name not in seen  # the username stays private once a display name is chosen
