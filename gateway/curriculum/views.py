"""Views of the curriculum domain: tracks, challenges, submissions, boards, the profile,
progress and the next-challenge recommendation (the JSON of the API and the context of
the pages)."""

from __future__ import annotations

import re
from typing import Annotated

from ascent.leaderboard.v1 import leaderboard_service_pb2 as leaderboard_pb
from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.recommender.v1 import recommender_service_pb2 as recommender_pb
from ascent.types.v1 import run_pb2
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gateway.markdown import render_markdown
from gateway.notebook.views import RunView
from gateway.views import NOT_BLANK, Body, Code, View, checked, timestamp_iso
from services.common.curriculum import DAILY_SUBMISSIONS


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: Code


class BoardSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    hidden: bool = False
    revealPrivate: bool = False


# The leaderboard's FINAL_SUBMISSIONS (a learner selects at most that many as final).
MAX_FINAL_SUBMISSIONS = 2
RunId = Annotated[str, StringConstraints(min_length=1, max_length=100)]


class FinalSelection(BaseModel):
    """The submissions that count for the final standing: [] = back to the default (the 2
    best by public score)."""

    model_config = ConfigDict(extra="forbid")
    runIds: list[RunId] = Field(max_length=MAX_FINAL_SUBMISSIONS)


# -- tracks and challenges ------------------------------------------------------------------
class ChallengeSummaryView(View):
    """A challenge as a track lists it, with the caller's lock state and best score."""

    slug: str
    title: str
    summary: str
    metric: str
    passThreshold: float
    lowerIsBetter: bool
    position: int
    unlocked: bool
    lockedReason: str
    requires: list[str]
    passed: bool
    bestScore: float | None
    source: str
    version: int
    # Graded submissions a learner may make per 24 hours.
    dailySubmissions: int

    @classmethod
    def fields_of(cls, challenge: progress_pb.Challenge) -> dict[str, object]:
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
            "dailySubmissions": challenge.daily_submissions or DAILY_SUBMISSIONS,
        }

    @classmethod
    def of(cls, challenge: progress_pb.Challenge) -> ChallengeSummaryView:
        return cls.model_validate(cls.fields_of(challenge))


class TrackView(View):
    """A track with the caller's lock state and progress: the one track shape (the API,
    the tracks page and the old progress page)."""

    slug: str
    title: str
    level: str
    description: str
    position: int
    unlocked: bool
    unlockRule: str
    unlockProgress: str
    passedCount: int
    challengeCount: int
    percent: int
    challenges: list[ChallengeSummaryView]
    # A "deployed models that meet their bar" rule (issue 16): the learner's count, what it
    # needs, and the app where models are deployed ("" without such a rule).
    deployedMeetingBar: int = 0
    deployedNeeded: int = 0
    unlockApp: str = ""

    @classmethod
    def of(cls, track: progress_pb.Track) -> TrackView:
        total = len(track.challenges)
        return cls(
            slug=track.slug,
            title=track.title,
            level=track.level,
            description=track.description,
            position=track.position,
            unlocked=track.unlocked,
            unlockRule=track.unlock_rule,
            unlockProgress=track.unlock_progress,
            passedCount=track.passed_count,
            challengeCount=total,
            percent=round(100 * track.passed_count / total) if total else 0,
            challenges=[ChallengeSummaryView.of(c) for c in track.challenges],
            deployedMeetingBar=track.deployed_meeting_bar,
            deployedNeeded=track.deployed_needed,
            unlockApp=track.unlock_app,
        )


class TrackRefView(View):
    slug: str
    title: str


class ChallengeView(ChallengeSummaryView):
    """A challenge page's data: lesson, outcomes, hints, starter code (never the solution)."""

    track: TrackRefView
    lessonMarkdown: str
    lessonHtml: str
    outcomes: list[str]
    hints: list[str]
    starterCode: str
    taskType: str
    target: str
    baseline: float | None
    attempts: int
    files: list[str]

    @classmethod
    def of_detail(cls, detail: progress_pb.ChallengeDetail) -> ChallengeView:
        return cls.model_validate(
            {
                **ChallengeSummaryView.fields_of(detail.challenge),
                "track": TrackRefView(slug=detail.track_slug, title=detail.track_title),
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
        )


# -- runs on a challenge --------------------------------------------------------------------
_WARNING = re.compile(r"\b\w*(Warning|warning)\b")


def _meets_bar(score: float, bar: float, lower_is_better: bool) -> bool:
    return score <= bar if lower_is_better else score >= bar


def next_steps(run: run_pb2.Run, detail: progress_pb.ChallengeDetail | None) -> list[str]:
    """What a submission that did not pass should look at next, from its own run: its public
    score against the bar (passing is judged on all the hidden rows) and the starter's
    baseline, the warnings it printed. Never from the hidden labels beyond the public score
    the learner already sees."""
    grade = run.grade
    if grade.status != "graded" or grade.passed or not grade.HasField("public_score"):
        return []
    score, bar = grade.public_score, grade.pass_threshold
    lower = grade.lower_is_better
    if _meets_bar(score, bar, lower):
        # Passing is judged on all the hidden rows: the public part can clear the bar while
        # the whole test set does not (nothing more about the private part is said).
        steps = [
            f"Your public {grade.metric} is {score:.4f}, at the bar ({'≤' if lower else '≥'} "
            f"{bar:g}), but passing is judged on all the hidden rows and they fall short: "
            "a model that holds on new rows, not just the public ones, is what passes."
        ]
    else:
        steps = [
            f"Your public {grade.metric} is {score:.4f}; a pass needs {'≤' if lower else '≥'} "
            f"{bar:g}, {abs(bar - score):.4f} to go."
        ]
    baseline = detail.baseline if detail is not None and detail.HasField("baseline") else None
    target = detail.target if detail is not None else "the target"
    if baseline is not None and (score >= baseline if lower else score <= baseline):
        steps.append(
            f"That is no better than the starter code ({baseline:g}): check that the model is "
            f"fitted on /data/train.csv without the '{target}' column and that you predict "
            "every row of /data/test_features.csv in its order."
        )
    elif baseline is not None:
        steps.append(
            f"It beats the starter code ({baseline:g}), so the model learns something: the "
            "lesson and the next hint say what moves it further."
        )
    if grade.metric == "r2" and score <= 0:
        steps.append(
            "An R² at or below 0 predicts no better than the mean of the target: look at "
            "which features you use and how they are scaled or encoded."
        )
    warnings = [line.strip() for line in run.stderr.splitlines() if _WARNING.search(line)]
    if warnings:
        steps.append(f"Your run printed a warning worth reading: {warnings[0][:200]}")
    steps.append(
        "Measure a change with ▶ Run (practice) on a validation split of /data/train.csv "
        "first: practice runs do not use up your graded submissions."
    )
    return steps


class SubmissionView(View):
    """A graded submission as the learner sees it: the public score only (the private one
    decides the final standing, not the live feedback); "passed" or "not passed", and for
    the latter what to look at next (grounded in this run)."""

    runId: str
    sessionId: str
    challenge: str
    challengeVersion: int
    status: str
    metric: str
    publicScore: float | None
    passThreshold: float
    lowerIsBetter: bool
    passed: bool
    predictions: int
    expected: int
    stdout: str
    durationMs: int
    verdict: str  # "passed" | "not passed"
    nextSteps: list[str]
    # Graded submissions the learner has left on this challenge in the last 24 hours.
    submissionsLeft: int | None

    @classmethod
    def of(
        cls,
        run: run_pb2.Run,
        detail: progress_pb.ChallengeDetail | None = None,
        submissions_left: int | None = None,
    ) -> SubmissionView:
        grade = run.grade
        return cls(
            runId=run.id,
            sessionId=run.session_id,
            challenge=run.challenge_slug,
            challengeVersion=run.challenge_version,
            status=grade.status,
            metric=grade.metric,
            publicScore=grade.public_score if grade.HasField("public_score") else None,
            passThreshold=grade.pass_threshold,
            lowerIsBetter=grade.lower_is_better,
            passed=grade.passed,
            predictions=grade.predictions,
            expected=grade.expected,
            stdout=run.stdout[-5000:],
            durationMs=run.duration_ms,
            verdict="passed" if grade.passed else "not passed",
            nextSteps=next_steps(run, detail),
            submissionsLeft=submissions_left,
        )


class PracticeRunView(RunView):
    """A practice run: a notebook run on the challenge's files, never graded."""

    practice: bool
    challenge: str

    @classmethod
    def of_practice(cls, run: run_pb2.Run) -> PracticeRunView:
        return cls.model_validate(
            {
                **RunView.of(run).model_dump(),
                "practice": run.practice,
                "challenge": run.challenge_slug,
            }
        )


# -- boards ---------------------------------------------------------------------------------
class BoardEntryView(View):
    rank: int
    name: str
    isYou: bool
    publicScore: float
    privateScore: float | None
    privateRank: int | None
    submissions: int
    submittedAt: str | None
    # The learner chose their final submissions (false: their 2 best by public score).
    finalSelected: bool

    @classmethod
    def of(cls, entry: leaderboard_pb.ChallengeBoardEntry, name: str, you: bool) -> BoardEntryView:
        return cls(
            rank=entry.rank,
            name=name,
            isYou=you,
            publicScore=entry.public_score,
            privateScore=entry.private_score if entry.HasField("private_score") else None,
            privateRank=entry.private_rank or None,
            submissions=entry.submissions,
            submittedAt=timestamp_iso(entry.submitted_at),
            finalSelected=entry.final_selected,
        )


class FinalSubmissionView(View):
    runId: str
    publicScore: float
    # Only once the private standing is revealed (or for staff).
    privateScore: float | None
    submittedAt: str | None
    # Counts for the final standing; `selected`: the learner chose it.
    final: bool
    selected: bool


class FinalSubmissionsView(View):
    """The caller's graded submissions of a challenge (newest first), which count for the
    final standing, and the rule."""

    challenge: str
    metric: str
    lowerIsBetter: bool
    maxFinal: int
    # The learner chose; false: their `maxFinal` best by public score count.
    selected: bool
    # Selection is closed: the instructor revealed the private standing.
    locked: bool
    rule: str
    submissions: list[FinalSubmissionView]

    @classmethod
    def of(cls, slug: str, r: leaderboard_pb.FinalSubmissionsResponse) -> FinalSubmissionsView:
        rule = (
            f"Your final rank uses the best private score among the submissions you select "
            f"as final (up to {r.max_final}); select none and your {r.max_final} best by "
            f"public score count. You can change the selection until the instructor reveals "
            f"the private standing."
        )
        return cls(
            challenge=slug,
            metric=r.metric,
            lowerIsBetter=r.lower_is_better,
            maxFinal=r.max_final,
            selected=r.selected,
            locked=r.locked,
            rule=rule,
            submissions=[
                FinalSubmissionView(
                    runId=s.run_id,
                    publicScore=s.public_score,
                    privateScore=s.private_score if s.HasField("private_score") else None,
                    submittedAt=timestamp_iso(s.submitted_at),
                    final=s.final,
                    selected=s.selected,
                )
                for s in r.submissions
            ],
        )


class BoardView(View):
    """A challenge board: best graded submission per learner (private scores only for
    those who may see them, or once revealed)."""

    challenge: str
    title: str
    version: int
    metric: str
    lowerIsBetter: bool
    hidden: bool
    privateRevealed: bool
    entries: list[BoardEntryView]


class BoardSettingsView(View):
    challenge: str
    hidden: bool
    privateRevealed: bool


# -- the learner ----------------------------------------------------------------------------
class BadgeView(View):
    slug: str
    name: str
    description: str
    awardedAt: str | None

    @classmethod
    def of(cls, badge: progress_pb.Badge) -> BadgeView:
        return cls(
            slug=badge.slug,
            name=badge.name,
            description=badge.description,
            awardedAt=timestamp_iso(badge.awarded_at),
        )


class XpEntryView(View):
    amount: int
    reason: str
    at: str | None

    @classmethod
    def of(cls, entry: progress_pb.XpEntry) -> XpEntryView:
        return cls(amount=entry.amount, reason=entry.reason, at=timestamp_iso(entry.at))


class ResultView(View):
    challenge: str
    title: str
    metric: str
    bestScore: float
    attempts: int
    passed: bool
    passedAt: str | None


class ProgressView(View):
    """`/api/me/progress`: XP, level, run count, badges and XP history."""

    xp: int
    level: int
    runs: int
    badges: list[BadgeView]
    history: list[XpEntryView]

    @classmethod
    def of(cls, progress: progress_pb.GetProgressResponse) -> ProgressView:
        return cls(
            xp=progress.xp,
            level=progress.level,
            runs=progress.runs,
            badges=[BadgeView.of(b) for b in progress.badges],
            history=[XpEntryView.of(h) for h in progress.history],
        )


class ProfileView(View):
    """`/api/profile` and the profile page: the progress plus levels, streaks and results."""

    xp: int
    level: int
    levelFloorXp: int
    nextLevelXp: int
    runs: int
    streakDays: int
    bestStreakDays: int
    challengesPassed: int
    badges: list[BadgeView]
    results: list[ResultView]
    history: list[XpEntryView]

    @classmethod
    def of(cls, progress: progress_pb.GetProgressResponse) -> ProfileView:
        return cls(
            xp=progress.xp,
            level=progress.level,
            levelFloorXp=progress.level_floor_xp,
            nextLevelXp=progress.next_level_xp,
            runs=progress.runs,
            streakDays=progress.streak_days,
            bestStreakDays=progress.best_streak_days,
            challengesPassed=progress.challenges_passed,
            badges=[BadgeView.of(b) for b in progress.badges],
            results=[
                ResultView(
                    challenge=r.challenge_slug,
                    title=r.title,
                    metric=r.metric,
                    bestScore=r.best_score,
                    attempts=r.attempts,
                    passed=r.passed,
                    passedAt=timestamp_iso(r.passed_at) if r.passed else None,
                )
                for r in progress.results
            ],
            history=[XpEntryView.of(h) for h in progress.history],
        )


# -- next challenge -------------------------------------------------------------------------
class SuggestionView(View):
    slug: str
    title: str
    track: str
    trackTitle: str
    reason: str
    rationale: str
    skills: list[str]
    metric: str
    passThreshold: float
    bestScore: float | None
    attempts: int
    url: str


class WeakSpotView(View):
    skill: str
    label: str
    weakness: float
    evidence: str


class NextChallengeView(View):
    """Open challenges ranked for the learner, each with its rationale, and weak spots."""

    challenges: list[SuggestionView]
    weakSpots: list[WeakSpotView]
    gradedRuns: int
    note: str

    @classmethod
    def of(cls, response: recommender_pb.RecommendChallengeResponse) -> NextChallengeView:
        return cls(
            challenges=[
                SuggestionView(
                    slug=c.challenge_slug,
                    title=c.title,
                    track=c.track_slug,
                    trackTitle=c.track_title,
                    reason=c.reason,
                    rationale=c.rationale,
                    skills=list(c.skills),
                    metric=c.metric,
                    passThreshold=c.pass_threshold,
                    bestScore=c.best_score if c.HasField("best_score") else None,
                    attempts=c.attempts,
                    url=f"/challenges/{c.challenge_slug}",
                )
                for c in response.challenges
            ],
            weakSpots=[
                WeakSpotView(skill=w.skill, label=w.label, weakness=w.weakness, evidence=w.evidence)
                for w in response.weak_spots
            ],
            gradedRuns=response.graded_runs,
            note=response.note,
        )


# -- learning by teaching (issue 17) ----------------------------------------------------------
# The progress service checks these too (its error is the one a caller reads); here they make
# the OpenAPI schema say what is refused.
MAX_EXPLANATION_CHARS = 2000
MAX_SHARED_CODE_CHARS = 20_000


class ExplanationCreate(Body):
    """A learner's explanation of their approach (Markdown, raw HTML is shown as text) and,
    optionally, the code they share."""

    body: str = Field(
        json_schema_extra=checked(pattern=NOT_BLANK, max_length=MAX_EXPLANATION_CHARS)
    )
    code: str = Field(default="", json_schema_extra=checked(max_length=MAX_SHARED_CODE_CHARS))


class ModerationCreate(Body):
    """Instructors: mark validated (moves the one mark of the challenge) and/or hide."""

    validated: bool | None = None
    hidden: bool | None = None


class ExplanationView(View):
    id: str
    challenge: str
    author: str
    isYou: bool
    bodyMarkdown: str
    # The lessons' renderer: raw HTML escaped, unsafe link schemes refused.
    bodyHtml: str
    code: str
    votes: int
    voted: bool
    validated: bool
    hidden: bool
    createdAt: str | None
    updatedAt: str | None

    @classmethod
    def of(cls, e: progress_pb.Explanation, author: str, viewer_id: str) -> ExplanationView:
        return cls(
            id=e.id,
            challenge=e.challenge_slug,
            author=author,
            isYou=e.author_id == viewer_id,
            bodyMarkdown=e.body_md,
            bodyHtml=str(render_markdown(e.body_md)),
            code=e.code,
            votes=e.votes,
            voted=e.voted,
            validated=e.validated,
            hidden=e.hidden,
            createdAt=timestamp_iso(e.created_at),
            updatedAt=timestamp_iso(e.updated_at),
        )


class PitfallView(View):
    kind: str
    # Follows "Learners often ..." (Markdown inline: `code` only).
    text: str
    learners: int


class ExplanationsView(View):
    """A challenge's explanations for the caller: empty and `locked` until they pass (staff
    always read them), with the count that exists and the pitfalls learners hit."""

    challenge: str
    locked: bool
    total: int
    viewerPassed: bool
    mayModerate: bool
    explanations: list[ExplanationView]
    pitfalls: list[PitfallView]
