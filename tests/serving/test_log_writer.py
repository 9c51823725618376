"""The prediction log's writer (services/serving/main.py): a flush asked for while the loop's
batch is being written returns only once that batch is committed — feedback sent straight
after predict flushes and looks again, and must then find the rows (CI once saw a 422 for
predictions the loop had drained but not yet written)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.db import Database, utcnow
from services.serving.config import Settings
from services.serving.main import LogWriter
from services.serving.models import Prediction
from services.serving.service import LogEntry, PredictionLog

_T = TypeVar("_T")


class GatedDatabase(Database):
    """A real SQLite database whose writes wait until the test opens the gate."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.gate = threading.Event()
        self.writing = threading.Event()

    async def run(self, fn: Callable[[Session], _T]) -> _T:
        def gated(session: Session) -> _T:
            self.writing.set()
            assert self.gate.wait(10)
            return fn(session)

        return await super().run(gated)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[GatedDatabase]:
    database = GatedDatabase(f"sqlite:///{tmp_path / 'serving.db'}")
    database.migrate("serving", "services.serving.migrations")
    yield database
    database.engine.dispose()


def entry(request_id: str) -> LogEntry:
    return LogEntry("d" * 32, 1, utcnow(), "error", 1, 0.5, request_id=request_id)


def logged(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(Prediction)) or 0)


def test_a_flush_waits_for_the_batch_already_being_written(db: GatedDatabase) -> None:
    async def scenario() -> tuple[int, int, bool]:
        log = PredictionLog(100)
        writer = LogWriter(db, log, None, Settings())
        log.record(entry("a" * 32))
        first = asyncio.create_task(writer.flush())  # the loop's batch: drained, now writing
        await asyncio.to_thread(db.writing.wait, 10)
        second = asyncio.create_task(writer.flush())  # feedback's "write it now"
        await asyncio.sleep(0.2)
        waited = not second.done()  # nothing left to drain, but the rows are not committed
        db.gate.set()
        await first
        await second
        return logged(db), first.result() + second.result(), waited

    rows, written, waited = asyncio.run(scenario())
    assert waited, "the second flush returned before the first batch was committed"
    assert rows == 1 and written == 1
