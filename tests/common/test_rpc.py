"""services.common.rpc on a real grpc.aio server: the one error mapping (unary and streaming)
and no port sharing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from services.common.errors import AscentError
from services.common.rpc import INTERNAL_MESSAGE, AddressInUse, bind, create_server

SERVICE = "test.Errors"


async def unary(request: bytes, context: Any) -> bytes:
    if request == b"missing":
        raise AscentError("not_found", "No such thing.")
    if request == b"boom":
        raise ValueError("secret detail")
    return b"ok:" + request


async def stream(request: bytes, context: Any) -> AsyncIterator[bytes]:
    yield b"first"
    if request == b"busy":
        raise AscentError("busy", "The pool is full.")
    if request == b"boom":
        raise KeyError("secret detail")
    yield b"second"


async def explicit_abort(request: bytes, context: Any) -> bytes:
    await context.abort(grpc.StatusCode.PERMISSION_DENIED, "Not yours.")
    raise AssertionError("abort returned")


@pytest.fixture
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    server = create_server()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                SERVICE,
                {
                    "Unary": grpc.unary_unary_rpc_method_handler(unary),
                    "Stream": grpc.unary_stream_rpc_method_handler(stream),
                    "Abort": grpc.unary_unary_rpc_method_handler(explicit_abort),
                },
            ),
        )
    )
    port = bind(server, "127.0.0.1", 0)
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as ch:
            yield ch
    finally:
        await server.stop(None)


async def call_unary(channel: grpc.aio.Channel, request: bytes) -> bytes:
    response: bytes = await channel.unary_unary(f"/{SERVICE}/Unary", None, None)(request, timeout=5)
    return response


async def call_stream(
    channel: grpc.aio.Channel, request: bytes, received: list[bytes] | None = None
) -> list[bytes]:
    received = [] if received is None else received
    async for item in channel.unary_stream(f"/{SERVICE}/Stream", None, None)(request, timeout=5):
        received.append(item)
    return received


async def test_unary_ascent_error_becomes_its_status(channel: grpc.aio.Channel) -> None:
    assert await call_unary(channel, b"x") == b"ok:x"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call_unary(channel, b"missing")
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    assert caught.value.details() == "No such thing."


async def test_unary_unexpected_error_is_internal_and_generic(
    channel: grpc.aio.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call_unary(channel, b"boom")
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details() == INTERNAL_MESSAGE
    assert "secret detail" not in (caught.value.details() or "")
    logged = [r for r in caplog.records if r.name == "services.common.rpc"]
    assert logged, "the unexpected error is logged"
    assert logged[0].exc_info is not None
    assert logged[0].exc_info[0] is ValueError


async def test_streaming_ascent_error_after_items(channel: grpc.aio.Channel) -> None:
    assert await call_stream(channel, b"x") == [b"first", b"second"]
    received: list[bytes] = []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call_stream(channel, b"busy", received)
    assert received == [b"first"]
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert caught.value.details() == "The pool is full."


async def test_streaming_unexpected_error_is_internal(channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call_stream(channel, b"boom")
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details() == INTERNAL_MESSAGE


async def test_an_explicit_abort_passes_through(channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await channel.unary_unary(f"/{SERVICE}/Abort", None, None)(b"", timeout=5)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert caught.value.details() == "Not yours."


async def test_a_second_server_on_a_taken_port_fails_at_start() -> None:
    first = create_server()
    port = bind(first, "127.0.0.1", 0)
    await first.start()
    second = create_server()
    try:
        with pytest.raises(AddressInUse, match="address already in use"):
            bind(second, "127.0.0.1", port)
    finally:
        await second.stop(None)
        await first.stop(None)
