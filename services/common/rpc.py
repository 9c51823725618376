"""Every gRPC server of Ascent is made here: one error mapping for every servicer, and no
port sharing.

- `ErrorMapping` (a server interceptor, unary and streaming alike): an `AscentError` becomes
  its gRPC status with its user-safe message; anything else is logged with its traceback and
  becomes INTERNAL with a generic message, so no servicer repeats a try/except.
- Message sizes are set deliberately, on every server (`create_server`) and every client
  channel (`CHANNEL_OPTIONS`): `MAX_MESSAGE_BYTES` (32 MiB) each way instead of gRPC's
  defaults (4 MiB received, unlimited sent), so the limit is the same on both ends and
  stated once. What is sent is bounded well below it by construction: a run's figures
  (execution, `MAX_FIGURES_TOTAL_BYTES` 12 MiB) and a ListRuns page (leaderboard,
  `LIST_BUDGET_BYTES` 2 MiB). A message over it fails with RESOURCE_EXHAUSTED and a text
  `is_message_too_large` recognises, which callers must not report as "busy".
- `create_server` turns `grpc.so_reuseport` off. With it on (gRPC's default on Linux), a
  second server on a taken port starts fine and the kernel splits the connections between
  the two: services of a stopped stack that outlived their supervisor kept answering the next
  stack's calls. Off, `bind` fails with `AddressInUse` instead.
"""

from __future__ import annotations

import errno
import inspect
import logging
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import grpc

from services.common.errors import AscentError

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 32 << 20
MESSAGE_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
)
# Keepalive (issue 19): a peer host that is cut off (a partition, a dead machine) sends no
# FIN, so without pings a call to it hangs until its deadline and an idle connection looks
# healthy forever. Clients ping every 10 s, calls or not, and give up after 5 s without an
# answer: round robin then skips the host until it answers again. Servers accept those pings
# (gRPC's default would answer pings more often than every 5 minutes with GOAWAY).
KEEPALIVE_MS = 10_000
CLIENT_KEEPALIVE: tuple[tuple[str, int], ...] = (
    ("grpc.keepalive_time_ms", KEEPALIVE_MS),
    ("grpc.keepalive_timeout_ms", 5_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
)
SERVER_KEEPALIVE: tuple[tuple[str, int], ...] = (
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.min_ping_interval_without_data_ms", KEEPALIVE_MS // 2),
    ("grpc.http2.max_ping_strikes", 0),
)
SERVER_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.so_reuseport", 0),
    *MESSAGE_OPTIONS,
    *SERVER_KEEPALIVE,
)
# Every client channel: the message limits above, and a restarted peer found again within a
# second instead of gRPC's default backoff (up to two minutes).
CHANNEL_OPTIONS: tuple[tuple[str, int], ...] = (
    *MESSAGE_OPTIONS,
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 1000),
    *CLIENT_KEEPALIVE,
)
# An address list (`ipv4:10.0.0.2:50051,10.0.0.3:50051`: several execution hosts) is spread
# over with round robin; gRPC's default, pick_first, would send every call to the first host
# that answers. A host that goes down leaves the rotation until it answers again.
ROUND_ROBIN = ("grpc.lb_policy_name", "round_robin")
ChannelOptions = list[tuple[str, int | str]]


def channel_options(addr: str) -> ChannelOptions:
    """The options of a client channel to `addr` (see CHANNEL_OPTIONS, ROUND_ROBIN)."""
    options: ChannelOptions = list(CHANNEL_OPTIONS)
    # A list, or a DNS name asked for all its addresses (`dns:///execution:50051`: compose's
    # and Kubernetes' headless services answer with one address per replica).
    if "," in addr or addr.startswith("dns:"):
        options.append(ROUND_ROBIN)
    return options


# gRPC's own texts for a message over the limit ("Received message larger than max (N vs.
# M)", "Sent message larger than max", "…exceeds max…"), whichever side noticed.
_TOO_LARGE = re.compile(r"message (larger than|exceeds) max", re.IGNORECASE)
INTERNAL_MESSAGE = "Internal error."
# A service that cannot bind its port exits with EADDRINUSE, so the supervisor can tell a
# port conflict (pick another port, try again) from a crash.
EXIT_ADDRESS_IN_USE = errno.EADDRINUSE

Context = grpc.aio.ServicerContext[Any, Any]
if TYPE_CHECKING:
    Interceptor = grpc.aio.ServerInterceptor[Any, Any]
else:  # generic in grpc-stubs only
    Interceptor = grpc.aio.ServerInterceptor


def is_message_too_large(err: grpc.aio.AioRpcError) -> bool:
    """RESOURCE_EXHAUSTED because a message broke the size limit, not because a server was
    busy (a full queue is RESOURCE_EXHAUSTED too, with the server's own message)."""
    return err.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and bool(
        _TOO_LARGE.search(err.details() or "")
    )


class AddressInUse(RuntimeError):
    """The gRPC port is taken by another process."""


async def _map(err: Exception, context: Context, method: str) -> None:
    """Aborts the call with the status `err` maps to (abort raises)."""
    if isinstance(err, AscentError):
        await context.abort(err.grpc_status, err.message)
    log.error("unexpected error in %s", method, exc_info=err)
    await context.abort(grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)


def _wrap(behavior: Callable[..., Any], method: str) -> Callable[..., Any]:
    if inspect.isasyncgenfunction(behavior):

        async def stream(request: Any, context: Context) -> AsyncIterator[Any]:
            try:
                async for item in behavior(request, context):
                    yield item
            except grpc.aio.AbortError:
                raise
            except Exception as err:
                await _map(err, context, method)

        return stream

    async def call(request: Any, context: Context) -> Any:
        # Unary methods, and streaming ones written with `context.write` (the health Watch).
        try:
            return await behavior(request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as err:
            await _map(err, context, method)

    return call


class ErrorMapping(Interceptor):
    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]
        ],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(handler_call_details)
        if handler is None:
            return handler  # unknown method: gRPC answers UNIMPLEMENTED
        method = handler_call_details.method
        kwargs: dict[str, Any] = {
            "request_deserializer": handler.request_deserializer,
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(_wrap(handler.unary_unary, method), **kwargs)
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                _wrap(handler.unary_stream, method), **kwargs
            )
        if handler.stream_unary is not None:
            return grpc.stream_unary_rpc_method_handler(
                _wrap(handler.stream_unary, method), **kwargs
            )
        if handler.stream_stream is not None:
            return grpc.stream_stream_rpc_method_handler(
                _wrap(handler.stream_stream, method), **kwargs
            )
        return handler


def create_server(
    interceptors: Sequence[Interceptor] = (),
) -> grpc.aio.Server:
    return grpc.aio.server(
        interceptors=[ErrorMapping(), *interceptors], options=list(SERVER_OPTIONS)
    )


def _port_taken(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def bind(server: grpc.aio.Server, host: str, port: int) -> int:
    """Listens on host:port (0: any free port); returns the bound port."""
    address = f"{host}:{port}"
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError as exc:
        if port and _port_taken(host, port):
            raise AddressInUse(f"gRPC port {address}: address already in use") from exc
        raise
    if bound == 0:  # older grpcio reported a failed bind as port 0 instead of raising
        if port and _port_taken(host, port):
            raise AddressInUse(f"gRPC port {address}: address already in use")
        raise RuntimeError(f"gRPC port {address}: bind failed")
    return bound
