"""Curriculum API: tracks, challenges, graded submissions and practice runs, challenge
leaderboards, the profile and progress, and the next challenge to take."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway import contract
from gateway.context import GatewayDep
from gateway.curriculum import flows
from gateway.curriculum.views import (
    BoardSettings,
    BoardSettingsView,
    BoardView,
    ChallengeView,
    ExplanationCreate,
    ExplanationsView,
    ExplanationView,
    FinalSelection,
    FinalSubmissionsView,
    ModerationCreate,
    NextChallengeView,
    PracticeRunView,
    ProfileView,
    ProgressView,
    SubmissionCreate,
    SubmissionView,
    TrackView,
)
from gateway.deps import ApiUser
from gateway.policy import ApiBoardManager, ApiModerator
from gateway.views import Data

router = APIRouter(tags=["curriculum"])
progress_router = APIRouter(tags=["progress"])
recommendations = APIRouter(prefix="/recommendations", tags=["recommendations"])


@router.get("/tracks")
async def list_tracks(user: ApiUser, gw: GatewayDep) -> Data[list[TrackView]]:
    """Tracks with lock state, progress, what unlocks them and each challenge's state."""
    tracks = await flows.tracks(gw, user)
    return Data(data=[TrackView.of(t) for t in tracks])


@router.get("/challenges/{slug}")
async def get_challenge(slug: str, user: ApiUser, gw: GatewayDep) -> Data[ChallengeView]:
    """Lesson, outcomes, hints, starter code and lock state (never the solution)."""
    detail = await flows.challenge(gw, user, slug)
    return Data(data=ChallengeView.of_detail(detail))


@router.post("/challenges/{slug}/submissions", status_code=201)
@contract.raises(422, 429)
async def submit(
    slug: str, body: SubmissionCreate, user: ApiUser, gw: GatewayDep
) -> Data[SubmissionView]:
    """Runs the code on the challenge data and grades its predictions on hidden labels: the
    public score (a minority of the test rows) and whether it passed, with what to look at
    next when it did not. At most the challenge's `dailySubmissions` graded submissions per
    24 hours (429 with Retry-After beyond)."""
    run, detail, left = await flows.submit(gw, user, slug, body.code)
    return Data(data=SubmissionView.of(run, detail, left))


@router.get("/challenges/{slug}/final-submissions")
async def get_final_submissions(
    slug: str, user: ApiUser, gw: GatewayDep
) -> Data[FinalSubmissionsView]:
    """Your graded submissions of the challenge (newest first) and which count for the final
    standing: the ones you selected, else your 2 best by public score. The final rank uses
    the best private score among them only."""
    return Data(data=await flows.final_submissions(gw, user, slug))


@router.put("/challenges/{slug}/final-submissions")
@contract.raises(422)
async def set_final_submissions(
    slug: str, body: FinalSelection, user: ApiUser, gw: GatewayDep
) -> Data[FinalSubmissionsView]:
    """Select up to 2 of your own graded submissions of the challenge as final (`[]`: back
    to the default, your 2 best by public score). 404 for a run that is not one of them;
    422 once the instructor has revealed the private standing (selection is closed)."""
    return Data(data=await flows.final_submissions(gw, user, slug, body.runIds))


@router.post("/challenges/{slug}/practice", status_code=201)
@contract.raises(429)
async def practice(
    slug: str, body: SubmissionCreate, user: ApiUser, gw: GatewayDep
) -> Data[PracticeRunView]:
    """Runs the code on the challenge data WITHOUT grading (not a submission, not on the
    board): output, metrics and any error, like a notebook run."""
    run = await flows.practice(gw, user, slug, body.code)
    return Data(data=PracticeRunView.of_practice(run))


@router.get("/challenges/{slug}/explanations")
async def list_explanations(slug: str, user: ApiUser, gw: GatewayDep) -> Data[ExplanationsView]:
    """Learners' explanations of the challenge, validated first then most helpful — only for
    learners who passed it (and instructors); others get `locked`, the count and no text.
    Also the "learners often ..." pitfalls, seen for at least 3 distinct learners."""
    return Data(data=await flows.explanations(gw, user, slug))


@router.post("/challenges/{slug}/explanations", status_code=201)
@contract.raises(400, 403)
async def post_explanation(
    slug: str, body: ExplanationCreate, user: ApiUser, gw: GatewayDep
) -> Data[ExplanationView]:
    """After passing: explain the approach in a few sentences (Markdown, at most 2000
    characters; raw HTML is shown as text) and optionally share code. One per learner and
    challenge: posting again replaces it (and clears a validation)."""
    return Data(data=await flows.post_explanation(gw, user, slug, body.body, body.code))


@router.post("/explanations/{explanation_id}/votes")
@contract.raises(400)
async def vote_explanation(
    explanation_id: str, user: ApiUser, gw: GatewayDep
) -> Data[ExplanationView]:
    """Toggle "helpful" (one per learner: a second call takes it back). Only learners who
    passed the challenge; not on one's own explanation."""
    return Data(data=await flows.vote_explanation(gw, user, explanation_id))


@router.put("/explanations/{explanation_id}/moderation")
async def moderate_explanation(
    explanation_id: str, body: ModerationCreate, user: ApiModerator, gw: GatewayDep
) -> Data[ExplanationView]:
    """Instructors: mark validated (one per challenge) and/or hide (invisible to learners)."""
    result = await flows.moderate_explanation(gw, user, explanation_id, body.validated, body.hidden)
    return Data(data=result)


@router.get("/leaderboards/{slug}")
async def get_board(slug: str, user: ApiUser, gw: GatewayDep, version: int = 0) -> Data[BoardView]:
    """Best graded submission per learner (public score; private only when revealed).
    Authored challenges keep one board per version: `version` picks an earlier one."""
    return Data(data=await flows.board(gw, user, slug, version))


@router.put("/leaderboards/{slug}")
async def set_board(
    slug: str, body: BoardSettings, user: ApiBoardManager, gw: GatewayDep
) -> Data[BoardSettingsView]:
    """Instructors: hide a board or reveal its private standing."""
    result = await flows.set_board(gw, user, slug, body.hidden, body.revealPrivate)
    return Data(data=result)


@router.get("/profile")
async def profile(user: ApiUser, gw: GatewayDep) -> Data[ProfileView]:
    """XP, level, streaks, badges with dates, challenge results and XP history."""
    return Data(data=ProfileView.of(await flows.progress(gw, user)))


@progress_router.get("/me/progress")
async def my_progress(user: ApiUser, gw: GatewayDep) -> Data[ProgressView]:
    """XP, level, run count, badges and XP history."""
    return Data(data=ProgressView.of(await flows.progress(gw, user)))


@recommendations.get("/next-challenge")
async def next_challenge(
    user: ApiUser, gw: GatewayDep, limit: Annotated[int, Query(ge=1, le=5)] = 3
) -> Data[NextChallengeView]:
    """Open challenges ranked from the caller's graded runs (near misses, weak metrics, task
    types and tags, what a pass unlocked), each with a rationale; plus the weak spots."""
    return Data(data=await flows.next_challenge(gw, user, limit))


curriculum_router = router
router = APIRouter()
router.include_router(curriculum_router)
router.include_router(progress_router)
router.include_router(recommendations)
