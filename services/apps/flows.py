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
from services.apps.clients import ExecutionClient, RecommenderClient
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
    app_slug: str = ""
    dataset_sha256: str = ""
    done: bool = False
    task: asyncio.Task[None] | None = None
    # The evidence of the dataset's neighbourhood, asked for once per analysis.
    knowledge: evidence.Knowledge | None = None

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
        recommender: RecommenderClient | None = None,
    ) -> None:
        self.db = db
        self.execution = execution
        self.recommender = recommender
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
        live = LiveAnalysis(
            analysis_id=new.id,
            run_id=new.run_id,
            owner_id=request.owner_id,
            app_slug=request.app_slug,
            dataset_sha256=request.dataset_sha256,
        )
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
        if section.kind == service.QUALITY or section.kind in evidence.ENRICHERS:
            hood = str(section.data.get("neighbourhood", ""))[:100]
            knowledge = await self.knowledge(live, hood)
            section = enrich(knowledge, section)
        live.publish(
            pb.AnalysisEvent(
                section=pb.Section(
                    kind=section.kind, version=section.version, data_json=section.data_json
                )
            )
        )

    async def knowledge(self, live: LiveAnalysis, neighbourhood: str) -> evidence.Knowledge:
        """The neighbourhood's evidence: the recommender's knowledge base (every learner's),
        else, when it cannot answer, this service's own tables."""
        known = live.knowledge
        if known is not None and known.neighbourhood == neighbourhood:
            return known
        known = await self.ask(live.app_slug, neighbourhood, live.dataset_sha256)
        live.knowledge = known
        return known

    async def ask(
        self, app_slug: str, neighbourhood: str, dataset_sha256: str = ""
    ) -> evidence.Knowledge:
        series = neighbourhood.startswith(evidence.SERIES_PREFIX)
        if self.recommender is not None and (neighbourhood or dataset_sha256) and not series:
            try:
                response = await self.recommender.app_evidence(
                    app_slug, neighbourhood, dataset_sha256
                )
                return evidence.knowledge_of(response)
            except AscentError as err:
                log.warning(
                    "recommender evidence unavailable; using this service's",
                    extra={"reason": err.message},
                )
        return await asyncio.to_thread(self._local, neighbourhood)

    def _local(self, neighbourhood: str) -> evidence.Knowledge:
        with self.db.session() as session:
            return evidence.local_knowledge(AppsRepository(session), neighbourhood)

    async def _finish(self, live: LiveAnalysis, run: run_pb2.Run | None, started: float) -> None:
        duration_ms = int((time.monotonic() - started) * 1000)
        # The stored sections are those of the finished run's stdout, read once more whole.
        sections = sections_of(run.stdout) if run is not None else []
        knowledge: evidence.Knowledge | None = None
        try:
            hood = service.neighbourhood_of(sections)
            if hood and any(
                s.kind == service.QUALITY or s.kind in evidence.ENRICHERS for s in sections
            ):
                knowledge = await self.knowledge(live, hood)
            result = await asyncio.to_thread(
                self._store_finish, live, run, sections, duration_ms, knowledge
            )
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
        knowledge: evidence.Knowledge | None,
    ) -> pb.Analysis:
        with self.db.session() as session:
            row = service.finish(session, live.analysis_id, run, sections, duration_ms, knowledge)
            return service.to_message(session, row)


def enrich(knowledge: evidence.Knowledge, section: ReportSection) -> ReportSection:
    """A quality / suggestions / split section ranked by the evidence."""
    if section.kind == service.QUALITY:
        data = service.rank_quality(knowledge, section.data)
    else:
        data = evidence.ENRICHERS[section.kind](knowledge, section.data)
    return ReportSection(kind=section.kind, version=section.version, data=data)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
