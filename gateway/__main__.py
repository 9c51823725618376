"""`python -m gateway`: serve the gateway on ASCENT_HOST:ASCENT_PORT until SIGTERM/SIGINT."""

from __future__ import annotations

import uvicorn

from gateway.app import create_app
from gateway.config import Settings
from services.common.config import CommonSettings
from services.common.logging import configure_logging


def main() -> None:
    settings = Settings()
    common = CommonSettings()
    configure_logging("gateway", common.log_level)
    app = create_app(settings, common)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        # In-flight requests (a run can take a while) get this long to finish on SIGTERM.
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )
    # uvicorn installs the SIGTERM/SIGINT handlers: stop accepting, finish requests, lifespan
    # shutdown (drains NATS, flushes the outbox).
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
