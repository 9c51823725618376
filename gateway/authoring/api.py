"""Instructor authoring API (403 for learners on every route)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import Response

from gateway import contract, datasets
from gateway.authoring import flows as authoring
from gateway.authoring.views import (
    AuthoredChallengeView,
    ChallengeInput,
    PublishedView,
    ValidationView,
)
from gateway.context import GatewayDep
from gateway.policy import ApiAuthor
from gateway.views import Data

router = APIRouter(prefix="/authoring", tags=["authoring"])


@router.get("/challenges")
async def list_challenges(user: ApiAuthor, gw: GatewayDep) -> Data[list[AuthoredChallengeView]]:
    """Every authored challenge with its status, latest version and track."""
    items = await authoring.list_challenges(gw, user)
    return Data(data=[AuthoredChallengeView.of(c) for c in items])


@router.post("/challenges", status_code=201)
async def create_challenge(
    body: ChallengeInput, user: ApiAuthor, gw: GatewayDep
) -> Data[AuthoredChallengeView]:
    """A new draft (version 1); the slug is derived from the title and unique."""
    item = await authoring.create(gw, user, body)
    return Data(data=AuthoredChallengeView.of(item))


@router.get("/challenges/{slug}")
async def get_challenge(slug: str, user: ApiAuthor, gw: GatewayDep) -> Data[AuthoredChallengeView]:
    """The latest version's fields, dataset profile, validation report and version list."""
    return Data(data=AuthoredChallengeView.of(await authoring.get(gw, user, slug)))


@router.patch("/challenges/{slug}")
async def update_challenge(
    slug: str, body: ChallengeInput, user: ApiAuthor, gw: GatewayDep
) -> Data[AuthoredChallengeView]:
    """Edits the draft; editing a published challenge starts a new draft version."""
    return Data(data=AuthoredChallengeView.of(await authoring.update(gw, user, slug, body)))


@router.post("/challenges/{slug}/dataset")
@contract.raises(422)
async def upload_dataset(
    slug: str,
    user: ApiAuthor,
    gw: GatewayDep,
    file: Annotated[UploadFile, File()],
    target: Annotated[str, Form()] = "",
    delimiter: Annotated[str, Form()] = "auto",
    encoding: Annotated[str, Form()] = "auto",
    decimal: Annotated[str, Form()] = "auto",
) -> Data[AuthoredChallengeView]:
    """A CSV (checked like every upload); returns the inferred task type and the profile."""
    filename, content = await datasets.read_upload(gw, file)
    item = await authoring.upload_dataset(
        gw,
        user,
        slug,
        filename,
        content,
        target=target or None,
        delimiter=delimiter,
        encoding=encoding,
        decimal=decimal,
    )
    return Data(data=AuthoredChallengeView.of(item))


@router.post("/challenges/{slug}/validate")
@contract.raises(409, 422, 429)
async def validate(slug: str, user: ApiAuthor, gw: GatewayDep) -> Data[ValidationView]:
    """Profile, reference solution vs threshold and starter code, through real runs."""
    return Data(data=ValidationView.of(await authoring.validate(gw, user, slug)))


@router.post("/challenges/{slug}/publish")
@contract.raises(409, 422, 429)
async def publish(slug: str, user: ApiAuthor, gw: GatewayDep) -> Data[PublishedView]:
    """Validates, then makes the draft the current version (422 and nothing published when
    validation fails)."""
    result = await authoring.publish(gw, user, slug)
    return Data(data=PublishedView.of_publish(result))


@router.post("/challenges/{slug}/archive")
@contract.raises(409)
async def archive(slug: str, user: ApiAuthor, gw: GatewayDep) -> Data[AuthoredChallengeView]:
    """Takes the challenge out of its track; graded runs and boards stay."""
    return Data(data=AuthoredChallengeView.of(await authoring.archive(gw, user, slug)))


@router.get(
    "/challenges/{slug}/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {"schema": {"type": "string"}}}}},
)
@contract.raises(422)
async def export(slug: str, user: ApiAuthor, gw: GatewayDep, version: int = 0) -> Response:
    """A zip of the challenge as a folder in the curriculum format (dataset `csv:data.csv`)."""
    result = await authoring.export(gw, user, slug, version)
    return Response(
        result.zip,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
    )


@router.put("/challenges/{slug}/editors/{username}")
async def share(
    slug: str, username: str, user: ApiAuthor, gw: GatewayDep
) -> Data[AuthoredChallengeView]:
    """The author lets another instructor edit the challenge (validate, publish, archive,
    export too). Only the author (or an admin) may share."""
    return Data(
        data=AuthoredChallengeView.of(await authoring.share(gw, user, slug, username, True))
    )


@router.delete("/challenges/{slug}/editors/{username}")
async def unshare(
    slug: str, username: str, user: ApiAuthor, gw: GatewayDep
) -> Data[AuthoredChallengeView]:
    """Takes an editor off the challenge."""
    return Data(
        data=AuthoredChallengeView.of(await authoring.share(gw, user, slug, username, False))
    )


@router.post("/import", status_code=201)
async def import_challenge(
    user: ApiAuthor, gw: GatewayDep, file: Annotated[UploadFile, File()]
) -> Data[AuthoredChallengeView]:
    """An exported zip (or a hand-written challenge folder) becomes a new draft."""
    _, content = await datasets.read_upload(gw, file)
    item = await authoring.import_zip(gw, user, content)
    return Data(data=AuthoredChallengeView.of(item))
