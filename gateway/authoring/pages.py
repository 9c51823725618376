"""Instructor authoring pages: the list (`/author`) and the editor (`/author/{slug}`) with a
live lesson preview, dataset upload with its profile, Validate, Publish and Archive. Every
action answers with the editor block for HTMX; learners get 403 like on the API."""

from __future__ import annotations

import math
from typing import Annotated, Any

from ascent.authoring.v1 import authoring_service_pb2 as pb
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from gateway import datasets
from gateway.authoring import flows as authoring
from gateway.authoring.views import AuthoredChallengeView, ChallengeInput
from gateway.context import GatewayDep
from gateway.curriculum import flows as challenges
from gateway.markdown import render_markdown
from gateway.policy import Action, PageAuthor, may
from gateway.rendering import render
from services.common.curriculum import METRICS
from services.common.errors import AscentError

router = APIRouter(include_in_schema=False)


async def _track_choices(gw: GatewayDep, user: PageAuthor) -> list[dict[str, str]]:
    try:
        return [{"slug": t.slug, "title": t.title} for t in await challenges.tracks(gw, user)]
    except AscentError:
        return []


async def _editor(
    request: Request,
    gw: GatewayDep,
    user: PageAuthor,
    slug: str,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    item = AuthoredChallengeView.of(await authoring.get(gw, user, slug))
    names = await authoring.usernames(gw, [item.ownerId, *item.editorIds])
    context: dict[str, Any] = {
        "user": user,
        "active": "author",
        "item": item,
        "tracks": await _track_choices(gw, user),
        "metrics": sorted(METRICS),
        "lesson": render_markdown(item.lessonMarkdown),
        "owner": names[item.ownerId],
        "editors": [names[editor_id] for editor_id in item.editorIds],
        # Only the author (or an admin) shares; the service checks it again.
        "may_share": item.ownerId == user.id or may(user, Action.EDIT_ANY_CHALLENGE),
        "notice": notice,
        "error": error,
    }
    return render(request, "author_edit.html", context, block="editor", status_code=status_code)


@router.get("/author")
async def author_list(request: Request, user: PageAuthor, gw: GatewayDep) -> Response:
    items = [AuthoredChallengeView.of(c) for c in await authoring.list_challenges(gw, user)]
    context = {"user": user, "active": "author", "items": items, "error": None}
    return render(request, "author_list.html", context)


@router.post("/author")
async def author_create(
    request: Request, user: PageAuthor, gw: GatewayDep, title: Annotated[str, Form()] = ""
) -> Response:
    try:
        item = await authoring.create(gw, user, ChallengeInput(title=title.strip()))
    except AscentError as err:
        if err.code == "forbidden":
            raise
        items = [AuthoredChallengeView.of(c) for c in await authoring.list_challenges(gw, user)]
        context = {"user": user, "active": "author", "items": items, "error": err.message}
        return render(request, "author_list.html", context, status_code=err.http_status)
    return RedirectResponse(f"/author/{item.slug}", status_code=303)


@router.post("/author/import")
async def author_import(
    request: Request,
    user: PageAuthor,
    gw: GatewayDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        _, content = await datasets.read_upload(gw, file)
        item = await authoring.import_zip(gw, user, content)
    except AscentError as err:
        items = [AuthoredChallengeView.of(c) for c in await authoring.list_challenges(gw, user)]
        context = {"user": user, "active": "author", "items": items, "error": err.message}
        return render(request, "author_list.html", context, status_code=err.http_status)
    return RedirectResponse(f"/author/{item.slug}", status_code=303)


@router.post("/author/preview")
async def lesson_preview(
    request: Request,
    user: PageAuthor,
    lessonMarkdown: Annotated[str, Form()] = "",
) -> Response:
    """Server-side render with the same safe Markdown renderer the challenge page uses."""
    context = {"user": user, "lesson": render_markdown(lessonMarkdown[:100_000])}
    # Only ever a fragment (the editor's live preview): rendered as such with or without
    # HX-Request, since the whole page needs a challenge this request does not name.
    return render(request, "author_edit.html", context, block="preview", fragment=True)


@router.get("/author/{slug}")
async def author_edit(request: Request, slug: str, user: PageAuthor, gw: GatewayDep) -> Response:
    return await _editor(request, gw, user, slug)


def _number(value: str, name: str) -> float | None:
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise AscentError("invalid_argument", f"{name} must be a number.") from None
    if not math.isfinite(number):
        raise AscentError("invalid_argument", f"{name} must be a number.")
    return number


@router.post("/author/{slug}")
async def author_save(
    request: Request,
    slug: str,
    user: PageAuthor,
    gw: GatewayDep,
    title: Annotated[str, Form()] = "",
    summary: Annotated[str, Form()] = "",
    lessonMarkdown: Annotated[str, Form()] = "",
    track: Annotated[str, Form()] = "",
    position: Annotated[str, Form()] = "",
    metric: Annotated[str, Form()] = "",
    passThreshold: Annotated[str, Form()] = "",
    testFraction: Annotated[str, Form()] = "",
    dailySubmissions: Annotated[str, Form()] = "",
    taskType: Annotated[str, Form()] = "",
    starterCode: Annotated[str, Form()] = "",
    solution: Annotated[str, Form()] = "",
    hints: Annotated[str, Form()] = "",
) -> Response:
    try:
        threshold = _number(passThreshold, "The pass threshold")
        fraction = _number(testFraction, "The hidden test fraction")
        daily = _number(dailySubmissions, "The daily submission limit")
        place = _number(position, "The position")
        body = ChallengeInput(
            title=title,
            summary=summary,
            lessonMarkdown=lessonMarkdown,
            track=track,
            metric=metric,
            taskType=taskType,
            starterCode=starterCode,
            solution=solution,
            # One hint per line, revealed to learners in this order.
            hints=[line.strip() for line in hints.splitlines() if line.strip()],
        )
        if threshold is not None:
            body.passThreshold = threshold
        if fraction is not None:
            body.testFraction = fraction
        if place is not None:
            body.position = int(place)
        if daily is not None:
            if daily != int(daily):
                raise AscentError(
                    "invalid_argument", "The daily submission limit must be a whole number."
                )
            body.dailySubmissions = int(daily)
        updated = await authoring.update(gw, user, slug, body)
    except AscentError as err:
        if err.code in ("forbidden", "not_found"):
            raise
        return await _editor(
            request, gw, user, slug, error=err.message, status_code=err.http_status
        )
    notice = "Saved."
    if updated.version_status == "draft" and updated.current_version:
        notice = (
            f"Saved as draft version {updated.version}; learners keep "
            f"v{updated.current_version} until you publish."
        )
    return await _editor(request, gw, user, slug, notice=notice)


@router.post("/author/{slug}/dataset")
async def author_dataset(
    request: Request,
    slug: str,
    user: PageAuthor,
    gw: GatewayDep,
    file: Annotated[UploadFile | None, File()] = None,
    target: Annotated[str, Form()] = "",
) -> Response:
    try:
        filename, content = await datasets.read_upload(gw, file)
        await authoring.upload_dataset(gw, user, slug, filename, content, target=target or None)
    except AscentError as err:
        if err.code in ("forbidden", "not_found"):
            raise
        return await _editor(
            request, gw, user, slug, error=err.message, status_code=err.http_status
        )
    return await _editor(request, gw, user, slug, notice="Dataset uploaded and profiled.")


@router.post("/author/{slug}/editors")
async def author_share(
    request: Request,
    slug: str,
    user: PageAuthor,
    gw: GatewayDep,
    username: Annotated[str, Form()] = "",
) -> Response:
    """The author lets another instructor edit the draft (the editor page's Editors panel)."""
    return await _share(request, gw, user, slug, username.strip(), True)


@router.post("/author/{slug}/editors/{username}/remove")
async def author_unshare(
    request: Request, slug: str, username: str, user: PageAuthor, gw: GatewayDep
) -> Response:
    return await _share(request, gw, user, slug, username, False)


async def _share(
    request: Request, gw: GatewayDep, user: PageAuthor, slug: str, username: str, shared: bool
) -> Response:
    if not username:
        return await _editor(
            request, gw, user, slug, error="Give the instructor's username.", status_code=400
        )
    try:
        await authoring.share(gw, user, slug, username, shared)
    except AscentError as err:
        if err.code == "not_found" and "username" not in err.message:
            raise
        return await _editor(
            request, gw, user, slug, error=err.message, status_code=err.http_status
        )
    notice = (
        f"{username} can now edit this challenge."
        if shared
        else f"{username} can no longer edit this challenge."
    )
    return await _editor(request, gw, user, slug, notice=notice)


@router.post("/author/{slug}/{action}")
async def author_action(
    request: Request, slug: str, action: str, user: PageAuthor, gw: GatewayDep
) -> Response:
    steps = {
        "validate": (authoring.validate, "Validation passed: ready to publish."),
        "publish": (authoring.publish, "Published: learners see it in its track."),
        "archive": (authoring.archive, "Archived: it left its track; graded runs stay."),
    }
    if action not in steps:
        raise AscentError("not_found", "Not found.")
    call, notice = steps[action]
    try:
        result = await call(gw, user, slug)
    except AscentError as err:
        if err.code in ("forbidden", "not_found"):
            raise
        return await _editor(request, gw, user, slug, error=err.message)
    if isinstance(result, pb.ValidationReport) and not result.ok:
        return await _editor(request, gw, user, slug, error="Validation failed; see below.")
    return await _editor(request, gw, user, slug, notice=notice)
