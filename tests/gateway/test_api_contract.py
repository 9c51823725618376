"""The API contract: `/openapi.json` says what every `/api` operation answers, and the live
stack answers nothing else (schemathesis, on a bounded budget)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from fastapi import FastAPI

from gateway import contract
from gateway.app import create_app
from gateway.config import Settings
from services.supervisor.stack import Stack
from tests.gateway.conftest import SECRET, GatewayUnderTest, bearer
from tests.support.fullstack import STAFF_PASSWORD, running_stack

# The staff accounts the gateway creates from its staff file (password: STAFF_PASSWORD).
STAFF = {"instructor": "instructor", "admin": "admin"}
PASSWORD = STAFF_PASSWORD

# Schemathesis' budget: its deterministic phases (the schema's own examples, then the
# coverage phase's boundary values and one violation of each constraint) with 2 examples
# per operation, two workers and a fixed seed.
BUDGET = ["--phases", "examples,coverage", "--max-examples", "2", "--seed", "1", "--workers", "2"]
UNEXPECTED_METHODS = ["trace", "options"]
# Every check schemathesis has except `max_response_time`: timings belong in bench/, and on a
# loaded machine a 400 can take longer than its 10 s default.
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
]

# Operations where a request the schema allows may still be a 400, and why the schema
# cannot say it. A new entry needs a reason a JSON schema cannot express; otherwise state
# the rule on the request model (see gateway/README.md, "The API contract").
CHECKED_BEYOND_THE_SCHEMA = {
    ("POST", "/api/auth/register"): "the password must not be easy to guess (zxcvbn)",
    ("PATCH", "/api/me"): "display-name rules: scripts, marks, length after normalising",
    ("GET", "/api/analytics/dashboard"): "an instructor names a cohort; an admin may not",
    ("GET", "/api/analytics/dashboard/{table}.csv"): "as /api/analytics/dashboard",
    ("POST", "/api/authoring/challenges"): "the draft's fields are checked together",
    ("POST", "/api/authoring/challenges/{slug}/dataset"): "the file must be a usable CSV",
    ("POST", "/api/sessions/{session_id}/dataset"): "the file must be a usable CSV",
    ("POST", "/api/authoring/import"): "the file must be a challenge zip",
    ("POST", "/api/cohorts/{cohort_id}/assignments"): "the due date is parsed (ISO 8601)",
}
# What a schema-valid request may be answered with besides success: the caller's identity
# and rights, an id that names nothing, the state of things, the domain's refusal (422)
# and capacity.
VALID_REFUSALS = ["401", "403", "404", "409", "422", "429"]
# Operations that need a staff caller, with the account they run as.
STAFF_OPERATIONS = {
    "instructor": r"^/api/(authoring/|analytics/dashboard|cohorts$|cohorts/[^/]+/assignments"
    r"|leaderboards/)",
    "admin": r"^/api/analytics/platform",
}


def _app() -> FastAPI:
    return create_app(Settings(secret_key=SECRET))


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/"):
                yield method.upper(), path, operation


def _schema_of(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """A component as a standalone JSON schema (its `$ref`s resolved against the spec)."""
    return {**spec["components"]["schemas"][name], "components": spec["components"]}


def _body_schema(spec: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    content = spec["paths"][path][method.lower()]["requestBody"]["content"]
    ref: str = content["application/json"]["schema"]["$ref"]
    return _schema_of(spec, ref.rsplit("/", 1)[1])


# -- the schema itself ------------------------------------------------------------------------
def test_every_api_route_declares_its_response_and_errors() -> None:
    app = _app()
    spec = app.openapi()
    routes = list(contract.api_routes(app))
    assert len(routes) == sum(1 for _ in _operations(spec))
    for route in routes:
        for method in route.methods or ():
            label = f"{method} {route.path_format}"
            operation = spec["paths"][str(route.path_format)][method.lower()]
            responses = operation["responses"]
            success = [status for status in responses if status.startswith("2")]
            assert len(success) == 1, label
            content = responses[success[0]].get("content", {})
            # 204 No Content (a revoked token, say) is the one success without a body.
            assert content or success == ["204"], (
                f"{label}: the success response declares no content"
            )
            for media_type, body in content.items():
                # A JSON answer is a model (the `Data` envelope), never an untyped object.
                if media_type == "application/json":
                    assert body["schema"].get("$ref"), f"{label}: no response_model"
            errors = {int(status) for status in responses if not status.startswith("2")}
            assert errors == set(contract.route_errors(route, method)), label
            for status in errors:
                schema = responses[str(status)]["content"]["application/json"]["schema"]
                # The one error body, or a route's richer one with the same `error` envelope
                # (the 409 of a stale code save carries the stored code).
                if schema != {"$ref": "#/components/schemas/ErrorBody"}:
                    richer = _schema_of(spec, schema["$ref"].rsplit("/", 1)[1])
                    assert "error" in richer["properties"], label
            assert ("security" in operation) == contract.authenticated(route), label
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_errors_are_derived_from_the_route() -> None:
    spec = _app().openapi()
    documented = {(m, p): set(op["responses"]) for m, p, op in _operations(spec)}
    # Any input: 400. A path id: 404. An upload: 413. A caller: 401, and 403 (CSRF) when the
    # method changes state. A staff route: 403 on GET too.
    assert documented[("GET", "/api/me")] == {"200", "401", "503"}
    assert documented[("PATCH", "/api/me")] == {"200", "400", "401", "403", "409", "503"}
    assert {"400", "404", "413"} <= documented[("POST", "/api/sessions/{session_id}/dataset")]
    assert "403" in documented[("GET", "/api/authoring/challenges")]
    assert "401" not in documented[("POST", "/api/auth/register")]
    # The login throttle: 429 with Retry-After.
    assert documented[("POST", "/api/auth/token")] == {"200", "400", "401", "429", "503"}
    headers = spec["paths"]["/api/me"]["get"]["responses"]["401"]["headers"]
    assert headers["WWW-Authenticate"]["required"] is True


def test_sparse_views_have_their_fields_schema() -> None:
    schemas = _app().openapi()["components"]["schemas"]
    for name in ("CohortView", "CohortDetailView", "AssignmentView", "ImprovementView"):
        assert "properties" in schemas[name], name
    # Left out for a learner: documented, not required.
    assert "joinCode" in schemas["CohortView"]["properties"]
    assert "joinCode" not in schemas["CohortView"]["required"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/auth/register", {"username": "", "password": PASSWORD}),
        ("POST", "/api/auth/register", {"username": "a b", "password": PASSWORD}),
        ("POST", "/api/cohorts/join", {"code": ""}),
        ("POST", "/api/cohorts/join", {"code": " - "}),
        ("POST", "/api/runs", {"sessionId": "s", "code": ""}),
        ("POST", "/api/runs", {"sessionId": "s", "code": " \n\t"}),
        ("POST", "/api/challenges/{slug}/submissions", {"code": "  "}),
        ("POST", "/api/ai/proposals/{proposal_id}/feedback", {}),
        ("POST", "/api/ai/proposals/{proposal_id}/feedback", {"rating": None, "verdict": None}),
    ],
)
def test_the_schema_refuses_what_the_gateway_refuses(
    method: str, path: str, body: dict[str, Any]
) -> None:
    spec = _app().openapi()
    assert not jsonschema_rs.is_valid(_body_schema(spec, method, path), body), body


# -- what the gateway answers -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/auth/register", {"username": "", "password": PASSWORD}),
        ("POST", "/api/cohorts/join", {"code": ""}),
        ("POST", "/api/runs", {"sessionId": "s", "code": "   "}),
        ("POST", "/api/ai/proposals/p1/feedback", {}),
    ],
)
async def test_refusals_are_the_documented_400(
    gateway: GatewayUnderTest, method: str, path: str, body: dict[str, Any]
) -> None:
    headers = await bearer(gateway.client, "contract-learner")
    response = await gateway.client.request(method, path, json=body, headers=headers)
    assert response.status_code == 400, response.text
    spec = gateway.app.openapi()
    template = "/api/ai/proposals/{proposal_id}/feedback" if "proposals" in path else path
    documented = spec["paths"][template][method.lower()]["responses"]
    assert "400" in documented and "422" not in documented
    jsonschema_rs.validate(_schema_of(spec, "ErrorBody"), response.json())


async def test_feedback_without_rating_or_verdict_says_so(gateway: GatewayUnderTest) -> None:
    headers = await bearer(gateway.client, "contract-rater")
    response = await gateway.client.post("/api/ai/proposals/p1/feedback", json={}, headers=headers)
    message = "Invalid request: Give a rating (1-5), a verdict, or both."
    assert response.json()["error"]["message"] == message


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("TRACE", "/api/me", "GET, PATCH"),
        ("DELETE", "/api/sessions", "GET, POST"),
        ("TRACE", "/api/cohorts/join", "POST"),
        ("PUT", "/api/runs/some-session", "GET"),
        # The literal template wins over the one with a parameter that also matches.
        ("OPTIONS", "/api/apps/explorer/analyses/stream", "POST"),
    ],
)
async def test_an_unknown_method_is_405_with_allow(
    gateway: GatewayUnderTest, method: str, path: str, allowed: str
) -> None:
    response = await gateway.client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json()["error"]["code"] == "method_not_allowed"


# -- the live stack ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(tmp_path_factory.mktemp("contract-data"), staff=STAFF) as running:
        yield running


def _token(api: httpx.Client, username: str) -> str:
    api.post("/api/auth/register", json={"username": username, "password": PASSWORD})
    response = api.post("/api/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["token"])


def _toml(value: object) -> str:
    # TOML's basic strings and arrays of them are written as JSON writes them.
    return json.dumps(value)


def _config(tokens: dict[str, str]) -> str:
    lines = [
        # Undeclared methods tried on each path (schemathesis' default is all eight).
        "[phases.coverage]",
        f"unexpected-methods = {_toml(UNEXPECTED_METHODS)}",
        "[checks.positive_data_acceptance]",
        f"expected-statuses = {_toml(['2XX', *VALID_REFUSALS])}",
    ]
    for (method, path), _reason in CHECKED_BEYOND_THE_SCHEMA.items():
        lines += [
            "[[operations]]",
            f"include-path = {_toml(path)}",
            f"include-method = {_toml(method)}",
            "checks.positive_data_acceptance.expected-statuses = "
            f"{_toml(['2XX', '400', *VALID_REFUSALS])}",
        ]
    for account, pattern in STAFF_OPERATIONS.items():
        lines += [
            "[[operations]]",
            f"include-path-regex = {_toml(pattern)}",
            f"headers = {{ Authorization = {_toml('Bearer ' + tokens[account])} }}",
        ]
    return "\n".join(lines) + "\n"


# About a minute and a half on two idle cores; a loaded machine takes several times that.
@pytest.mark.timeout(900)
def test_the_live_api_keeps_its_schema(stack: Stack, tmp_path: Path) -> None:
    """Every check schemathesis has but timing (no 5xx, documented statuses, bodies and
    content types matching the schema, schema-valid requests accepted and invalid ones
    refused, 405 with Allow for undeclared methods, auth enforced) over every /api
    operation, as a learner and, on staff routes, as an instructor or admin."""
    with httpx.Client(base_url=stack.base_url, timeout=60) as api:
        tokens = {name: _token(api, name) for name in ("learner", "instructor", "admin")}
        # Staff routes are tested as staff, not only for their 403.
        for name, token in tokens.items():
            me = api.get("/api/me", headers={"Authorization": f"Bearer {token}"})
            assert me.json()["data"]["role"] == name, me.text
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(tokens))
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        f"{stack.base_url}/openapi.json",
        "--include-path-regex",
        "^/api/",
        "--checks",
        ",".join(CHECKS),
        "--header",
        f"Authorization: Bearer {tokens['learner']}",
        # Runs and Improve wait for the sandbox (the gateway's own limit is 120 s for Improve).
        "--request-timeout",
        "180",
        "--report",
        "junit",
        "--report-dir",
        str(tmp_path / "report"),
        *BUDGET,
    ]
    # In tmp_path: the CLI keeps a cache (.schemathesis/) in its working directory.
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=600, check=False, cwd=tmp_path
    )
    (tmp_path / "schemathesis.txt").write_text(done.stdout + done.stderr)
    report = done.stdout[-20000:] + done.stderr[-5000:]
    assert done.returncode == 0, report
    assert "Tested: " in done.stdout, report
