"""The API contract: what `/openapi.json` says every `/api` operation may answer.

FastAPI documents a route's success response (its `response_model`) and, on its own, a 422
validation error the gateway never sends (`gateway.errors` answers 400). Everything else a
route can answer is decided here, in one place, so a new route is documented without a hand
edit:

- derived from the route itself: 400 when it takes any input (validation), 404 when its path
  names something (`{id}`, `{slug}`), 413 when it takes an upload (the upload limit), 503
  for every operation (a service it needs is down);
- declared by the dependencies and endpoints that raise them, with `raises(...)` where they
  are defined: `deps.api_user` raises 401 (and 403 on methods that change state, the
  cookie's CSRF check), each `policy` dependency 403, and an endpoint whose flow answers
  409, 422 or 429 says so on itself.

Every error has the same body, `ErrorBody` (`{"error": {"code", "message"}}`); 401 carries
`WWW-Authenticate`, 405 `Allow`, 429 `Retry-After` when the wait is known. Operations that
need a caller declare the bearer token or the session cookie as their security.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.params import File
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, ConfigDict

F = TypeVar("F", bound=Callable[..., Any])

API_PREFIX = "/api/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
BEARER = "bearer"
SESSION = "session"

# status -> (the error code it carries, what it means for a client)
ERRORS: dict[int, tuple[str, str]] = {
    400: (
        "invalid_argument",
        "The request is invalid: it breaks the schema (a missing or unknown field, a wrong "
        "type, a bound) or names an input the gateway cannot use.",
    ),
    401: ("unauthenticated", "No valid bearer token or session cookie was sent."),
    403: (
        "forbidden",
        "The caller may not do this (role, ownership), or a cookie-authenticated request "
        "that changes state lacks its CSRF token.",
    ),
    404: ("not_found", "Nothing of that id or name exists for this caller."),
    409: ("conflict", "The change conflicts with the current state (taken, already done)."),
    413: ("too_large", "The upload is over the size limit."),
    422: (
        "unprocessable",
        "The request is well formed but cannot be carried out (a run that cannot be graded, "
        "a challenge that fails validation).",
    ),
    429: ("busy", "Too many requests, or the service is at capacity: retry later."),
    503: ("unavailable", "A service the gateway needs is unavailable: retry later."),
}

_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "Always `Bearer`.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before retrying, when known.",
            "schema": {"type": "integer", "minimum": 0},
        }
    },
}


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error the API answers (`gateway.errors`)."""

    model_config = ConfigDict(extra="forbid")
    error: ErrorDetail


# callable (dependency or endpoint) -> the error statuses it raises itself
_RAISES: dict[Callable[..., Any], frozenset[int]] = {}


def raises(*statuses: int) -> Callable[[F], F]:
    """Declare the error statuses a dependency or an endpoint answers by itself (beyond what
    is derived from the route: see the module docstring). Place it under the route
    decorator, or on the dependency's definition."""
    unknown = set(statuses) - set(ERRORS)
    if unknown:
        raise ValueError(f"undocumented error statuses {sorted(unknown)}; add them to ERRORS")

    def mark(func: F) -> F:
        _RAISES[func] = _RAISES.get(func, frozenset()) | frozenset(statuses)
        return func

    return mark


UNSAFE_DEPENDENCY_ERRORS: dict[Callable[..., Any], frozenset[int]] = {}


def raises_on_unsafe_methods(*statuses: int) -> Callable[[F], F]:
    """Like `raises`, for errors only raised on methods that change state (CSRF)."""

    def mark(func: F) -> F:
        UNSAFE_DEPENDENCY_ERRORS[func] = frozenset(statuses)
        return func

    return mark


_AUTHENTICATES: set[Callable[..., Any]] = set()


def authenticates(func: F) -> F:
    """Mark the dependency that identifies the caller: operations using it declare the
    bearer token or the session cookie as their security requirement."""
    _AUTHENTICATES.add(func)
    return func


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _has_upload(dependant: Dependant) -> bool:
    fields = [*dependant.body_params]
    for sub in dependant.dependencies:
        if _has_upload(sub):
            return True
    return any(isinstance(field.field_info, File) for field in fields)


def _has_input(dependant: Dependant) -> bool:
    if dependant.query_params or dependant.path_params or dependant.body_params:
        return True
    if dependant.header_params or dependant.cookie_params:
        return True
    return any(_has_input(sub) for sub in dependant.dependencies)


def routes(app: FastAPI) -> Iterator[RouteContext]:
    """Every route of the app as served (FastAPI nests included routers; their context
    carries the full path and the dependencies the include added)."""
    yield from iter_route_contexts(app.routes)


def api_routes(app: FastAPI) -> Iterator[RouteContext]:
    for route in routes(app):
        if isinstance(route.original_route, APIRoute) and str(route.path).startswith(API_PREFIX):
            yield route


def route_errors(route: RouteContext, method: str) -> list[int]:
    """The error statuses `method` on `route` may answer, derived and declared."""
    found: set[int] = {503}
    dependant: Dependant = route.dependant
    if _has_input(dependant):
        found.add(400)
    if dependant.path_params:
        found.add(404)
    if _has_upload(dependant):
        found.add(413)
    for call in _calls(dependant):
        found |= _RAISES.get(call, frozenset())
        if method not in SAFE_METHODS:
            found |= UNSAFE_DEPENDENCY_ERRORS.get(call, frozenset())
    return sorted(found)


def authenticated(route: RouteContext) -> bool:
    return any(call in _AUTHENTICATES for call in _calls(route.dependant))


def error_response(status: int) -> dict[str, Any]:
    code, meaning = ERRORS[status]
    response: dict[str, Any] = {
        "description": f"`{code}`: {meaning}",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response


def _error_schemas() -> dict[str, Any]:
    schema = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {**definitions, "ErrorBody": schema}


def _drop_validation_422(operation: dict[str, Any]) -> None:
    """FastAPI's own 422 (`HTTPValidationError`): the gateway answers validation with 400."""
    responses = operation.get("responses", {})
    refused = responses.get("422", {}).get("content", {}).get("application/json", {})
    if refused.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
        del responses["422"]


def document(app: FastAPI, session_cookie: str) -> None:
    """Make `app.openapi()` state every operation's errors and security (see the module
    docstring); call once every router is included."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas.update(_error_schemas())
        components["securitySchemes"] = {
            BEARER: {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from `POST /api/auth/token`.",
            },
            SESSION: {
                "type": "apiKey",
                "in": "cookie",
                "name": session_cookie,
                "description": "The browser's session cookie; requests that change state "
                "also send `X-CSRF-Token`.",
            },
        }
        for route in api_routes(app):
            operations = schema["paths"].get(str(route.path_format), {})
            for method in route.methods or ():
                operation = operations.get(method.lower())
                if operation is None:
                    continue
                _drop_validation_422(operation)
                responses = operation.setdefault("responses", {})
                for status in route_errors(route, method):
                    responses.setdefault(str(status), error_response(status))
                if authenticated(route):
                    operation["security"] = [{BEARER: []}, {SESSION: []}]
        if not any(
            "HTTPValidationError" in str(operation.get("responses", {}))
            for operations in schema["paths"].values()
            for operation in operations.values()
        ):
            schemas.pop("HTTPValidationError", None)
            schemas.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
