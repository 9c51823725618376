"""Per-learner quotas: runs per minute, stored run output per day, uploads (count and bytes)
per day — each a sliding window over `gateway_quota_usage`, refused with 429 + Retry-After.

Why: one learner looping runs that print ~1 MB grew the leaderboard's run ledger by 3.5 MB/s
(issue 18). The ledger keeps every run, so the bound is on how fast a learner may add to it:
`quota_output_bytes_per_day` of serialized run (stdout, stderr, figures) per 24 hours, and
`quota_runs_per_minute` runs. A run is counted when it starts (so a burst of parallel runs
is bounded too) and its output bytes when it returns. Settings: `ASCENT_GATEWAY_QUOTA_*`.

Graded challenge submissions have their own limit per learner and challenge, set by the
challenge (`daily_submissions`, 10 by default; `gateway_challenge_submissions`): without it
the public score was a label oracle (issue 17: 101 submissions at 5.4/s recovered every
public label). A submission is counted when it starts and given back if it was not graded
(the code failed, or its predictions did not fit), because that revealed no score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import FastAPI, Request, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gateway.accounts.repository import aware
from gateway.config import Settings
from gateway.models import ChallengeSubmission, QuotaUsage
from services.common.db import utcnow
from services.common.errors import AscentError

RUN = "run"
OUTPUT = "output_bytes"
UPLOAD = "upload"
UPLOAD_BYTES = "upload_bytes"
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


class RateLimited(AscentError):
    """A 429 with the seconds after which the same request can succeed (`Retry-After`)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__("rate_limited", message)
        self.retry_after = max(1, math.ceil(retry_after))


def install(app: FastAPI) -> None:
    """The Retry-After header on every RateLimited answer (JSON, fragment or page alike)."""
    from gateway import errors  # the app's one error rendering; imported here: no cycle

    @app.exception_handler(RateLimited)
    async def _limited(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RateLimited)
        response = errors.error_response(request, 429, exc.code, exc.message)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response


@dataclass(frozen=True)
class Limit:
    kind: str
    limit: int
    window: timedelta
    message: str


class QuotaRepository:
    """Every query of `gateway_quota_usage`, over the caller's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def usage_since(self, user_id: str, kind: str, since: datetime) -> list[tuple[datetime, int]]:
        rows = self.session.execute(
            select(QuotaUsage.at, QuotaUsage.amount)
            .where(QuotaUsage.user_id == user_id, QuotaUsage.kind == kind, QuotaUsage.at > since)
            .order_by(QuotaUsage.at)
        )
        return [(aware(at), int(amount)) for at, amount in rows.all()]

    def add(self, user_id: str, kind: str, amount: int, at: datetime) -> None:
        self.session.add(QuotaUsage(user_id=user_id, kind=kind, amount=amount, at=at))
        self.session.flush()

    def prune(self, user_id: str, before: datetime) -> None:
        self.session.execute(
            delete(QuotaUsage).where(QuotaUsage.user_id == user_id, QuotaUsage.at <= before)
        )

    def submissions_since(self, user_id: str, slug: str, since: datetime) -> list[datetime]:
        rows = self.session.execute(
            select(ChallengeSubmission.at)
            .where(
                ChallengeSubmission.user_id == user_id,
                ChallengeSubmission.challenge_slug == slug,
                ChallengeSubmission.at > since,
            )
            .order_by(ChallengeSubmission.at)
        )
        return [aware(at) for at in rows.scalars().all()]

    def add_submission(self, user_id: str, slug: str, at: datetime) -> int:
        row = ChallengeSubmission(user_id=user_id, challenge_slug=slug, at=at)
        self.session.add(row)
        self.session.flush()
        return row.id

    def remove_submission(self, submission_id: int) -> None:
        self.session.execute(
            delete(ChallengeSubmission).where(ChallengeSubmission.id == submission_id)
        )

    def prune_submissions(self, user_id: str, before: datetime) -> None:
        self.session.execute(
            delete(ChallengeSubmission).where(
                ChallengeSubmission.user_id == user_id, ChallengeSubmission.at <= before
            )
        )


def wait_seconds(
    usage: list[tuple[datetime, int]], limit: int, window: timedelta, now: datetime, adding: int
) -> float | None:
    """None if `adding` more fits under `limit` in the window ending now; else the seconds
    until enough of `usage` (oldest first) has left the window for it to fit."""
    total = sum(amount for _, amount in usage)
    if total + adding <= limit:
        return None
    for at, amount in usage:
        total -= amount
        if total + adding <= limit:
            return max(1.0, (at + window - now).total_seconds())
    # `adding` alone is over the limit: it never fits (the caller's request is too big).
    return window.total_seconds()


def _check(session: Session, user_id: str, limit: Limit, now: datetime, adding: int) -> None:
    if limit.limit <= 0:
        return
    usage = QuotaRepository(session).usage_since(user_id, limit.kind, now - limit.window)
    wait = wait_seconds(usage, limit.limit, limit.window, now, adding)
    if wait is not None:
        raise RateLimited(f"{limit.message} Try again in {_human(wait)}.", wait)


def _human(seconds: float) -> str:
    if seconds < 90:
        return f"{math.ceil(seconds)} s"
    if seconds < 5400:
        return f"{math.ceil(seconds / 60)} min"
    return f"{math.ceil(seconds / 3600)} h"


def _mb(value: int) -> str:
    return f"{value / (1024 * 1024):.0f} MB"


def start_run(session: Session, settings: Settings, user_id: str) -> None:
    """Counts a run about to start, or refuses it (runs per minute, output per day)."""
    now = utcnow()
    _check(
        session,
        user_id,
        Limit(
            RUN,
            settings.quota_runs_per_minute,
            MINUTE,
            f"You started {settings.quota_runs_per_minute} runs in the last minute, the most "
            "allowed.",
        ),
        now,
        1,
    )
    _check(
        session,
        user_id,
        Limit(
            OUTPUT,
            settings.quota_output_bytes_per_day,
            DAY,
            f"Your runs stored {_mb(settings.quota_output_bytes_per_day)} of output in the last "
            "24 hours, the most allowed (print less, or fewer figures).",
        ),
        now,
        0,
    )
    repository = QuotaRepository(session)
    repository.prune(user_id, now - DAY)
    repository.add(user_id, RUN, 1, now)


def record_output(session: Session, user_id: str, stored_bytes: int) -> None:
    QuotaRepository(session).add(user_id, OUTPUT, stored_bytes, utcnow())


def upload(session: Session, settings: Settings, user_id: str, size: int) -> None:
    """Counts an upload of `size` bytes, or refuses it (uploads and bytes per day)."""
    now = utcnow()
    _check(
        session,
        user_id,
        Limit(
            UPLOAD,
            settings.quota_uploads_per_day,
            DAY,
            f"You uploaded {settings.quota_uploads_per_day} files in the last 24 hours, the "
            "most allowed.",
        ),
        now,
        1,
    )
    _check(
        session,
        user_id,
        Limit(
            UPLOAD_BYTES,
            settings.quota_upload_bytes_per_day,
            DAY,
            f"Uploads are limited to {_mb(settings.quota_upload_bytes_per_day)} per 24 hours.",
        ),
        now,
        size,
    )
    repository = QuotaRepository(session)
    repository.add(user_id, UPLOAD, 1, now)
    repository.add(user_id, UPLOAD_BYTES, size, now)


def start_submission(session: Session, user_id: str, slug: str, daily_limit: int) -> int:
    """Counts a graded submission about to start, or refuses it: at most `daily_limit` per
    learner and challenge in any 24 hours. Returns the count's id (see `refund_submission`)."""
    now = utcnow()
    repository = QuotaRepository(session)
    usage = [(at, 1) for at in repository.submissions_since(user_id, slug, now - DAY)]
    wait = wait_seconds(usage, daily_limit, DAY, now, 1)
    if wait is not None:
        raise RateLimited(
            f"You made {daily_limit} graded submissions to this challenge in the last 24 "
            f"hours, the most it allows. Your next one is possible in {_human(wait)}; "
            "practice runs (▶ Run) are not limited by this.",
            wait,
        )
    repository.prune_submissions(user_id, now - DAY)
    return repository.add_submission(user_id, slug, now)


def refund_submission(session: Session, submission_id: int) -> None:
    """A submission that got no score (its code failed or was not gradable) does not count."""
    QuotaRepository(session).remove_submission(submission_id)


def submissions_left(session: Session, user_id: str, slug: str, daily_limit: int) -> int:
    used = QuotaRepository(session).submissions_since(user_id, slug, utcnow() - DAY)
    return max(0, daily_limit - len(used))
