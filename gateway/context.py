"""What the gateway's routes share: settings, database, event relay, gRPC clients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, TypeVar

from argon2 import PasswordHasher
from fastapi import Depends, Request
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.orm import Session

from gateway.cards import CardCache
from gateway.clients import Clients
from gateway.config import Settings
from gateway.live import LiveHub
from gateway.outputs import OutputStore
from services.common.config import CommonSettings
from services.common.datasets import DatasetStore
from services.common.db import Database
from services.common.events import EventBus
from services.common.outbox import OutboxRelay

T = TypeVar("T")


@dataclass
class Gateway:
    settings: Settings
    common: CommonSettings
    db: Database
    bus: EventBus
    relay: OutboxRelay
    clients: Clients
    datasets: DatasetStore
    signer: URLSafeTimedSerializer
    hasher: PasswordHasher
    # Pushes NATS facts to open notebook pages; None until the app's lifespan starts it.
    live: LiveHub | None = None
    # Runs in flight per (owner, notebook), so Stop cancels only the learner's own run.
    active_runs: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    @cached_property
    def outputs(self) -> OutputStore:
        """The whole stdout of long runs (gateway/outputs.py)."""
        return OutputStore(
            self.common.data_dir / "outputs",
            self.settings.full_output_min_bytes,
            self.settings.full_output_store_bytes,
        )

    @cached_property
    def cards(self) -> CardCache:
        """Dataset cards computed once per dataset (gateway/cards.py)."""
        return CardCache(self.common.data_dir / "cards")

    async def work(self, fn: Callable[[Session], T]) -> T:
        """One unit of work off the event loop (database access is synchronous)."""
        return await self.db.run(fn)


def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
