"""The gateway application: JSON API, HTML pages, static assets, lifespan wiring."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from argon2 import PasswordHasher
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from itsdangerous import URLSafeTimedSerializer

from gateway import contract, errors, health, quotas, security
from gateway.accounts import api as _accounts_api
from gateway.accounts import flows as accounts_flows
from gateway.accounts import pages as _accounts_pages
from gateway.analytics import api as _analytics_api
from gateway.analytics import pages as _analytics_pages
from gateway.apps import api as _apps_api
from gateway.apps import pages as _apps_pages
from gateway.authoring import api as _authoring_api
from gateway.authoring import pages as _authoring_pages
from gateway.clients import Clients
from gateway.cohorts import api as _cohorts_api
from gateway.cohorts import pages as _cohorts_pages
from gateway.config import Settings
from gateway.context import Gateway
from gateway.curriculum import api as _curriculum_api
from gateway.curriculum import pages as _curriculum_pages
from gateway.live import LiveHub
from gateway.notebook import api as _notebook_api
from gateway.notebook import pages as _notebook_pages
from gateway.rendering import is_htmx
from gateway.serving import api as _serving_api
from gateway.serving import pages as _serving_pages
from services.common.config import CommonSettings
from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.events import EventBus
from services.common.outbox import OutboxRelay

log = logging.getLogger(__name__)

PRODUCER = "gateway"
# Multipart framing around the file; larger bodies are refused before they are parsed.
_UPLOAD_OVERHEAD = 64 * 1024
# Where an HTMX page shows an upload refused before its route runs: a slot beside the form,
# so the error never replaces the form (the notebook's dropzone stays usable).
_UPLOAD_ERROR_SLOTS = ((re.compile(r"^/notebook/[^/]+/dataset$"), "#upload-alert"),)


def api_router() -> APIRouter:
    """Every JSON route under `/api` (`{"data": ...}` envelopes; errors by `gateway.errors`)."""
    router = APIRouter(prefix="/api")
    for domain in API_ROUTERS:
        router.include_router(domain)
    return router


# In OpenAPI order; each domain's routes in its own order (a fixed path such as
# `/author/import` is declared before the `/author/{slug}` it would otherwise match).
API_ROUTERS = [
    _accounts_api.router,
    _notebook_api.router,
    _curriculum_api.router,
    _cohorts_api.router,
    _analytics_api.router,
    _authoring_api.router,
    _apps_api.router,
    _serving_api.router,
]
PAGE_ROUTERS = [
    _accounts_pages.router,
    _notebook_pages.router,
    _curriculum_pages.router,
    _cohorts_pages.router,
    _analytics_pages.router,
    _authoring_pages.router,
    # Before the apps' pages: /apps/deploy is the Deployment Assistant's, not /apps/{slug}.
    _serving_pages.router,
    _apps_pages.router,
]


# The brand mark as the tab icon: browsers ask for /favicon.ico on every page, and a 404
# there is a console error on each (base.html links it as SVG; every browser we target
# renders an SVG icon).
FAVICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<path d="M8 1 15 15H1z" fill="#06b6d4"/></svg>'
)


async def favicon() -> Response:
    return Response(
        FAVICON_SVG,
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def create_app(settings: Settings | None = None, common: CommonSettings | None = None) -> FastAPI:
    settings = settings or Settings()
    common = common or CommonSettings()
    # Resolved now so a placeholder or unreadable secret stops the process before it serves.
    secret = settings.resolved_secret_key(common)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.resolved_database_url(common))
        await asyncio.to_thread(db.migrate, "gateway", "gateway.migrations")
        bus = EventBus(
            common.nats_url, producer=PRODUCER, stream=common.stream, replicas=common.nats_replicas
        )
        relay = OutboxRelay(db, bus, producer=PRODUCER)
        clients = Clients(common, settings)
        app.state.gateway = Gateway(
            settings=settings,
            common=common,
            db=db,
            bus=bus,
            relay=relay,
            clients=clients,
            # Uploads are published to the NATS object store every host reads from.
            datasets=DatasetStore(common.datasets_dir, bus, replicas=common.nats_replicas),
            signer=URLSafeTimedSerializer(secret, salt="ascent.gateway.session"),
            hasher=PasswordHasher(),
            live=LiveHub(bus),
        )
        # Before serving: the staff accounts of ASCENT_GATEWAY_STAFF_FILE exist with their roles.
        await accounts_flows.provision_staff(app.state.gateway)
        app.state.gateway.datasets.bind()
        await bus.start()
        relay.start()
        app.state.gateway.live.start()
        log.info("gateway ready", extra={"host": settings.host, "port": settings.port})
        try:
            yield
        finally:
            await app.state.gateway.live.close()
            await clients.close()
            await relay.close()
            await bus.close()
            db.dispose()
            log.info("gateway stopped")

    app = FastAPI(
        title="Ascent gateway",
        version="0.1.0",
        description="The JSON API of Ascent. Authenticate with `Authorization: Bearer <token>` "
        "from `POST /api/auth/token`.",
        lifespan=lifespan,
    )
    errors.install(app)
    quotas.install(app)
    security.install(app)

    @app.middleware("http")
    async def upload_limit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        if request.method == "POST" and (path.endswith("/dataset") or path.endswith("/import")):
            length = request.headers.get("content-length", "")
            if length.isdigit() and int(length) > settings.max_upload_bytes + _UPLOAD_OVERHEAD:
                megabytes = settings.max_upload_bytes / (1024 * 1024)
                refused = errors.error_response(
                    request,
                    413,
                    "too_large",
                    f"The file is larger than {megabytes:.0f} MB; upload less data.",
                )
                if is_htmx(request):
                    for pattern, slot in _UPLOAD_ERROR_SLOTS:
                        if pattern.match(path):
                            refused.headers["HX-Retarget"] = slot
                            refused.headers["HX-Reswap"] = "innerHTML"
                return refused
        return await call_next(request)

    app.include_router(api_router())
    app.include_router(health.router)
    app.add_api_route("/favicon.ico", favicon, methods=["GET"], include_in_schema=False)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    contract.document(app, settings.cookie_name)
    if settings.static_dir.is_dir():
        app.mount("/static", StaticFiles(directory=settings.static_dir), name="static")
    else:
        log.warning(
            "static assets missing; run `npm install && npm run build` in web/",
            extra={"static_dir": str(settings.static_dir)},
        )
    return app
