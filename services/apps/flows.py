"""Running an app's program: execution.Execute on the session's dataset, its ASCENT_REPORT
sections read as the output streams, the analysis stored when the run ends.

An analysis runs in its own task, not in the RPC that started it: a caller that goes away
(the learner left the page) stops listening, not the analysis, whose result is stored and
shown when the learner comes back. Listeners get every event so far, then the new ones."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ascent.apps.v1 import apps_service_pb2 as pb
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.types.v1 import run_pb2

from services.apps import evidence, service
from services.apps.clients import ExecutionClient
from services.apps.repository import AppsRepository
from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import OutboxRelay
from services.common.report_sections import (
    PROGRESS,
    LineSplitter,
    ReportSection,
    parse_line,
    sections_of,
)

log = logging.getLogger(__name__)


@dataclass
class LiveAnalysis:
    analysis_id: str
    run_id: str
    owner_id: str
    history: list[pb.AnalysisEvent] = field(default_factory=list)
    listeners: list[asyncio.Queue[pb.AnalysisEvent | None]] = field(default_factory=list)
    done: bool = False
    task: asyncio.Task[None] | None = None

    def publish(self, event: pb.AnalysisEvent) -> None:
        self.history.append(event)
        for queue in self.listeners:
            queue.put_nowait(event)

    def close(self) -> None:
        self.done = True
        for queue in self.listeners:
            queue.put_nowait(None)

    async def events(self) -> AsyncIterator[pb.AnalysisEvent]:
        queue: asyncio.Queue[pb.AnalysisEvent | None] = asyncio.Queue()
        for event in self.history:
            queue.put_nowait(event)
        if self.done:
            queue.put_nowait(None)
        else:
            self.listeners.append(queue)
        try:
            while True:
                item = await queue.get()
                if item is None:
                    return
                yield item
        finally:
            with contextlib.suppress(ValueError):
                self.listeners.remove(queue)


class AnalysisRunner:
    def __init__(
        self,
        db: Database,
        execution: ExecutionClient,
        relay: OutboxRelay | None,
        wall_seconds: float,
    ) -> None:
        self.db = db
        self.execution = execution
        self.relay = relay
        self.wall_seconds = wall_seconds
        self.live: dict[str, LiveAnalysis] = {}

    def _wake(self) -> None:
        if self.relay is not None:
            self.relay.wake()

    async def start(
        self,
        request: pb.StartAnalysisRequest,
        code: str,
        title: str,
        wall_seconds: float | None = None,
    ) -> LiveAnalysis:
        new = service.NewAnalysis(
            id=str(uuid.uuid4()), run_id=str(uuid.uuid4()), code=code, request=request
        )
        await asyncio.to_thread(self._store_start, new)
        self._wake()
        live = LiveAnalysis(analysis_id=new.id, run_id=new.run_id, owner_id=request.owner_id)
        live.publish(
            pb.AnalysisEvent(
                started=pb.AnalysisStarted(analysis_id=new.id, run_id=new.run_id, code=code)
            )
        )
        self.live[new.id] = live
        wall = wall_seconds if wall_seconds is not None else self.wall_seconds
        live.task = asyncio.create_task(self._drive(live, new, title, wall))
        return live

    def _store_start(self, new: service.NewAnalysis) -> None:
        with self.db.session() as session:
            service.start(session, new)

    async def cancel(self, analysis_id: str, owner_id: str) -> bool:
        live = self.live.get(analysis_id)
        if live is None or live.owner_id != owner_id or live.done:
            return False
        return await self.execution.cancel(live.run_id)

    async def close(self) -> None:
        tasks = [live.task for live in self.live.values() if live.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _drive(
        self, live: LiveAnalysis, new: service.NewAnalysis, title: str, wall_seconds: float
    ) -> None:
        started = time.monotonic()
        request = new.request
        run: run_pb2.Run | None = None
        splitter = LineSplitter()
        try:
            async for item in self.execution.execute(
                execution_pb.ExecuteRequest(
                    run_id=new.run_id,
                    session_id=request.session_id,
                    owner_id=request.owner_id,
                    name=title,
                    code=new.code,
                    dataset_sha256=request.dataset_sha256,
                    wall_seconds=wall_seconds,
                    app_slug=request.app_slug,
                ),
                # A long app run (the AutoML budget) waits for its own wall time and more.
                timeout=wall_seconds + 60.0,
            ):
                kind = item.WhichOneof("item")
                if kind == "output" and item.output.stream == "stdout":
                    for line in splitter.feed(item.output.text):
                        await self._relay(live, line)
                elif kind == "queued":
                    live.publish(
                        pb.AnalysisEvent(
                            progress=pb.Progress(
                                done=0, total=0, label=f"Queued ({item.queued.position} ahead)"
                            )
                        )
                    )
                elif kind == "result":
                    run = item.result
        except AscentError as err:
            log.warning("analysis run failed", extra={"analysis_id": live.analysis_id})
            run = run_pb2.Run(
                status="error", has_error=True, error=run_pb2.RunError(message=err.message)
            )
        except asyncio.CancelledError:
            # The service is stopping: the analysis ends as failed, never half stored.
            await asyncio.shield(self._finish(live, None, started))
            raise
        except Exception:
            # A bug of ours must still end the analysis (and its listeners' streams).
            log.exception("analysis crashed", extra={"analysis_id": live.analysis_id})
            run = None
        await self._finish(live, run, started)

    async def _relay(self, live: LiveAnalysis, line: str) -> None:
        section = parse_line(line)
        if section is None:
            return
        if section.kind == PROGRESS:
            data = section.data
            live.publish(
                pb.AnalysisEvent(
                    progress=pb.Progress(
                        done=_int(data.get("done")),
                        total=_int(data.get("total")),
                        label=str(data.get("label", ""))[:200],
                    )
                )
            )
            return
        if section.kind == service.QUALITY:
            section = await asyncio.to_thread(self._ranked, section)
        elif section.kind in evidence.ENRICHERS:
            section = await asyncio.to_thread(self._enriched, section)
        live.publish(
            pb.AnalysisEvent(
                section=pb.Section(
                    kind=section.kind, version=section.version, data_json=section.data_json
                )
            )
        )

    def _ranked(self, section: ReportSection) -> ReportSection:
        neighbourhood = str(section.data.get("neighbourhood", ""))
        with self.db.session() as session:
            data = service.rank_quality(
                AppsRepository(session), neighbourhood, section.data, count_shown=False
            )
        return ReportSection(kind=section.kind, version=section.version, data=data)

    def _enriched(self, section: ReportSection) -> ReportSection:
        neighbourhood = str(section.data.get("neighbourhood", ""))
        with self.db.session() as session:
            enrich = evidence.ENRICHERS[section.kind]
            data = enrich(AppsRepository(session), neighbourhood, section.data)
        return ReportSection(kind=section.kind, version=section.version, data=data)

    async def _finish(self, live: LiveAnalysis, run: run_pb2.Run | None, started: float) -> None:
        duration_ms = int((time.monotonic() - started) * 1000)
        # The stored sections are those of the finished run's stdout, read once more whole.
        sections = sections_of(run.stdout) if run is not None else []
        try:
            result = await asyncio.to_thread(self._store_finish, live, run, sections, duration_ms)
            live.publish(pb.AnalysisEvent(result=result))
        finally:
            self._wake()
            live.close()
            self.live.pop(live.analysis_id, None)

    def _store_finish(
        self,
        live: LiveAnalysis,
        run: run_pb2.Run | None,
        sections: list[ReportSection],
        duration_ms: int,
    ) -> pb.Analysis:
        with self.db.session() as session:
            row = service.finish(session, live.analysis_id, run, sections, duration_ms)
            return service.to_message(session, row)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
