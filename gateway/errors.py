"""Exception handlers: JSON envelopes for the API, an error fragment or page for browsers.

No stack trace ever reaches a client; unexpected exceptions are logged and answered with a
generic 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from gateway import contract
from gateway.deps import LoginRequired
from gateway.rendering import is_htmx, render
from services.common.errors import AscentError

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "invalid_argument",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "busy",
    503: "unavailable",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/healthz", "/docs", "/openapi")) or path == "/api":
        return True
    accept = request.headers.get("accept", "")
    return "text/html" not in accept and not is_htmx(request)


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The one error body (`gateway.contract.ErrorBody`) or, for pages, the error block."""
    extra = dict(headers or {})
    if status == 401:
        extra["WWW-Authenticate"] = "Bearer"
    if wants_json(request):
        return JSONResponse(
            {"error": {"code": code, "message": message}}, status_code=status, headers=extra
        )
    context = {"status": status, "code": code, "message": message}
    response = render(request, "error.html", context, block="error", status_code=status)
    response.headers.update(extra)
    return response


def allowed_methods(request: Request) -> list[str]:
    """The methods of the resource at this path: every route of the path template that
    Starlette matched first (its own 405 names only that route's methods, so `GET /api/me`
    would hide `PATCH /api/me`)."""
    served = list(contract.routes(request.app))
    # PARTIAL: the path matches, the method does not. Of the templates that match, the most
    # literal one is the resource (`/analyses/stream` rather than `/analyses/{analysis_id}`).
    templates = {
        str(route.path_format) for route in served if route.matches(request.scope)[0] != Match.NONE
    }
    if not templates:
        return []
    template = min(templates, key=lambda path: (path.count("{"), path))
    methods = (set(r.methods or ()) for r in served if r.path_format == template)
    return sorted(set().union(*methods))


def _validation_message(errors: list[Any]) -> tuple[str, str]:
    for error in errors:
        if error.get("type") == "json_invalid":
            return "invalid_argument", "The request body is not valid JSON."
    parts = []
    for error in errors[:5]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        message = str(error.get("msg", "invalid"))
        if error.get("type") == "value_error" and "error" in error.get("ctx", {}):
            # A model's own check (`raise ValueError(...)`): its words, without pydantic's.
            message = str(error["ctx"]["error"])
        if error.get("type") == "extra_forbidden":
            message = "unknown field"
        parts.append(f"{location}: {message}" if location else message)
    text = "; ".join(parts)
    return "invalid_argument", "Invalid request: " + text + ("" if text.endswith(".") else ".")


# A service at capacity (the sandbox's workers and queue full) cannot say when a slot frees;
# runs last seconds, so clients are told to come back after this many (issue 19: overload is a
# 429 with Retry-After, never a hang or a 500).
BUSY_RETRY_AFTER_SECONDS = 5


def install(app: FastAPI) -> None:
    @app.exception_handler(AscentError)
    async def _ascent(request: Request, exc: AscentError) -> Response:
        if exc.code == "internal":
            log.error("internal error", extra={"path": request.url.path, "error": exc.message})
        headers = {"Retry-After": str(BUSY_RETRY_AFTER_SECONDS)} if exc.code == "busy" else None
        return error_response(request, exc.http_status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        code, message = _validation_message(list(exc.errors()))
        return error_response(request, 400, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "Not found."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # RFC 9110: a 405 lists what the resource does answer.
            allowed = allowed_methods(request)
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed here; use {', '.join(allowed)}."
        return error_response(request, exc.status_code, code, message, headers)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if is_htmx(request):
            # HTMX follows this header with a full navigation instead of swapping a fragment.
            return Response(status_code=200, headers={"HX-Redirect": "/login"})
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(UnicodeEncodeError)
    async def _unicode(request: Request, exc: UnicodeEncodeError) -> Response:
        # Text that is not valid Unicode (a lone surrogate from a JSON escape) reached a
        # database, protobuf or reply that refuses it: the request's fault, not ours.
        log.warning("request text is not valid unicode", extra={"path": request.url.path})
        message = "The request holds text that is not valid Unicode (a lone surrogate)."
        return error_response(request, 400, "invalid_argument", message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", extra={"path": request.url.path})
        return error_response(request, 500, "internal", "Something went wrong on our side.")
