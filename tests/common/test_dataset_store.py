"""Issue 19: datasets reach every execution host without a shared filesystem. Two stores
with their own directories (two hosts) share only a real nats-server: what one publishes the
other fetches, checked against its hash."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pandas as pd
import pytest

from gateway.datasets import columnar_copy
from services.common.datasets import BUCKET, DatasetStore
from services.common.errors import AscentError
from services.common.events import EventBus
from tests.support.nats_server import NatsServer


@pytest.fixture
async def bus(nats_server: NatsServer) -> AsyncIterator[EventBus]:
    bus = EventBus(nats_server.url, producer="test")
    await bus.start()
    await asyncio.wait_for(bus.connected.wait(), 10)
    yield bus
    await bus.close()


async def test_a_dataset_published_on_one_host_is_fetched_on_another(
    tmp_path: Path, bus: EventBus
) -> None:
    content = b"x,label\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(200_000))
    gateway = DatasetStore(tmp_path / "gateway-host", bus)
    execution = DatasetStore(tmp_path / "execution-host", bus)
    gateway.bind()
    execution.bind()
    digest = gateway.put(content)
    await gateway.publish(digest)
    await gateway.publish(digest)  # idempotent: already there

    assert not execution.path(digest).exists()
    fetched = await execution.fetch(digest)
    assert fetched.parent == tmp_path / "execution-host"
    assert fetched.read_bytes() == content
    # A worker thread (the recommender's profiling) reads through the loop.
    other = gateway.put(b"a,b\n1,2\n")
    await gateway.publish(other)
    third = DatasetStore(tmp_path / "third-host", bus)
    third.bind()
    from_thread = await asyncio.to_thread(third.existing_path, other)
    assert from_thread.read_bytes() == b"a,b\n1,2\n"


async def test_a_missing_or_damaged_dataset_is_refused(tmp_path: Path, bus: EventBus) -> None:
    store = DatasetStore(tmp_path / "host", bus)
    store.bind()
    with pytest.raises(AscentError) as missing:
        await store.fetch("0" * 64)
    assert missing.value.code == "not_found"
    # An object whose bytes do not hash to its name never reaches a run.
    assert bus.nc is not None
    objects = await bus.nc.jetstream().object_store(BUCKET)
    wrong = hashlib.sha256(b"the real content").hexdigest()
    await objects.put(wrong, b"something else")
    with pytest.raises(AscentError) as damaged:
        await store.fetch(wrong)
    assert damaged.value.code == "unavailable"
    assert not store.path(wrong).exists()
    assert not list((tmp_path / "host").glob(".fetch-*"))


async def test_without_a_bus_the_store_is_the_local_directory(tmp_path: Path) -> None:
    store = DatasetStore(tmp_path / "local")
    digest = store.put(b"a,b\n1,2\n")
    await store.publish(digest)
    assert await store.fetch(digest) == store.path(digest)
    with pytest.raises(AscentError):
        store.existing_path("1" * 64)


async def test_a_columnar_copy_travels_with_its_dataset(tmp_path: Path, bus: EventBus) -> None:
    frame = pd.DataFrame({"x": [1.5, None, 3.0], "city": ["a", None, "c"], "label": [0, 1, 0]})
    gateway = DatasetStore(tmp_path / "gateway-host", bus)
    execution = DatasetStore(tmp_path / "execution-host", bus)
    gateway.bind()
    execution.bind()
    digest = gateway.put(frame.to_csv(index=False).encode())
    columnar = columnar_copy(frame)
    assert columnar is not None
    gateway.put_columnar(digest, columnar)
    await gateway.publish(digest)
    plain = gateway.put(b"a,b\n1,2\n")
    await gateway.publish(plain)

    fetched = await execution.fetch_columnar(digest)
    assert fetched == execution.columnar_path(digest) and fetched.read_bytes() == columnar
    pd.testing.assert_frame_equal(pd.read_parquet(fetched), frame)
    # None without one (small datasets), asked of the object store once per host.
    assert await execution.fetch_columnar(plain) is None
    assert plain in execution._no_columnar
    assert await DatasetStore(tmp_path / "local").fetch_columnar(plain) is None
