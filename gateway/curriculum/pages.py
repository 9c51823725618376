"""Curriculum pages: tracks, a challenge (lesson, hints one at a time, editor, practice,
submit, board), the learner profile, the "Next up" card, the old `/progress` page and the
learner's live events. Data comes from `gateway.curriculum.flows`."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from gateway.accounts import flows as accounts
from gateway.apps import flows as apps
from gateway.context import GatewayDep
from gateway.curriculum import flows
from gateway.curriculum.views import (
    ChallengeView,
    PracticeRunView,
    ProfileView,
    ProgressView,
    SubmissionView,
    TrackView,
)
from gateway.deps import PageUser
from gateway.live import event_stream, page_stream, run_stream
from gateway.markdown import render_markdown, without_title
from gateway.policy import PageModerator
from gateway.quotas import RateLimited
from gateway.rendering import render, render_html
from services.common.errors import AscentError

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

# The challenge page's results of an action (a practice run, a submission): absent until
# one happens, which the strict templates would otherwise refuse.
CHALLENGE_REGIONS: dict[str, Any] = {
    "run": None,
    "practice_error": None,
    "submission": None,
    "submit_error": None,
    "submissions_left": None,
    "explanations": None,
    "explain_error": None,
}
# The profile's display-name form outcome.
PROFILE_REGIONS: dict[str, Any] = {"name_error": None, "name_saved": False, "tracks": []}
# A streamed practice run outlives its request; held so it is not garbage-collected mid-run.


@router.get("/events")
async def learner_events(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    """Live facts for any open page of the learner (base.html listens): badges earned,
    tracks unlocked, challenges passed. Only the caller's own; notebook pages use their
    session's stream, which carries these too."""
    if gw.live is None:
        raise AscentError("unavailable", "Live updates are not running.")
    return event_stream(page_stream(gw.live, user.id, None, request.is_disconnected))


@router.get("/tracks")
async def tracks_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    context: dict[str, Any] = {"user": user, "active": "tracks", "tracks": [], "error": None}
    try:
        context["tracks"] = [TrackView.of(t) for t in await flows.tracks(gw, user)]
    except AscentError as err:
        context["error"] = err.message
    try:
        # The guided apps and their unlock rules (curriculum/apps.yaml), beside the tracks.
        context["apps"] = await apps.list_apps(gw, user)
    except AscentError:
        context["apps"] = []
    return render(request, "tracks.html", context, block="tracks")


async def _finals_context(
    gw: GatewayDep, user: PageUser, slug: str, run_ids: list[str] | None = None
) -> dict[str, Any]:
    """The learner's submissions with their final toggles (`run_ids`: select those first)."""
    try:
        finals = await flows.final_submissions(gw, user, slug, run_ids)
        return {"finals": finals, "finals_error": None}
    except AscentError as err:
        if err.code == "unavailable" or run_ids is None:
            return {"finals": None, "finals_error": err.message}
        # A refused change (closed, over the limit): the list as it stands, and why.
        finals = await flows.final_submissions(gw, user, slug)
        return {"finals": finals, "finals_error": err.message}


async def _board_context(gw: GatewayDep, user: PageUser, slug: str) -> dict[str, Any]:
    try:
        return {"board": await flows.board(gw, user, slug), "board_error": None}
    except AscentError as err:
        return {"board": None, "board_error": err.message}


@router.get("/challenges/{slug}")
async def challenge_page(request: Request, slug: str, user: PageUser, gw: GatewayDep) -> Response:
    detail = await flows.challenge(gw, user, slug)
    data = ChallengeView.of_detail(detail)
    code = data.starterCode
    notebook = None
    left = None
    if data.unlocked:
        notebook = await flows.challenge_session(gw, user, detail)
        code = notebook.code
        left = await flows.submissions_left(gw, user, detail)
    context = {
        **CHALLENGE_REGIONS,
        "user": user,
        "active": "tracks",
        "challenge": data,
        "lesson": render_markdown(without_title(detail.lesson_md, detail.challenge.title)),
        "code": code,
        "session_id": notebook.id if notebook is not None else "",
        "shown_hints": await flows.hints_shown(gw, user, detail),
        "submissions_left": left,
        **await _board_context(gw, user, slug),
        **await _finals_context(gw, user, slug),
        **await _explanations_context(gw, user, slug),
    }
    return render(request, "challenge.html", context, block="challenge")


@router.post("/challenges/{slug}/hints")
async def hints_fragment(
    request: Request,
    slug: str,
    user: PageUser,
    gw: GatewayDep,
    count: Annotated[int, Form()] = 0,
) -> Response:
    """Reveals hints up to `count`; the learner's revealed hints are stored, so a reload (or
    another device) shows them again."""
    detail = await flows.challenge(gw, user, slug)
    shown = await flows.reveal_hints(gw, user, detail, count)
    data = ChallengeView.of_detail(detail)
    context = {**CHALLENGE_REGIONS, "user": user, "challenge": data, "shown_hints": shown}
    return render(request, "challenge.html", context, block="hints")


@router.post("/challenges/{slug}/submit")
async def submit_fragment(
    request: Request,
    slug: str,
    user: PageUser,
    gw: GatewayDep,
    code: Annotated[str, Form()] = "",
) -> Response:
    context: dict[str, Any] = {**CHALLENGE_REGIONS, "user": user, "challenge": {"slug": slug}}
    status = 200
    headers = {"HX-Trigger": "board-changed"}
    try:
        run, detail, left = await flows.submit(gw, user, slug, code)
        context["submission"] = SubmissionView.of(run, detail, left)
    except AscentError as err:
        if err.code == "not_found":
            raise
        context["submit_error"] = err.message
        status = err.http_status
        if isinstance(err, RateLimited):
            headers["Retry-After"] = str(err.retry_after)
    return render(
        request,
        "challenge.html",
        context,
        block="submission",
        status_code=status,
        headers=headers,
    )


@router.post("/challenges/{slug}/practice")
async def practice_fragment(
    request: Request,
    slug: str,
    user: PageUser,
    gw: GatewayDep,
    code: Annotated[str, Form()] = "",
) -> Response:
    """A practice run without streaming (no JavaScript): its output, metrics and traceback."""
    context: dict[str, Any] = {**CHALLENGE_REGIONS, "user": user, "challenge": {"slug": slug}}
    status = 200
    try:
        context["run"] = PracticeRunView.of_practice(await flows.practice(gw, user, slug, code))
    except AscentError as err:
        if err.code == "not_found":
            raise
        context["practice_error"] = err.message
        status = err.http_status
    return render(request, "challenge.html", context, block="practice", status_code=status)


@router.post("/challenges/{slug}/practice/stream")
async def practice_stream(
    request: Request,
    slug: str,
    user: PageUser,
    gw: GatewayDep,
    code: Annotated[str, Form()] = "",
) -> Response:
    """A practice run as Server-Sent Events, like the notebook's Run: `queued`, `output`
    chunks, then `result` (the rendered practice block) or `failed` (an error fragment)."""
    # Locked, unknown or empty: a plain error response before any stream starts.
    opened = await flows.open_challenge(gw, user, slug, code, "run")
    base: dict[str, Any] = {
        **CHALLENGE_REGIONS,
        "user": user,
        "challenge": {"slug": slug},
        "request": request,
    }
    base["csrf"] = getattr(request.state, "csrf", "")

    def result_html(run: Any) -> str:
        return render_html(
            "challenge.html", {**base, "run": PracticeRunView.of_practice(run)}, ["practice"]
        )

    def failure_html(err: AscentError | None) -> str:
        message = err.message if err is not None else "Something went wrong on our side."
        return render_html("challenge.html", {**base, "practice_error": message}, ["practice"])

    # Like a notebook run, a practice run belongs to the learner once started.
    return run_stream(
        f"practice-{slug}",
        lambda on_item: flows.practice(gw, user, slug, code, on_item, opened),
        result_html,
        failure_html,
    )


# -- learning by teaching (issue 17) ---------------------------------------------------------
async def _explanations_context(
    gw: GatewayDep, user: PageUser, slug: str, error: str | None = None
) -> dict[str, Any]:
    try:
        found = await flows.explanations(gw, user, slug)
    except AscentError as err:
        return {"explanations": None, "explain_error": err.message}
    return {"explanations": found, "explain_error": error}


async def _explanations_fragment(
    request: Request, gw: GatewayDep, user: PageUser, slug: str, error: str | None = None
) -> Response:
    context = {
        **CHALLENGE_REGIONS,
        "user": user,
        "challenge": {"slug": slug},
        **await _explanations_context(gw, user, slug, error),
    }
    return render(request, "challenge.html", context, block="explanations")


@router.get("/challenges/{slug}/explanations")
async def explanations_fragment(
    request: Request, slug: str, user: PageUser, gw: GatewayDep
) -> Response:
    return await _explanations_fragment(request, gw, user, slug)


@router.post("/challenges/{slug}/explanations")
async def post_explanation_fragment(
    request: Request,
    slug: str,
    user: PageUser,
    gw: GatewayDep,
    body: Annotated[str, Form()] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    try:
        await flows.post_explanation(gw, user, slug, body, code)
    except AscentError as err:
        return await _explanations_fragment(request, gw, user, slug, err.message)
    return await _explanations_fragment(request, gw, user, slug)


@router.post("/challenges/{slug}/explanations/{explanation_id}/vote")
async def vote_explanation_fragment(
    request: Request, slug: str, explanation_id: str, user: PageUser, gw: GatewayDep
) -> Response:
    try:
        await flows.vote_explanation(gw, user, explanation_id)
    except AscentError as err:
        return await _explanations_fragment(request, gw, user, slug, err.message)
    return await _explanations_fragment(request, gw, user, slug)


@router.post("/challenges/{slug}/explanations/{explanation_id}/moderate")
async def moderate_explanation_fragment(
    request: Request,
    slug: str,
    explanation_id: str,
    user: PageModerator,
    gw: GatewayDep,
    action: Annotated[str, Form()] = "",
) -> Response:
    changes = {
        "validate": (True, None),
        "unvalidate": (False, None),
        "hide": (None, True),
        "unhide": (None, False),
    }
    if action not in changes:
        return await _explanations_fragment(request, gw, user, slug, "Unknown moderation.")
    validated, hidden = changes[action]
    try:
        await flows.moderate_explanation(gw, user, explanation_id, validated, hidden)
    except AscentError as err:
        return await _explanations_fragment(request, gw, user, slug, err.message)
    return await _explanations_fragment(request, gw, user, slug)


@router.get("/challenges/{slug}/board")
async def board_fragment(request: Request, slug: str, user: PageUser, gw: GatewayDep) -> Response:
    context = {
        **CHALLENGE_REGIONS,
        "user": user,
        "challenge": {"slug": slug},
        **await _board_context(gw, user, slug),
    }
    return render(request, "challenge.html", context, block="board")


@router.get("/profile")
async def profile_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    context: dict[str, Any] = {
        **PROFILE_REGIONS,
        "user": user,
        "active": "profile",
        "profile": None,
        "error": None,
        "tracks": [],
    }
    try:
        context["profile"] = ProfileView.of(await flows.progress(gw, user))
    except AscentError as err:
        context["error"] = err.message
    try:
        # Rules on deployments show their progress here too (issue 16).
        context["tracks"] = [TrackView.of(t) for t in await flows.tracks(gw, user)]
    except AscentError:
        context["tracks"] = []
    return render(request, "profile.html", context, block="profile")


@router.post("/profile/display-name")
async def display_name_fragment(
    request: Request,
    user: PageUser,
    gw: GatewayDep,
    display_name: Annotated[str, Form()] = "",
) -> Response:
    """Sets or clears the learner's display name; the form comes back with the outcome."""
    context: dict[str, Any] = {
        **PROFILE_REGIONS,
        "user": user,
        "active": "profile",
        "profile": None,
        "error": None,
    }
    status = 200
    try:
        context["user"] = await accounts.set_display_name(gw, user, display_name)
        context["name_saved"] = True
    except AscentError as err:
        context["name_error"] = err.message
        status = err.http_status
    return render(request, "profile.html", context, block="display_name", status_code=status)


@router.get("/next-up")
async def next_up_fragment(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    """The "Next up" card (loaded by the tracks and profile pages after they render, so a
    slow or absent recommender never holds them up)."""
    context: dict[str, Any] = {"user": user, "next_up": None, "error": None}
    try:
        context["next_up"] = await flows.next_challenge(gw, user)
    except AscentError as err:
        context["error"] = err.message
    return render(request, "_next_up.html", context)


# -- the old progress page -----------------------------------------------------------------
@router.get("/progress")
async def progress_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    context: dict[str, Any] = {"user": user, "progress": None, "tracks": [], "errors": []}
    try:
        context["progress"] = ProgressView.of(await flows.progress(gw, user))
    except AscentError as err:
        context["errors"].append(err.message)
    try:
        context["tracks"] = [TrackView.of(track) for track in await flows.tracks(gw, user)]
    except AscentError as err:
        if err.message not in context["errors"]:
            context["errors"].append(err.message)
    return render(request, "progress.html", context, block="progress")


@router.get("/challenges/{slug}/final")
async def finals_fragment(request: Request, slug: str, user: PageUser, gw: GatewayDep) -> Response:
    context = {
        **CHALLENGE_REGIONS,
        "user": user,
        "challenge": {"slug": slug},
        **await _finals_context(gw, user, slug),
    }
    return render(request, "challenge.html", context, block="finals")


@router.post("/challenges/{slug}/final")
async def toggle_final_fragment(
    request: Request,
    slug: str,
    user: PageUser,
    gw: GatewayDep,
    run_id: Annotated[str, Form()] = "",
    final: Annotated[bool, Form()] = False,
) -> Response:
    """One submission's "final" toggle: adds it to (or removes it from) the learner's own
    selection; the first one selected replaces the default (2 best by public score)."""
    current = await flows.final_submissions(gw, user, slug)
    selected = [s.runId for s in current.submissions if s.selected]
    wanted = [r for r in selected if r != run_id] + ([run_id] if final else [])
    context = {
        **CHALLENGE_REGIONS,
        "user": user,
        "challenge": {"slug": slug},
        **await _finals_context(gw, user, slug, wanted),
    }
    status = 200 if context["finals_error"] is None else 422
    # The board's private column follows the selection (for whoever may see it).
    headers = {"HX-Trigger": "board-changed"} if status == 200 else {}
    return render(
        request, "challenge.html", context, block="finals", status_code=status, headers=headers
    )
