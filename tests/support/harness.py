"""Helpers for the integration tests of leaderboard, progress and analytics: run a service
in-process against a real nats-server and publish/read real events."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, TypeVar, overload

import grpc
from google.protobuf.message import Message
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import NotFoundError
from sqlalchemy import func, select

from services.common import events
from services.common.config import CommonSettings, ServiceSettings
from services.common.db import Database
from services.common.events import EventBus
from services.common.outbox import outbox
from services.common.runtime import Setup, serve

# Re-exported for bench/bench_analytics.py, which imports it from here.
from tests.support.polling import wait_until as wait_until

STREAM = "ASCENT"

M = TypeVar("M", bound=Message)


@contextlib.asynccontextmanager
async def running_service(
    name: str,
    settings: ServiceSettings,
    setup: Setup,
    migrations: str,
    nats_url: str,
    data_dir: Path,
) -> AsyncIterator[grpc.aio.Channel]:
    """Start `serve(...)` as a task and yield a channel once its gRPC port answers."""
    stop = asyncio.Event()
    common = CommonSettings(nats_url=nats_url, data_dir=data_dir)
    task = asyncio.create_task(serve(name, settings, setup, migrations, common=common, stop=stop))
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{settings.grpc_port}")
    ready = asyncio.ensure_future(channel.channel_ready())
    try:
        done, _ = await asyncio.wait({ready, task}, timeout=20, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()
            raise AssertionError(f"{name} stopped during start-up")
        if ready not in done:
            raise AssertionError(f"{name} did not start in time")
        yield channel
    finally:
        ready.cancel()
        await channel.close(grace=None)
        stop.set()
        await asyncio.wait_for(task, 30)


@contextlib.asynccontextmanager
async def event_bus(nats_url: str, producer: str = "test") -> AsyncIterator[EventBus]:
    bus = EventBus(nats_url, producer=producer)
    await bus.start()
    await asyncio.wait_for(bus.connected.wait(), 10)
    try:
        yield bus
    finally:
        await bus.close()


async def publish(
    bus: EventBus, subject: str, message: Message, producer: str = "execution", msg_id: str = ""
) -> None:
    """Publish like an outbox relay would; `msg_id` overrides Nats-Msg-Id (to get past the
    JetStream duplicate window and reach the consumer's own idempotency)."""
    meta = events.meta_of(message)
    if not meta.event_id:
        meta.CopyFrom(events.new_meta(producer))
    headers = events.headers_for(meta)
    if msg_id:
        headers[events.HDR_MSG_ID] = msg_id
    await bus.publish_raw(subject, message.SerializeToString(), headers)


@overload
async def stream_events(bus: EventBus, filter_subject: str) -> list[Message]: ...


@overload
async def stream_events(bus: EventBus, filter_subject: str, kind: type[M]) -> list[M]: ...


async def stream_events(
    bus: EventBus, filter_subject: str, kind: type[Message] = Message
) -> list[Any]:
    """Every event on the stream matching the filter, decoded, via an ephemeral consumer; each
    must be a `kind` (any event when not given: a filter that spans event types)."""
    assert bus.nc is not None
    js = bus.nc.jetstream()
    sub = await js.pull_subscribe(filter_subject, stream=STREAM)
    found: list[Message] = []
    try:
        while True:
            try:
                msgs = await sub.fetch(batch=100, timeout=0.5)
            except (TimeoutError, NatsTimeoutError):
                return found
            for msg in msgs:
                message = events.decode(msg.subject, msg.data)
                assert isinstance(message, kind), f"{msg.subject} carried {type(message).__name__}"
                found.append(message)
                await msg.ack()
    finally:
        await sub.unsubscribe()


async def consumer_caught_up(bus: EventBus, durable: str) -> bool:
    """True once the durable exists and every matching message was delivered and acked."""
    assert bus.nc is not None
    try:
        info = await bus.nc.jetstream().consumer_info(STREAM, durable)
    except NotFoundError:
        return False
    return bool(
        info.num_pending == 0 and info.num_ack_pending == 0 and info.delivered.stream_seq > 0
    )


async def delete_consumer(bus: EventBus, durable: str) -> None:
    assert bus.nc is not None
    await bus.nc.jetstream().delete_consumer(STREAM, durable)


def outbox_count(db_path: Path, subject: str) -> int:
    db = Database(f"sqlite:///{db_path}")
    try:
        with db.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(outbox).where(outbox.c.subject == subject)
                ).scalar_one()
            )
    finally:
        db.dispose()
