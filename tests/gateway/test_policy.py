"""The role policy: its table, and templates showing admins what the server sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from gateway.accounts.views import UserInfo
from gateway.policy import Action, may, require, runs_cohort
from gateway.rendering import render_html
from services.common.errors import AscentError
from tests.gateway.conftest import browser_login, form_login

LEARNER = UserInfo(id="u-learner", username="lea", role="learner")
INSTRUCTOR = UserInfo(id="u-instructor", username="ian", role="instructor")
ADMIN = UserInfo(id="u-admin", username="ada", role="admin")

# Written out in full on purpose: a change to who may do what shows up here as a diff.
TABLE: dict[Action, tuple[bool, bool, bool]] = {
    #                           learner instructor admin
    Action.AUTHOR: (False, True, True),
    Action.VIEW_PRIVATE_SCORES: (False, True, True),
    Action.MANAGE_BOARDS: (False, True, True),
    Action.MANAGE_COHORTS: (False, True, True),
    Action.VIEW_DASHBOARDS: (False, True, True),
    Action.MODERATE_EXPLANATIONS: (False, True, True),
    Action.VIEW_ALL_COHORTS: (False, False, True),
    Action.VIEW_PLATFORM: (False, False, True),
    Action.MANAGE_ROLES: (False, False, True),
    Action.EDIT_ANY_CHALLENGE: (False, False, True),
}


def test_policy_table_covers_every_action() -> None:
    assert set(TABLE) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_policy_table(action: Action) -> None:
    expected = TABLE[action]
    assert (may(LEARNER, action), may(INSTRUCTOR, action), may(ADMIN, action)) == expected
    # Templates pass the action's name.
    assert may(ADMIN, action.value) == expected[2]
    assert may(None, action) is False


def test_unknown_role_may_nothing() -> None:
    ghost = UserInfo(id="u-ghost", username="ghost", role="visitor")
    assert not any(may(ghost, action) for action in Action)


def test_require_refuses_with_the_actions_message() -> None:
    assert require(INSTRUCTOR, Action.AUTHOR) is INSTRUCTOR
    with pytest.raises(AscentError) as refused:
        require(LEARNER, Action.AUTHOR)
    assert refused.value.code == "forbidden"
    assert refused.value.message == "Only instructors can author challenges."
    with pytest.raises(AscentError) as refused:
        require(INSTRUCTOR, Action.VIEW_PLATFORM)
    assert refused.value.message == "The platform view is for admins."


def test_runs_cohort_own_or_admin() -> None:
    assert runs_cohort(INSTRUCTOR, INSTRUCTOR.id)
    assert not runs_cohort(INSTRUCTOR, "someone-else")
    assert runs_cohort(ADMIN, "someone-else")
    assert not runs_cohort(LEARNER, "someone-else")


def _board_html(user: UserInfo, *, revealed: bool = False) -> str:
    board: dict[str, Any] = {
        "challenge": "iris-intro",
        "title": "Iris",
        "version": 1,
        "metric": "accuracy",
        "lowerIsBetter": False,
        "hidden": False,
        "privateRevealed": revealed,
        "entries": [
            {
                "rank": 1,
                "name": "someone",
                "isYou": False,
                "publicScore": 0.9,
                "privateScore": 0.8123,
                "privateRank": 2,
                "submissions": 3,
                "submittedAt": None,
            }
        ],
    }
    context = {
        "user": user,
        "challenge": {"slug": "iris-intro"},
        "board": board,
        "board_error": None,
        "csrf": "",
    }
    return render_html("challenge.html", context, ["board"])


@pytest.mark.parametrize("user", [INSTRUCTOR, ADMIN], ids=["instructor", "admin"])
def test_staff_see_the_private_scores_the_server_sends(user: UserInfo) -> None:
    html = _board_html(user)
    assert "Private score" in html
    assert "0.8123" in html


def test_learners_see_private_scores_only_once_revealed() -> None:
    assert "Private score" not in _board_html(LEARNER)
    assert "0.8123" in _board_html(LEARNER, revealed=True)


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("learner", {"/author": False, "/dashboards": False, "/platform": False}),
        ("instructor", {"/author": True, "/dashboards": True, "/platform": False}),
        ("admin", {"/author": True, "/dashboards": True, "/platform": True}),
    ],
)
async def test_nav_links_follow_the_policy(
    make_gateway: Callable[..., Any], role: str, links: dict[str, bool]
) -> None:
    async with make_gateway(
        staff={"nav-instructor": "instructor", "nav-admin": "admin"}
    ) as gateway:
        if role == "learner":
            await browser_login(gateway.client, "nav-learner")
        else:
            await form_login(gateway.client, f"nav-{role}")
        page = await gateway.client.get("/cohorts")
        assert page.status_code == 200
        for href, shown in links.items():
            assert (f'<a href="{href}"' in page.text) is shown, (role, href)
