"""Security headers on every response: a Content-Security-Policy, framing refused,
`nosniff`, a same-origin referrer (notebook URLs carry session ids).

The policy allows only our own bundle (`/static/main.js`: htmx, CodeMirror, Chart.js and our
code) — no inline script, no eval — so HTML that slipped into a page cannot run. Style
elements need the response's nonce (CodeMirror writes its theme into one; the nonce is in
`<meta name="csp-nonce">` and given to `EditorView.cspNonce`); htmx's own indicator style
is turned off in `web/src/main.js` (`main.css` has it). The one relaxation is
`style-src-attr 'unsafe-inline'`: templates set computed CSS on elements (`style="--heat:
0.4"` on confusion-matrix cells, bar widths), which cannot run code. Figures are `data:`
PNGs. `/docs` and `/redoc` (FastAPI's API pages, which load Swagger/ReDoc from a CDN with
inline bootstrap code) get every header but the CSP's script rules.
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(nonce: str) -> str:
    """The policy of one response; `nonce` lets the page's own style elements in."""
    return CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'", 1
    )


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# The API documentation pages: never framed, otherwise as FastAPI serves them.
DOCS_POLICY = "frame-ancestors 'none'; object-src 'none'; base-uri 'none'"
_DOCS = ("/docs", "/redoc")

HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Pure ASGI (not BaseHTTPMiddleware): streamed responses (SSE, runs) pass untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        nonce = secrets.token_urlsafe(18)
        # Request.state reads scope["state"]; templates take the nonce from there.
        scope.setdefault("state", {})["csp_nonce"] = nonce
        policy = DOCS_POLICY if path.startswith(_DOCS) else content_security_policy(nonce)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in [*HEADERS, (b"content-security-policy", policy.encode())]:
                    if name not in present:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
