"""One error type with a code, mapped once to an HTTP status and a gRPC status."""

from __future__ import annotations

import grpc

_STATUS: dict[str, tuple[int, grpc.StatusCode]] = {
    "invalid_argument": (400, grpc.StatusCode.INVALID_ARGUMENT),
    "unauthenticated": (401, grpc.StatusCode.UNAUTHENTICATED),
    "forbidden": (403, grpc.StatusCode.PERMISSION_DENIED),
    "not_found": (404, grpc.StatusCode.NOT_FOUND),
    "conflict": (409, grpc.StatusCode.ALREADY_EXISTS),
    "too_large": (413, grpc.StatusCode.INVALID_ARGUMENT),
    "unprocessable": (422, grpc.StatusCode.FAILED_PRECONDITION),
    "busy": (429, grpc.StatusCode.RESOURCE_EXHAUSTED),
    # A caller over a limit of their own (login throttle, quotas), not a busy service.
    "rate_limited": (429, grpc.StatusCode.RESOURCE_EXHAUSTED),
    "unavailable": (503, grpc.StatusCode.UNAVAILABLE),
    "internal": (500, grpc.StatusCode.INTERNAL),
}

# The first code per gRPC status wins: INVALID_ARGUMENT is "invalid_argument" (400), not
# "too_large" (413), which shares the gRPC status.
_BY_GRPC: dict[grpc.StatusCode, str] = {}
for _code, (_, _grpc_code) in _STATUS.items():
    _BY_GRPC.setdefault(_grpc_code, _code)


class AscentError(Exception):
    """An expected failure with a user-safe message."""

    def __init__(self, code: str, message: str) -> None:
        if code not in _STATUS:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def http_status(self) -> int:
        return _STATUS[self.code][0]

    @property
    def grpc_status(self) -> grpc.StatusCode:
        return _STATUS[self.code][1]


def from_grpc(err: grpc.aio.AioRpcError, service: str) -> AscentError:
    """Turn a failed RPC into an AscentError the gateway can render."""
    status = err.code()
    if status in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return AscentError("unavailable", f"The {service} service is unavailable; try again.")
    code = _BY_GRPC.get(status, "internal")
    if code == "internal":
        return AscentError("internal", f"The {service} service failed.")
    return AscentError(code, err.details() or code)
