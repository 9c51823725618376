"""Facts from NATS pushed to learners' open pages (Server-Sent Events).

The gateway listens with a plain (ephemeral, non-durable) subscription on the few subjects a
page shows: a missed message while no page is open is no loss, the page reloads its state
when it connects. Each open page gets a queue of the events that concern its learner.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

from ascent.events.v1 import leaderboard_pb2, learning_pb2, progress_pb2
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from fastapi.responses import StreamingResponse
from google.protobuf.message import Message

from services.common import events
from services.common.errors import AscentError
from services.common.events import EventBus

log = logging.getLogger(__name__)

SUBJECTS = (
    events.RUN_COMPLETED,
    events.BEST_ACHIEVED,
    events.BADGE_AWARDED,
    events.TRACK_UNLOCKED,
    events.CHALLENGE_PASSED,
)
# A page's queue is bounded: a stalled tab drops its oldest events instead of growing.
QUEUE_SIZE = 100


def page_event(subject: str, message: Message) -> tuple[str, dict[str, Any]] | None:
    """(learner id, JSON-able event for the page), or None for what pages do not show."""
    if isinstance(message, learning_pb2.RunCompleted):
        run = message.run
        return run.owner_id, {
            "type": "run",
            "sessionId": run.session_id,
            "runId": run.id,
            "name": run.name,
            "isImproved": run.is_improved,
        }
    if isinstance(message, leaderboard_pb2.BestAchieved):
        return message.owner_id, {
            "type": "best",
            "sessionId": message.board_id,
            "runId": message.run_id,
            "score": message.score,
            "previousScore": message.previous_score or None,
        }
    if isinstance(message, progress_pb2.BadgeAwarded):
        return message.learner_id, {
            "type": "badge",
            "slug": message.badge_slug,
            "name": message.badge_name,
        }
    if isinstance(message, progress_pb2.TrackUnlocked):
        return message.learner_id, {
            "type": "unlocked",
            "track": message.track_slug,
            "title": message.track_title,
        }
    if isinstance(message, progress_pb2.ChallengePassed):
        return message.learner_id, {
            "type": "passed",
            "challenge": message.challenge_slug,
            "title": message.challenge_title or message.challenge_slug,
            "metric": message.metric,
            "score": message.score,
        }
    return None


class LiveHub:
    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self._listeners: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._subscriptions: list[Any] = []
        # Open dashboards: each gets the subject of every event on the stream.
        self._watchers: set[asyncio.Queue[str]] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._subscribe(), name="live-subscribe")

    async def _subscribe(self) -> None:
        await self.bus.connected.wait()
        assert self.bus.nc is not None
        for subject in SUBJECTS:
            # nats-py re-subscribes by itself after a reconnect.
            self._subscriptions.append(await self.bus.nc.subscribe(subject, cb=self._on_message))
        # Dashboards refresh on any fact: the stream's own subject list, so domains added
        # later are covered without a change here.
        for pattern in events.STREAM_SUBJECTS:
            self._subscriptions.append(await self.bus.nc.subscribe(pattern, cb=self._on_any))
        log.info("live updates subscribed", extra={"subjects": list(SUBJECTS)})

    async def _on_any(self, msg: Any) -> None:
        for queue in list(self._watchers):
            if not queue.full():
                queue.put_nowait(msg.subject)

    @contextlib.contextmanager
    def watch(self) -> Iterator[asyncio.Queue[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        self._watchers.add(queue)
        try:
            yield queue
        finally:
            self._watchers.discard(queue)

    async def _on_message(self, msg: Any) -> None:
        try:
            decoded = page_event(msg.subject, events.decode(msg.subject, msg.data))
        except ValueError:
            return
        if decoded is not None:
            self.publish(*decoded)

    def publish(self, learner_id: str, event: dict[str, Any]) -> None:
        for queue in list(self._listeners.get(learner_id, ())):
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(event)

    @contextlib.contextmanager
    def listen(self, learner_id: str) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._listeners.setdefault(learner_id, set()).add(queue)
        try:
            yield queue
        finally:
            listeners = self._listeners.get(learner_id)
            if listeners is not None:
                listeners.discard(queue)
                if not listeners:
                    self._listeners.pop(learner_id, None)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        for sub in self._subscriptions:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()


# Proxies must not buffer an event stream.
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

T = TypeVar("T")
OnItem = Callable[[execution_pb.ExecuteResponse], Awaitable[None]]
# Streamed runs outlive their request (see run_stream); kept here so they are not collected.
_background: set[asyncio.Task[None]] = set()


def event_stream(stream: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(stream, media_type="text/event-stream", headers=SSE_HEADERS)


def run_stream(
    name: str,
    run: Callable[[OnItem], Awaitable[T]],
    result_html: Callable[[T], str],
    failure_html: Callable[[AscentError | None], str],
) -> StreamingResponse:
    """A run as Server-Sent Events: `queued`, one `output` per chunk the sandbox writes,
    then `result` (`result_html` of what `run` returned) or `failed` (`failure_html` of the
    error; None for a bug of ours, which is logged). The run belongs to the learner once
    started: a closed tab does not cancel it."""
    items: asyncio.Queue[str | None] = asyncio.Queue()

    async def on_item(item: execution_pb.ExecuteResponse) -> None:
        kind = item.WhichOneof("item")
        if kind == "output":
            await items.put(sse("output", {"stream": item.output.stream, "text": item.output.text}))
        elif kind == "queued":
            await items.put(sse("queued", {"position": item.queued.position}))

    async def execute() -> None:
        try:
            await items.put(sse("result", result_html(await run(on_item))))
        except AscentError as err:
            await items.put(sse("failed", failure_html(err)))
        except Exception:
            log.exception("streamed run failed", extra={"stream": name})
            await items.put(sse("failed", failure_html(None)))
        finally:
            await items.put(None)

    task = asyncio.create_task(execute(), name=name)
    _background.add(task)
    task.add_done_callback(_background.discard)

    async def stream() -> AsyncIterator[str]:
        while (item := await items.get()) is not None:
            yield item

    return event_stream(stream())


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event; multi-line data becomes several `data:` lines."""
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    lines = "".join(f"data: {line}\n" for line in text.split("\n"))
    return f"event: {event}\n{lines}\n"


Enrich = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


async def page_stream(
    hub: LiveHub,
    learner_id: str,
    session_id: str | None,
    is_disconnected: Any,
    lifetime: float = 55.0,
    heartbeat: float = 15.0,
    describe_best: Enrich | None = None,
) -> AsyncGenerator[str, None]:
    """A page's event stream. It ends after `lifetime` (the browser reconnects at once) so
    that a gateway shutting down never waits long for open pages. `session_id` None is the
    stream of any other page (tracks, challenge, profile): it carries only the learner-wide
    facts (badges, unlocks, passes), not one notebook's runs. `describe_best` adds to a
    `best` event what the page shows of the run's score (the event carries only the number,
    not which metric it is)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lifetime
    with hub.listen(learner_id) as queue:
        yield "retry: 1000\n\n"
        while loop.time() < deadline:
            try:
                event = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                if await is_disconnected():
                    return
                yield ": keep-alive\n\n"
                continue
            owned = event.get("sessionId")
            if owned is not None and owned != session_id:
                continue
            if event["type"] == "best" and describe_best is not None:
                event = await describe_best(event)
            yield sse(event["type"], event)


async def dashboard_stream(
    hub: LiveHub,
    is_disconnected: Any,
    debounce: float = 1.5,
    lifetime: float = 55.0,
    heartbeat: float = 15.0,
) -> AsyncGenerator[str, None]:
    """Tells an open dashboard to re-fetch: one `refresh` per burst of events, sent
    `debounce` seconds after the burst's first event (so analytics has consumed it too)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + lifetime
    with hub.watch() as queue:
        yield "retry: 1000\n\n"
        while loop.time() < deadline:
            try:
                first = await asyncio.wait_for(queue.get(), timeout=heartbeat)
            except TimeoutError:
                if await is_disconnected():
                    return
                yield ": keep-alive\n\n"
                continue
            await asyncio.sleep(debounce)
            subjects = {first}
            while not queue.empty():
                subjects.add(queue.get_nowait())
            yield sse("refresh", {"subjects": sorted(subjects)})
