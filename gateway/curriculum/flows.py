"""Curriculum in the gateway: tracks, challenges, graded submissions and challenge boards,
shared by the JSON API (`gateway.curriculum.api`) and the pages (`gateway.curriculum.pages`).

What a learner can never get from here: the reference solution and hidden labels (the
progress service does not hold the first, nobody but the execution service holds the
second), private scores before an instructor reveals them, and anyone's code.
"""

from __future__ import annotations

import re
import uuid

from ascent.events.v1 import gateway_pb2
from ascent.leaderboard.v1 import leaderboard_service_pb2 as leaderboard_pb
from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.types.v1 import run_pb2
from sqlalchemy.orm import Session

from gateway import quotas
from gateway.accounts.repository import AccountsRepository
from gateway.accounts.views import UserInfo
from gateway.clients import OnOutput
from gateway.context import Gateway
from gateway.curriculum.views import (
    BoardEntryView,
    BoardSettingsView,
    BoardView,
    ExplanationsView,
    ExplanationView,
    FinalSubmissionsView,
    NextChallengeView,
    PitfallView,
)
from gateway.models import ChallengeSession, NotebookSession
from gateway.notebook import flows as notebook_flows
from gateway.notebook.repository import NotebookRepository
from gateway.policy import Action, may, require
from services.common import events
from services.common.curriculum import DAILY_SUBMISSIONS
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.outbox import enqueue

MAX_SUGGESTIONS = 5
PRODUCER = "gateway"

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def check_slug(slug: str) -> str:
    if not _SLUG.match(slug):
        raise AscentError("not_found", "Challenge not found.")
    return slug


# -- flows --------------------------------------------------------------------------------------
async def tracks(gw: Gateway, user: UserInfo) -> list[progress_pb.Track]:
    return await gw.clients.list_tracks(user.id)


async def challenge(gw: Gateway, user: UserInfo, slug: str) -> progress_pb.ChallengeDetail:
    return await gw.clients.get_challenge(check_slug(slug), user.id)


def _challenge_session(
    session: Session, user: UserInfo, detail: progress_pb.ChallengeDetail
) -> NotebookSession:
    slug = detail.challenge.slug
    link = NotebookRepository(session).get_challenge_link(user.id, slug)
    if link is not None:
        notebook = NotebookRepository(session).get_notebook(link.session_id)
        if notebook is not None and notebook.owner_id == user.id:
            return notebook
        hints = link.hints_shown or 0
        NotebookRepository(session).delete_challenge_link(link)
    else:
        hints = 0
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
    # A lost notebook gets a new one; the hints the learner revealed stay revealed.
    link = ChallengeSession(
        user_id=user.id, challenge_slug=slug, session_id=notebook.id, hints_shown=hints
    )
    return NotebookRepository(session).add_challenge_session(notebook, link)


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
    notebook_flows.check_code(code, gw)
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
    return await notebook_flows.run_code(
        gw,
        user,
        notebook.id,
        code,
        "Practice",
        challenge_slug=detail.challenge.slug,
        practice=True,
        on_item=on_item,
    )


def daily_submissions(detail: progress_pb.ChallengeDetail) -> int:
    return detail.challenge.daily_submissions or DAILY_SUBMISSIONS


async def submissions_left(gw: Gateway, user: UserInfo, detail: progress_pb.ChallengeDetail) -> int:
    slug, limit = detail.challenge.slug, daily_submissions(detail)
    return await gw.work(lambda s: quotas.submissions_left(s, user.id, slug, limit))


async def submit(
    gw: Gateway, user: UserInfo, slug: str, code: str
) -> tuple[run_pb2.Run, progress_pb.ChallengeDetail, int]:
    """Runs and grades a submission; returns the run, the challenge and the submissions left
    today. Locked challenge, over the daily limit (429 with Retry-After), failing code or
    ungradable predictions are clear 4xx errors; such runs never reach the challenge board or
    count as a pass, and only graded ones use up the day's submissions."""
    detail, notebook = await open_challenge(gw, user, slug, code, "submit")
    limit = daily_submissions(detail)
    counted = await gw.work(
        lambda s: quotas.start_submission(s, user.id, detail.challenge.slug, limit)
    )
    try:
        run = await notebook_flows.run_code(
            gw, user, notebook.id, code, "Submission", challenge_slug=detail.challenge.slug
        )
    except BaseException:
        await gw.work(lambda s: quotas.refund_submission(s, counted))
        raise
    if run.has_error or run.grade.status != "graded":
        await gw.work(lambda s: quotas.refund_submission(s, counted))
    if run.has_error:
        error = run.error
        message = f"{error.type}: {error.message}" if error.type else error.message
        raise AscentError("unprocessable", f"Your code failed, so it was not graded. {message}")
    if run.grade.status != "graded":
        raise AscentError(
            "unprocessable", run.grade.message or "The submission could not be graded."
        )
    return run, detail, await submissions_left(gw, user, detail)


def _hints_shown(session: Session, user: UserInfo, slug: str) -> int:
    link = NotebookRepository(session).get_challenge_link(user.id, slug)
    return link.hints_shown if link is not None else 0


async def hints_shown(gw: Gateway, user: UserInfo, detail: progress_pb.ChallengeDetail) -> int:
    """How many hints the learner revealed on this challenge (kept server side)."""
    count = await gw.work(lambda s: _hints_shown(s, user, detail.challenge.slug))
    return max(0, min(count, len(detail.hints)))


async def reveal_hints(
    gw: Gateway, user: UserInfo, detail: progress_pb.ChallengeDetail, count: int
) -> int:
    """Reveal hints up to `count` (never hides one again); returns how many are shown."""
    count = max(0, min(count, len(detail.hints)))

    def store(session: Session) -> int:
        _challenge_session(session, user, detail)
        link = NotebookRepository(session).get_challenge_link(user.id, detail.challenge.slug)
        assert link is not None
        before = link.hints_shown or 0
        if count > before:
            link.hints_shown = count
            # In the same transaction (outbox): analytics' hint use per challenge.
            enqueue(
                session,
                PRODUCER,
                events.HINT_REVEALED,
                gateway_pb2.HintRevealed(
                    learner_id=user.id,
                    challenge_slug=detail.challenge.slug,
                    hints_shown=count,
                    hints_total=len(detail.hints),
                ),
            )
        return max(before, count)

    return await gw.work(store)


async def board(gw: Gateway, user: UserInfo, slug: str, version: int = 0) -> BoardView:
    """The board of the challenge's current version, or of an earlier authored `version`."""
    detail = await challenge(gw, user, slug)
    include_private = may(user, Action.VIEW_PRIVATE_SCORES)
    if version < 0 or version > max(detail.challenge.version, 0):
        raise AscentError("not_found", "That version of the challenge has no board.")
    version = version or detail.challenge.version
    response: leaderboard_pb.GetChallengeBoardResponse = await gw.clients.challenge_board(
        detail.challenge.slug, include_private=include_private, version=version
    )
    entries = list(response.entries)
    if response.hidden and not may(user, Action.MANAGE_BOARDS):
        # A hidden board shows a learner only their own line.
        entries = [e for e in entries if e.learner_id == user.id]
    # Display names when chosen: a learner who picked one never shows their username here.
    learner_ids = [e.learner_id for e in entries]
    names = await gw.work(lambda s: AccountsRepository(s).public_names(learner_ids))
    return BoardView(
        challenge=detail.challenge.slug,
        title=detail.challenge.title,
        version=version,
        metric=detail.challenge.metric,
        lowerIsBetter=detail.challenge.lower_is_better,
        hidden=response.hidden,
        privateRevealed=response.private_revealed,
        entries=[
            BoardEntryView.of(
                e, names.get(e.learner_id, "unknown learner"), e.learner_id == user.id
            )
            for e in entries
        ],
    )


async def final_submissions(
    gw: Gateway, user: UserInfo, slug: str, run_ids: list[str] | None = None
) -> FinalSubmissionsView:
    """The caller's graded submissions of the challenge's current board and which count for
    the final standing; with `run_ids`, selects those as final first (own graded submissions
    of this challenge, at most 2; [] = the default rule; closed once revealed: 422)."""
    detail = await challenge(gw, user, slug)
    slug, version = detail.challenge.slug, detail.challenge.version
    include_private = may(user, Action.VIEW_PRIVATE_SCORES)
    if run_ids is None:
        response = await gw.clients.final_submissions(slug, version, user.id, include_private)
    else:
        response = await gw.clients.set_final_submissions(
            slug, version, user.id, run_ids, include_private
        )
    return FinalSubmissionsView.of(slug, response)


async def set_board(
    gw: Gateway, user: UserInfo, slug: str, hidden: bool, reveal_private: bool
) -> BoardSettingsView:
    require(user, Action.MANAGE_BOARDS)
    detail = await challenge(gw, user, slug)
    result = await gw.clients.set_challenge_board(
        detail.challenge.slug, hidden, reveal_private, detail.challenge.version
    )
    return BoardSettingsView(
        challenge=result.challenge_slug,
        hidden=result.hidden,
        privateRevealed=result.private_revealed,
    )


async def progress(gw: Gateway, user: UserInfo) -> progress_pb.GetProgressResponse:
    return await gw.clients.get_progress(user.id)


async def next_challenge(gw: Gateway, user: UserInfo, limit: int = 3) -> NextChallengeView:
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    return NextChallengeView.of(await gw.clients.recommend_challenge(user.id, limit))


# -- learning by teaching (issue 17) ----------------------------------------------------------
async def explanations(gw: Gateway, user: UserInfo, slug: str) -> ExplanationsView:
    """The challenge's explanations as progress lets this user read them (it holds the passes
    and refuses the text to a learner who has not passed), with authors' public names."""
    staff = may(user, Action.MODERATE_EXPLANATIONS)
    response = await gw.clients.list_explanations(check_slug(slug), user.id, staff)
    authors = list({e.author_id for e in response.explanations})
    names = await gw.work(lambda s: AccountsRepository(s).public_names(authors))
    return ExplanationsView(
        challenge=slug,
        locked=response.locked,
        total=response.total,
        viewerPassed=response.viewer_passed,
        mayModerate=staff,
        explanations=[
            ExplanationView.of(e, names.get(e.author_id, "unknown learner"), user.id)
            for e in response.explanations
        ],
        pitfalls=[
            PitfallView(kind=p.kind, text=p.detail, learners=p.learners) for p in response.pitfalls
        ],
    )


async def post_explanation(
    gw: Gateway, user: UserInfo, slug: str, body: str, code: str
) -> ExplanationView:
    explanation = await gw.clients.post_explanation(check_slug(slug), user.id, body, code)
    names = await gw.work(lambda s: AccountsRepository(s).public_names([user.id]))
    return ExplanationView.of(explanation, names.get(user.id, "you"), user.id)


async def vote_explanation(gw: Gateway, user: UserInfo, explanation_id: str) -> ExplanationView:
    explanation = await gw.clients.vote_explanation(check_id(explanation_id), user.id)
    names = await gw.work(lambda s: AccountsRepository(s).public_names([explanation.author_id]))
    return ExplanationView.of(
        explanation, names.get(explanation.author_id, "unknown learner"), user.id
    )


async def moderate_explanation(
    gw: Gateway, user: UserInfo, explanation_id: str, validated: bool | None, hidden: bool | None
) -> ExplanationView:
    require(user, Action.MODERATE_EXPLANATIONS)
    explanation = await gw.clients.moderate_explanation(
        check_id(explanation_id), user.id, validated, hidden
    )
    names = await gw.work(lambda s: AccountsRepository(s).public_names([explanation.author_id]))
    return ExplanationView.of(
        explanation, names.get(explanation.author_id, "unknown learner"), user.id
    )


def check_id(explanation_id: str) -> str:
    try:
        return str(uuid.UUID(explanation_id))
    except ValueError:
        raise AscentError("not_found", "Explanation not found.") from None
