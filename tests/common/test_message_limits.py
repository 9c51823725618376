"""Issue 18 §3: gRPC message sizes are set on purpose, and a message over them is never
reported as "busy" (real grpc.aio server from services.common.rpc, real channels)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from gateway.clients import ResultTooLarge, map_error
from services.common.errors import AscentError
from services.common.rpc import (
    CHANNEL_OPTIONS,
    MAX_MESSAGE_BYTES,
    bind,
    create_server,
    is_message_too_large,
)

SERVICE = "test.Sizes"


async def sized(request: bytes, context: Any) -> bytes:
    if request == b"busy":
        raise AscentError("busy", "The pool is full.")
    return b"x" * int(request)


@pytest.fixture
async def address() -> AsyncIterator[str]:
    server = create_server()
    handler = grpc.unary_unary_rpc_method_handler(sized)
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(SERVICE, {"Sized": handler}),)
    )
    port = bind(server, "127.0.0.1", 0)
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


async def call(address: str, request: bytes, options: Any = ()) -> bytes:
    async with grpc.aio.insecure_channel(address, options=list(options)) as channel:
        reply: bytes = await channel.unary_unary(f"/{SERVICE}/Sized", None, None)(
            request, timeout=20
        )
    return reply


async def test_a_5_mb_answer_passes_between_our_servers_and_clients(address: str) -> None:
    # gRPC's default receive limit is 4 MiB: four noisy figures broke it (issue 18 §3).
    assert len(await call(address, str(5 << 20).encode(), CHANNEL_OPTIONS)) == 5 << 20


async def test_a_message_over_the_limit_is_too_large_not_busy(address: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as default_client:
        await call(address, str(5 << 20).encode())
    assert default_client.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert is_message_too_large(default_client.value)
    mapped = map_error(default_client.value, "leaderboard")
    assert isinstance(mapped, ResultTooLarge)
    assert mapped.code != "busy" and "busy" not in mapped.message
    assert mapped.http_status == 500

    with pytest.raises(grpc.aio.AioRpcError) as over_ours:
        await call(address, str(MAX_MESSAGE_BYTES + 1).encode(), CHANNEL_OPTIONS)
    assert is_message_too_large(over_ours.value), over_ours.value.details()
    assert map_error(over_ours.value, "execution").code != "busy"


async def test_a_server_that_is_busy_is_still_busy(address: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(address, b"busy", CHANNEL_OPTIONS)
    assert not is_message_too_large(caught.value)
    mapped = map_error(caught.value, "execution")
    assert mapped.code == "busy" and mapped.http_status == 429
