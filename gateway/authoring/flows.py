"""Instructor challenge authoring in the gateway: the role check and the calls, shared by
the JSON API (`gateway.authoring.api`) and the pages (`gateway.authoring.pages`).
All state lives in the authoring service; the gateway only checks the role, validates the
CSV upload like every other upload, and proxies."""

from __future__ import annotations

import asyncio

from ascent.authoring.v1 import authoring_service_pb2 as pb

from gateway.accounts import flows as accounts
from gateway.accounts.views import UserInfo
from gateway.authoring.views import ChallengeInput
from gateway.context import Gateway
from gateway.curriculum.flows import check_slug
from gateway.datasets import parse_dataset
from gateway.policy import Action, may, require
from services.common.errors import AscentError

# Validation runs the reference and the starter code; both may queue behind learner runs.
VALIDATE_TIMEOUT = 300.0


def actor(user: UserInfo) -> pb.Actor:
    """The acting instructor as the authoring service checks them: the owner or an editor of
    a challenge may open and change it; admins (`edit_any_challenge`) any."""
    return pb.Actor(user_id=user.id, edit_any=may(user, Action.EDIT_ANY_CHALLENGE))


async def list_challenges(gw: Gateway, user: UserInfo) -> list[pb.AuthoredChallenge]:
    """The challenges the user may open: their own and those shared with them (all: admins)."""
    require(user, Action.AUTHOR)
    response = await gw.clients.authoring_call(
        "ListChallenges", pb.ListChallengesResponse, pb.ListChallengesRequest(actor=actor(user))
    )
    return list(response.challenges)


async def create(gw: Gateway, user: UserInfo, body: ChallengeInput) -> pb.AuthoredChallenge:
    require(user, Action.AUTHOR)
    request = pb.CreateChallengeRequest(owner_id=user.id, fields=body.fields())
    return await gw.clients.authoring_call("CreateChallenge", pb.AuthoredChallenge, request)


async def get(gw: Gateway, user: UserInfo, slug: str) -> pb.AuthoredChallenge:
    require(user, Action.AUTHOR)
    return await gw.clients.authoring_call(
        "GetChallenge",
        pb.AuthoredChallenge,
        pb.GetChallengeRequest(slug=check_slug(slug), actor=actor(user)),
    )


async def update(
    gw: Gateway, user: UserInfo, slug: str, body: ChallengeInput
) -> pb.AuthoredChallenge:
    require(user, Action.AUTHOR)
    request = pb.UpdateChallengeRequest(
        slug=check_slug(slug), fields=body.fields(), actor=actor(user)
    )
    return await gw.clients.authoring_call("UpdateChallenge", pb.AuthoredChallenge, request)


async def upload_dataset(
    gw: Gateway,
    user: UserInfo,
    slug: str,
    filename: str,
    content: bytes,
    *,
    target: str | None = None,
    delimiter: str = "auto",
    encoding: str = "auto",
    decimal: str = "auto",
) -> pb.AuthoredChallenge:
    """The same CSV checks as a notebook upload (encoding, delimiter, header, size, rows);
    the stored CSV is UTF-8 and comma-separated with the target last."""
    require(user, Action.AUTHOR)
    check_slug(slug)
    parsed = await asyncio.to_thread(
        parse_dataset,
        content,
        gw.settings.max_dataset_rows,
        delimiter=delimiter,
        encoding=encoding,
        target=target,
        decimal=decimal,
    )
    request = pb.UploadDatasetRequest(
        slug=slug,
        csv=parsed.content,
        filename=filename[:200],
        target=parsed.target,
        actor=actor(user),
    )
    return await gw.clients.authoring_call("UploadDataset", pb.AuthoredChallenge, request)


async def validate(gw: Gateway, user: UserInfo, slug: str) -> pb.ValidationReport:
    require(user, Action.AUTHOR)
    return await gw.clients.authoring_call(
        "Validate",
        pb.ValidationReport,
        pb.ValidateRequest(slug=check_slug(slug), actor=actor(user)),
        VALIDATE_TIMEOUT,
    )


async def publish(gw: Gateway, user: UserInfo, slug: str) -> pb.PublishResponse:
    require(user, Action.AUTHOR)
    return await gw.clients.authoring_call(
        "Publish",
        pb.PublishResponse,
        pb.PublishRequest(slug=check_slug(slug), actor=actor(user)),
        VALIDATE_TIMEOUT,
    )


async def archive(gw: Gateway, user: UserInfo, slug: str) -> pb.AuthoredChallenge:
    require(user, Action.AUTHOR)
    return await gw.clients.authoring_call(
        "Archive", pb.AuthoredChallenge, pb.ArchiveRequest(slug=check_slug(slug), actor=actor(user))
    )


async def export(gw: Gateway, user: UserInfo, slug: str, version: int = 0) -> pb.ExportResponse:
    require(user, Action.AUTHOR)
    return await gw.clients.authoring_call(
        "Export",
        pb.ExportResponse,
        pb.ExportRequest(slug=check_slug(slug), version=version, actor=actor(user)),
    )


async def import_zip(gw: Gateway, user: UserInfo, content: bytes) -> pb.AuthoredChallenge:
    require(user, Action.AUTHOR)
    return await gw.clients.authoring_call(
        "Import", pb.AuthoredChallenge, pb.ImportRequest(owner_id=user.id, zip=content)
    )


async def share(
    gw: Gateway, user: UserInfo, slug: str, username: str, shared: bool
) -> pb.AuthoredChallenge:
    """The author lets another instructor (by username) edit the challenge, or not."""
    require(user, Action.AUTHOR)
    editor = await accounts.user_by_username(gw, username)
    if editor is None:
        raise AscentError("not_found", "No user with that username.")
    if shared and not may(editor, Action.AUTHOR):
        raise AscentError("invalid_argument", "Challenges can be shared with instructors only.")
    request = pb.ShareChallengeRequest(
        slug=check_slug(slug), actor=actor(user), editor_id=editor.id, shared=shared
    )
    return await gw.clients.authoring_call("ShareChallenge", pb.AuthoredChallenge, request)


async def usernames(gw: Gateway, user_ids: list[str]) -> dict[str, str]:
    """Usernames of the author and editors, for the editor page (an account gone: its id)."""
    names: dict[str, str] = {}
    for user_id in user_ids:
        found = await accounts.user_by_id(gw, user_id)
        names[user_id] = found.username if found is not None else user_id
    return names
