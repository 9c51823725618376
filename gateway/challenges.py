"""Curriculum in the gateway: tracks, challenges, graded submissions and challenge boards,
shared by the JSON API (`gateway.api.challenges`) and the pages (`gateway.pages_curriculum`).

What a learner can never get from here: the reference solution and hidden labels (the
progress service does not hold the first, nobody but the execution service holds the
second), private scores before an instructor reveals them, and anyone's code.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from ascent.leaderboard.v1 import leaderboard_service_pb2 as leaderboard_pb
from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.types.v1 import run_pb2
from sqlalchemy.orm import Session

from gateway import flows, repository
from gateway.auth import UserInfo
from gateway.clients import OnOutput
from gateway.context import Gateway
from gateway.markdown import render_markdown
from gateway.models import ChallengeSession, NotebookSession
from gateway.schemas import timestamp_iso
from services.common.db import utcnow
from services.common.errors import AscentError

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise AscentError("not_found", "Challenge not found.")
    return slug


def is_instructor(user: UserInfo) -> bool:
    """Staff (instructors and admins) see private scores and can hide or reveal a board."""
    return user.is_staff


# -- JSON shapes --------------------------------------------------------------------------------
def challenge_summary_json(challenge: progress_pb.Challenge) -> dict[str, Any]:
    return {
        "slug": challenge.slug,
        "title": challenge.title,
        "summary": challenge.summary,
        "metric": challenge.metric,
        "passThreshold": challenge.pass_threshold,
        "lowerIsBetter": challenge.lower_is_better,
        "position": challenge.position,
        "unlocked": challenge.unlocked,
        "lockedReason": challenge.locked_reason,
        "requires": list(challenge.requires),
        "passed": challenge.passed,
        "bestScore": challenge.best_score if challenge.HasField("best_score") else None,
        "source": challenge.source or "curriculum",
        "version": challenge.version,
    }


def track_json(track: progress_pb.Track) -> dict[str, Any]:
    total = len(track.challenges)
    return {
        "slug": track.slug,
        "title": track.title,
        "level": track.level,
        "description": track.description,
        "position": track.position,
        "unlocked": track.unlocked,
        "unlockRule": track.unlock_rule,
        "unlockProgress": track.unlock_progress,
        "passedCount": track.passed_count,
        "challengeCount": total,
        "percent": round(100 * track.passed_count / total) if total else 0,
        "challenges": [challenge_summary_json(c) for c in track.challenges],
    }


def challenge_json(detail: progress_pb.ChallengeDetail) -> dict[str, Any]:
    return {
        **challenge_summary_json(detail.challenge),
        "track": {"slug": detail.track_slug, "title": detail.track_title},
        "lessonMarkdown": detail.lesson_md,
        "lessonHtml": str(render_markdown(detail.lesson_md)),
        "outcomes": list(detail.outcomes),
        "hints": list(detail.hints),
        "starterCode": detail.starter_code,
        "taskType": detail.task_type,
        "target": detail.target,
        "baseline": detail.baseline if detail.HasField("baseline") else None,
        "attempts": detail.attempts,
        "files": ["/data/train.csv", "/data/test_features.csv"],
    }


def submission_json(run: run_pb2.Run) -> dict[str, Any]:
    grade = run.grade
    # The private score stays out: it decides the final standing, not the live feedback.
    return {
        "runId": run.id,
        "sessionId": run.session_id,
        "challenge": run.challenge_slug,
        "challengeVersion": run.challenge_version,
        "status": grade.status,
        "metric": grade.metric,
        "publicScore": grade.public_score if grade.HasField("public_score") else None,
        "passThreshold": grade.pass_threshold,
        "passed": grade.passed,
        "predictions": grade.predictions,
        "expected": grade.expected,
        "stdout": run.stdout[-5000:],
        "durationMs": run.duration_ms,
    }


# -- flows --------------------------------------------------------------------------------------
async def tracks(gw: Gateway, user: UserInfo) -> list[progress_pb.Track]:
    return await gw.clients.list_tracks(user.id)


async def challenge(gw: Gateway, user: UserInfo, slug: str) -> progress_pb.ChallengeDetail:
    return await gw.clients.get_challenge(check_slug(slug), user.id)


def _challenge_session(
    session: Session, user: UserInfo, detail: progress_pb.ChallengeDetail
) -> NotebookSession:
    slug = detail.challenge.slug
    link = session.get(ChallengeSession, (user.id, slug))
    if link is not None:
        notebook = session.get(NotebookSession, link.session_id)
        if notebook is not None and notebook.owner_id == user.id:
            return notebook
        session.delete(link)
        session.flush()
    now = utcnow()
    notebook = NotebookSession(
        id=str(uuid.uuid4()),
        owner_id=user.id,
        name=f"Challenge: {detail.challenge.title}"[:200],
        code=detail.starter_code,
        run_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(notebook)
    session.add(ChallengeSession(user_id=user.id, challenge_slug=slug, session_id=notebook.id))
    session.flush()
    return notebook


async def challenge_session(
    gw: Gateway, user: UserInfo, detail: progress_pb.ChallengeDetail
) -> NotebookSession:
    return await gw.work(lambda s: _challenge_session(s, user, detail))


async def open_challenge(
    gw: Gateway, user: UserInfo, slug: str, code: str, verb: str
) -> tuple[progress_pb.ChallengeDetail, NotebookSession]:
    """The unlocked challenge and the learner's session for it, or a clear 4xx."""
    detail = await challenge(gw, user, slug)
    if not detail.challenge.unlocked:
        reason = detail.challenge.locked_reason or "It is still locked."
        raise AscentError("forbidden", f"This challenge is locked. {reason}")
    if not code.strip():
        raise AscentError("invalid_argument", f"There is no code to {verb}.")
    flows.check_code(code, gw)
    return detail, await challenge_session(gw, user, detail)


async def practice(
    gw: Gateway,
    user: UserInfo,
    slug: str,
    code: str,
    on_item: OnOutput | None = None,
    opened: tuple[progress_pb.ChallengeDetail, NotebookSession] | None = None,
) -> run_pb2.Run:
    """Runs code on the challenge's files without grading: not a submission, never on the
    challenge board, no attempt or pass (an ordinary run otherwise: it may earn run XP).
    Failing code is a normal result here, shown with its traceback. `opened` is the result
    of `open_challenge` when the caller already checked the challenge."""
    detail, notebook = opened or await open_challenge(gw, user, slug, code, "run")
    return await flows.run_code(
        gw,
        user,
        notebook.id,
        code,
        "Practice",
        challenge_slug=detail.challenge.slug,
        practice=True,
        on_item=on_item,
    )


async def submit(gw: Gateway, user: UserInfo, slug: str, code: str) -> run_pb2.Run:
    """Runs and grades a submission. Locked challenge, failing code or ungradable predictions
    are clear 4xx errors; such runs never reach the challenge board or count as a pass."""
    detail, notebook = await open_challenge(gw, user, slug, code, "submit")
    run = await flows.run_code(
        gw, user, notebook.id, code, "Submission", challenge_slug=detail.challenge.slug
    )
    if run.has_error:
        error = run.error
        message = f"{error.type}: {error.message}" if error.type else error.message
        raise AscentError("unprocessable", f"Your code failed, so it was not graded. {message}")
    if run.grade.status != "graded":
        raise AscentError(
            "unprocessable", run.grade.message or "The submission could not be graded."
        )
    return run


async def board(gw: Gateway, user: UserInfo, slug: str, version: int = 0) -> dict[str, Any]:
    """The board of the challenge's current version, or of an earlier authored `version`."""
    detail = await challenge(gw, user, slug)
    instructor = is_instructor(user)
    if version < 0 or version > max(detail.challenge.version, 0):
        raise AscentError("not_found", "That version of the challenge has no board.")
    version = version or detail.challenge.version
    response: leaderboard_pb.GetChallengeBoardResponse = await gw.clients.challenge_board(
        detail.challenge.slug, include_private=instructor, version=version
    )
    entries = list(response.entries)
    if response.hidden and not instructor:
        # A hidden board shows a learner only their own line.
        entries = [e for e in entries if e.learner_id == user.id]
    # Display names when chosen: a learner who picked one never shows their username here.
    names = await gw.work(lambda s: repository.public_names(s, [e.learner_id for e in entries]))
    return {
        "challenge": detail.challenge.slug,
        "title": detail.challenge.title,
        "version": version,
        "metric": detail.challenge.metric,
        "lowerIsBetter": detail.challenge.lower_is_better,
        "hidden": response.hidden,
        "privateRevealed": response.private_revealed,
        "entries": [
            {
                "rank": e.rank,
                "name": names.get(e.learner_id, "unknown learner"),
                "isYou": e.learner_id == user.id,
                "publicScore": e.public_score,
                "privateScore": e.private_score if e.HasField("private_score") else None,
                "privateRank": e.private_rank or None,
                "submissions": e.submissions,
                "submittedAt": timestamp_iso(e.submitted_at),
            }
            for e in entries
        ],
    }


async def set_board(
    gw: Gateway, user: UserInfo, slug: str, hidden: bool, reveal_private: bool
) -> dict[str, Any]:
    if not is_instructor(user):
        raise AscentError("forbidden", "Only instructors can change a challenge board.")
    detail = await challenge(gw, user, slug)
    result = await gw.clients.set_challenge_board(
        detail.challenge.slug, hidden, reveal_private, detail.challenge.version
    )
    return {
        "challenge": result.challenge_slug,
        "hidden": result.hidden,
        "privateRevealed": result.private_revealed,
    }


def profile_json(progress: progress_pb.GetProgressResponse) -> dict[str, Any]:
    return {
        "xp": progress.xp,
        "level": progress.level,
        "levelFloorXp": progress.level_floor_xp,
        "nextLevelXp": progress.next_level_xp,
        "runs": progress.runs,
        "streakDays": progress.streak_days,
        "bestStreakDays": progress.best_streak_days,
        "challengesPassed": progress.challenges_passed,
        "badges": [
            {
                "slug": b.slug,
                "name": b.name,
                "description": b.description,
                "awardedAt": timestamp_iso(b.awarded_at),
            }
            for b in progress.badges
        ],
        "results": [
            {
                "challenge": r.challenge_slug,
                "title": r.title,
                "metric": r.metric,
                "bestScore": r.best_score,
                "attempts": r.attempts,
                "passed": r.passed,
                "passedAt": timestamp_iso(r.passed_at) if r.passed else None,
            }
            for r in progress.results
        ],
        "history": [
            {"amount": h.amount, "reason": h.reason, "at": timestamp_iso(h.at)}
            for h in progress.history
        ],
    }
