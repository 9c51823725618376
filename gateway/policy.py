"""Who may do what: the one answer for routes (as dependencies), flows (`require`) and
templates (the Jinja global `may('author')`).

Roles are learner, instructor and admin. An admin may do everything an instructor may, and
sees every cohort and the platform; an instructor acts on their own cohorts only (the
cohort checks pass the cohort's instructor to `runs_cohort`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Annotated

from fastapi import Depends

from gateway import contract
from gateway.accounts.views import UserInfo
from gateway.deps import api_user, page_user
from services.common.errors import AscentError


class Action(StrEnum):
    AUTHOR = "author"
    """Create, edit, validate, publish, archive, export and import challenges."""
    VIEW_PRIVATE_SCORES = "view_private_scores"
    """See private scores and final ranks on a board before they are revealed."""
    MANAGE_BOARDS = "manage_boards"
    """Hide a challenge board or reveal its private standing; see every line of a hidden one."""
    MANAGE_COHORTS = "manage_cohorts"
    """Create cohorts, see their join codes and assign challenges (to one's own cohorts)."""
    VIEW_DASHBOARDS = "view_dashboards"
    """The dashboards of one's own cohorts."""
    VIEW_ALL_COHORTS = "view_all_cohorts"
    """Every cohort, its detail and dashboard, and the dashboard of all learners at once."""
    VIEW_PLATFORM = "view_platform"
    """The platform view: throughput and consumer lag."""
    MANAGE_ROLES = "manage_roles"
    """Give a user a role (learner, instructor, admin)."""
    MODERATE_EXPLANATIONS = "moderate_explanations"
    """Read every explanation of a challenge (passed or not, hidden ones too), mark one
    validated and hide one (learning by teaching, issue 17)."""
    EDIT_ANY_CHALLENGE = "edit_any_challenge"
    """Edit, validate, publish, archive and export any authored challenge, not only one's own
    or those shared with one."""


_STAFF = frozenset(
    {
        Action.AUTHOR,
        Action.VIEW_PRIVATE_SCORES,
        Action.MANAGE_BOARDS,
        Action.MANAGE_COHORTS,
        Action.VIEW_DASHBOARDS,
        Action.MODERATE_EXPLANATIONS,
    }
)

# role -> what it may do; a role not listed may do nothing of these.
PERMISSIONS: dict[str, frozenset[Action]] = {
    "learner": frozenset(),
    "instructor": _STAFF,
    "admin": _STAFF
    | {
        Action.VIEW_ALL_COHORTS,
        Action.VIEW_PLATFORM,
        Action.MANAGE_ROLES,
        Action.EDIT_ANY_CHALLENGE,
    },
}

# What a refused caller reads (the 403 message).
REFUSALS: dict[Action, str] = {
    Action.AUTHOR: "Only instructors can author challenges.",
    Action.VIEW_PRIVATE_SCORES: "Only instructors can see private scores.",
    Action.MANAGE_BOARDS: "Only instructors can change a challenge board.",
    Action.MANAGE_COHORTS: "Only instructors can do this.",
    Action.VIEW_DASHBOARDS: "Dashboards are for instructors.",
    Action.VIEW_ALL_COHORTS: "Only admins can see every cohort.",
    Action.VIEW_PLATFORM: "The platform view is for admins.",
    Action.MANAGE_ROLES: "Only admins can change roles.",
    Action.MODERATE_EXPLANATIONS: "Only instructors can moderate explanations.",
    Action.EDIT_ANY_CHALLENGE: "Only its author, or someone they shared it with, can change it.",
}


def may(user: UserInfo | None, action: Action | str) -> bool:
    """True when `user` (None: nobody is logged in) may do `action`."""
    if user is None:
        return False
    return Action(action) in PERMISSIONS.get(user.role, frozenset())


def require(user: UserInfo, action: Action) -> UserInfo:
    """`user`, or a 403 with the action's message."""
    if not may(user, action):
        raise AscentError("forbidden", REFUSALS[action])
    return user


def runs_cohort(user: UserInfo, instructor_id: str) -> bool:
    """The user runs a cohort whose instructor is `instructor_id` (admins run every one)."""
    return instructor_id == user.id or may(user, Action.VIEW_ALL_COHORTS)


def api_user_who_may(action: Action) -> Callable[..., Awaitable[UserInfo]]:
    """A dependency: the API caller (see `deps.api_user`), refused unless they may `action`."""

    @contract.raises(403)
    async def dependency(user: Annotated[UserInfo, Depends(api_user)]) -> UserInfo:
        return require(user, action)

    return dependency


def page_user_who_may(action: Action) -> Callable[..., Awaitable[UserInfo]]:
    """A dependency: the logged-in page user (see `deps.page_user`), refused unless they
    may `action`."""

    async def dependency(user: Annotated[UserInfo, Depends(page_user)]) -> UserInfo:
        return require(user, action)

    return dependency


ApiAuthor = Annotated[UserInfo, Depends(api_user_who_may(Action.AUTHOR))]
PageAuthor = Annotated[UserInfo, Depends(page_user_who_may(Action.AUTHOR))]
ApiDashboards = Annotated[UserInfo, Depends(api_user_who_may(Action.VIEW_DASHBOARDS))]
ApiPlatform = Annotated[UserInfo, Depends(api_user_who_may(Action.VIEW_PLATFORM))]
ApiBoardManager = Annotated[UserInfo, Depends(api_user_who_may(Action.MANAGE_BOARDS))]
ApiCohortManager = Annotated[UserInfo, Depends(api_user_who_may(Action.MANAGE_COHORTS))]
PageDashboards = Annotated[UserInfo, Depends(page_user_who_may(Action.VIEW_DASHBOARDS))]
PagePlatform = Annotated[UserInfo, Depends(page_user_who_may(Action.VIEW_PLATFORM))]
ApiModerator = Annotated[UserInfo, Depends(api_user_who_may(Action.MODERATE_EXPLANATIONS))]
PageModerator = Annotated[UserInfo, Depends(page_user_who_may(Action.MODERATE_EXPLANATIONS))]
ApiRoleManager = Annotated[UserInfo, Depends(api_user_who_may(Action.MANAGE_ROLES))]
PageRoleManager = Annotated[UserInfo, Depends(page_user_who_may(Action.MANAGE_ROLES))]
