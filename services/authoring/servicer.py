"""gRPC adapter of the authoring service: opens units of work (services.common.rpc maps
errors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc
from ascent.authoring.v1 import authoring_service_pb2 as pb
from ascent.authoring.v1 import authoring_service_pb2_grpc as pb_grpc

from services.authoring import flows, service
from services.authoring.config import Settings
from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import OutboxRelay

T = TypeVar("T")


class AuthoringServicer(pb_grpc.AuthoringServiceServicer):
    def __init__(
        self,
        db: Database,
        settings: Settings,
        runner: flows.Runner,
        tracks: flows.Tracks,
        relay: OutboxRelay | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.runner = runner
        self.tracks = tracks
        self.relay = relay

    async def _call(self, work: Callable[[], Awaitable[T]]) -> T:
        result = await work()
        if self.relay is not None:
            # Publish/archive staged an event: send it now rather than at the next poll.
            self.relay.wake()
        return result

    async def CreateChallenge(
        self,
        request: pb.CreateChallengeRequest,
        context: grpc.aio.ServicerContext[pb.CreateChallengeRequest, pb.AuthoredChallenge],
    ) -> pb.AuthoredChallenge:
        return await self._call(
            lambda: self.db.run(lambda s: service.create(s, request.owner_id, request.fields)),
        )

    async def UpdateChallenge(
        self,
        request: pb.UpdateChallengeRequest,
        context: grpc.aio.ServicerContext[pb.UpdateChallengeRequest, pb.AuthoredChallenge],
    ) -> pb.AuthoredChallenge:
        return await self._call(
            lambda: self.db.run(
                lambda s: service.update(s, request.slug, request.fields, request.actor)
            )
        )

    async def GetChallenge(
        self,
        request: pb.GetChallengeRequest,
        context: grpc.aio.ServicerContext[pb.GetChallengeRequest, pb.AuthoredChallenge],
    ) -> pb.AuthoredChallenge:
        return await self._call(
            lambda: self.db.run(
                lambda s: service.get(s, request.slug, request.version, request.actor)
            )
        )

    async def ListChallenges(
        self,
        request: pb.ListChallengesRequest,
        context: grpc.aio.ServicerContext[pb.ListChallengesRequest, pb.ListChallengesResponse],
    ) -> pb.ListChallengesResponse:
        items = await self._call(lambda: self.db.run(lambda s: service.list_for(s, request.actor)))
        return pb.ListChallengesResponse(challenges=items)

    async def UploadDataset(
        self,
        request: pb.UploadDatasetRequest,
        context: grpc.aio.ServicerContext[pb.UploadDatasetRequest, pb.AuthoredChallenge],
    ) -> pb.AuthoredChallenge:
        if len(request.csv) > self.settings.max_dataset_bytes:
            raise AscentError("too_large", "The dataset is too large.")
        rows = self.settings.max_dataset_rows
        return await self._call(
            lambda: self.db.run(
                lambda s: service.upload_dataset(
                    s,
                    request.slug,
                    request.csv,
                    request.filename,
                    request.target,
                    rows,
                    actor=request.actor,
                )
            ),
        )

    async def Validate(
        self,
        request: pb.ValidateRequest,
        context: grpc.aio.ServicerContext[pb.ValidateRequest, pb.ValidationReport],
    ) -> pb.ValidationReport:
        async def work() -> pb.ValidationReport:
            await self.db.run(lambda s: service.require_editor(s, request.slug, request.actor))
            _, report = await flows.validate(self.db, request.slug, self.runner, self.tracks)
            return report

        return await self._call(work)

    async def Publish(
        self,
        request: pb.PublishRequest,
        context: grpc.aio.ServicerContext[pb.PublishRequest, pb.PublishResponse],
    ) -> pb.PublishResponse:
        async def work() -> pb.PublishResponse:
            await self.db.run(lambda s: service.require_editor(s, request.slug, request.actor))
            challenge, report = await flows.publish(self.db, request.slug, self.runner, self.tracks)
            return pb.PublishResponse(challenge=challenge, validation=report)

        return await self._call(work)

    async def Archive(
        self,
        request: pb.ArchiveRequest,
        context: grpc.aio.ServicerContext[pb.ArchiveRequest, pb.AuthoredChallenge],
    ) -> pb.AuthoredChallenge:
        return await self._call(
            lambda: self.db.run(lambda s: service.archive(s, request.slug, request.actor))
        )

    async def Export(
        self,
        request: pb.ExportRequest,
        context: grpc.aio.ServicerContext[pb.ExportRequest, pb.ExportResponse],
    ) -> pb.ExportResponse:
        return await self._call(
            lambda: self.db.run(
                lambda s: service.export_zip(s, request.slug, request.version, request.actor)
            ),
        )

    async def Import(
        self,
        request: pb.ImportRequest,
        context: grpc.aio.ServicerContext[pb.ImportRequest, pb.AuthoredChallenge],
    ) -> pb.AuthoredChallenge:
        limit = self.settings.max_dataset_bytes
        return await self._call(
            lambda: self.db.run(
                lambda s: service.import_zip(s, request.owner_id, request.zip, limit)
            ),
        )

    async def ShareChallenge(
        self,
        request: pb.ShareChallengeRequest,
        context: grpc.aio.ServicerContext[pb.ShareChallengeRequest, pb.AuthoredChallenge],
    ) -> pb.AuthoredChallenge:
        return await self._call(
            lambda: self.db.run(
                lambda s: service.share(
                    s, request.slug, request.actor, request.editor_id, request.shared
                )
            )
        )

    async def GetBundle(
        self,
        request: pb.GetBundleRequest,
        context: grpc.aio.ServicerContext[pb.GetBundleRequest, pb.Bundle],
    ) -> pb.Bundle:
        return await self._call(
            lambda: self.db.run(
                lambda s: service.bundle(
                    s, request.slug, request.version, request.allow_draft, request.include_data
                )
            ),
        )
