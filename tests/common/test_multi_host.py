"""Issue 19: the client side of several hosts. A channel to an address list spreads calls
over every host with round robin and keeps answering when one host goes away; the event bus
takes a list of NATS servers and connects through whichever answers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from services.common.events import EventBus
from services.common.rpc import bind, channel_options, create_server
from tests.support.nats_server import NatsServer
from tests.support.polling import wait_until

SERVICE = "test.Hosts"


async def host(name: str) -> tuple[grpc.aio.Server, int]:
    async def whoami(request: bytes, context: Any) -> bytes:
        return name.encode()

    server = create_server()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE, {"WhoAmI": grpc.unary_unary_rpc_method_handler(whoami)}
            ),
        )
    )
    port = bind(server, "127.0.0.1", 0)
    await server.start()
    return server, port


@pytest.fixture
async def two_hosts() -> AsyncIterator[tuple[list[grpc.aio.Server], str]]:
    started = [await host("a"), await host("b")]
    addr = "ipv4:" + ",".join(f"127.0.0.1:{port}" for _, port in started)
    yield [server for server, _ in started], addr
    for server, _ in started:
        await server.stop(None)


async def test_calls_reach_every_host_and_survive_one_going_away(
    two_hosts: tuple[list[grpc.aio.Server], str],
) -> None:
    servers, addr = two_hosts
    assert ("grpc.lb_policy_name", "round_robin") in channel_options(addr)
    assert ("grpc.lb_policy_name", "round_robin") not in channel_options("127.0.0.1:1")
    async with grpc.aio.insecure_channel(addr, options=channel_options(addr)) as channel:
        call = channel.unary_unary(f"/{SERVICE}/WhoAmI", None, None)

        async def names(count: int) -> list[bytes]:
            return [await call(b"", timeout=5) for _ in range(count)]

        await channel.channel_ready()

        # Round robin once both subchannels are connected: every host gets calls.
        async def both() -> bool:
            return set(await names(8)) == {b"a", b"b"}

        await wait_until(both, timeout=10)
        await servers[1].stop(None)

        async def only_a() -> bool:
            try:
                return set(await names(8)) == {b"a"}
            except grpc.aio.AioRpcError:
                return False  # a call that was on its way to the stopped host

        await wait_until(only_a, timeout=10)


async def test_the_bus_connects_through_whichever_server_of_the_list_answers(
    nats_server: NatsServer,
) -> None:
    bus = EventBus(f"nats://127.0.0.1:1, {nats_server.url}", producer="test")
    assert bus.servers == ["nats://127.0.0.1:1", nats_server.url]
    await bus.start()
    try:
        await asyncio.wait_for(bus.connected.wait(), 20)
    finally:
        await bus.close()
