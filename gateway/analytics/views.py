"""Views of the analytics domain: the instructor dashboard and the admin platform view
(the JSON the dashboards' scripts draw, and what the CSV tables are cut from)."""

from __future__ import annotations

from typing import Any

from gateway.views import View


class CohortRefView(View):
    id: str
    name: str


class ActivityView(View):
    day: str
    activeLearners: int
    runs: int


class ChallengeStatsView(View):
    challenge: str
    title: str
    runs: int
    graded: int
    passing: int
    passRate: float | None
    learners: int
    learnersPassed: int
    medianSecondsToPass: float | None
    medianAttemptsToPass: float | None


class FunnelStepView(View):
    track: str
    trackTitle: str
    challenge: str
    title: str
    attempted: int
    passed: int


class ErrorCountView(View):
    type: str
    count: int


class CoachStatsView(View):
    proposals: int
    withVerdict: int
    accepted: int
    acceptanceRate: float | None
    rated: int
    averageRating: float | None
    adviceHelpful: int
    adviceUnhelpful: int
    improvedRuns: int
    scoredPairs: int
    averageScoreGain: float | None
    hits: int
    hitRate: float | None


class RatingCountView(View):
    rating: int
    count: int


class AppUsageView(View):
    app: str
    started: int
    completed: int
    failed: int
    cancelled: int
    applied: int
    dismissed: int
    learners: int


class SelfImprovementView(View):
    """The platform's own learning (issue 20 §4; definitions in services/analytics/service.py)."""

    predictionsScored: int
    predictionMae: float | None
    predictionsWithin005: float | None
    proposals: int
    explorationRate: float | None
    proposalAcceptanceRate: float | None
    appSuggestionAcceptanceRate: float | None
    learnerDatasets: int
    reachedGoodModel: int
    medianSecondsToGood: float | None
    medianRunsToGood: float | None
    meanImprovementOverBaseline: float | None
    baselinePairs: int
    meanGainOverStaticDefault: float | None
    staticDefaultPairs: int
    proposalsBySource: dict[str, int]
    knowledgeObservations: int
    knowledgeGrowth: list[dict[str, Any]]


class TrackProgressView(View):
    track: str
    title: str
    unlocked: int
    passedOne: int
    completed: int


class BadgeCountView(View):
    badge: str
    name: str
    awarded: int


class ChallengeHelpView(View):
    challenge: str
    title: str
    learners: int
    hintLearners: int
    hintShare: float | None
    meanHints: float | None
    answerLearners: int
    answerShare: float | None


class BucketView(View):
    label: str
    learners: int


class FirstModelView(View):
    learnersWithRuns: int
    learnersSucceeded: int
    medianSeconds: float | None
    distribution: list[BucketView]


class VelocityView(View):
    learners: int
    medianPassesPerActiveWeek: float | None
    meanPassesPerActiveWeek: float | None
    medianXpPerActiveDay: float | None
    meanXpPerActiveDay: float | None
    distribution: list[BucketView]


class InstructionView(View):
    """Analytics for instructors (issue 17; definitions in services/analytics/README.md)."""

    tracks: list[TrackProgressView]
    badges: list[BadgeCountView]
    help: list[ChallengeHelpView]
    firstModel: FirstModelView
    velocity: VelocityView


class DashboardView(View):
    """Every dashboard aggregate for a cohort (None: all learners), a challenge and a date
    range; `filter` echoes the query (`cohort`, `challenge`, `from`, `to`)."""

    filter: dict[str, str]
    cohort: CohortRefView | None
    learners: int
    eventsLogged: int
    activity: list[ActivityView]
    challenges: list[ChallengeStatsView]
    funnel: list[FunnelStepView]
    errors: list[ErrorCountView]
    coach: CoachStatsView
    ratings: list[RatingCountView]
    # Uses of each guided app (analyses started/completed/failed/cancelled, recommendations
    # applied/dismissed, learners who started it).
    apps: list[AppUsageView]
    selfImprovement: SelfImprovementView
    instruction: InstructionView


class ThroughputView(View):
    subject: str
    producer: str
    events: int
    perMinute: float


class MinuteView(View):
    minute: str
    events: int


class ConsumerView(View):
    durable: str
    filterSubject: str
    numPending: int
    numAckPending: int
    numRedelivered: int
    deliveredSeq: int
    ackFloorSeq: int


class PlatformView(View):
    """Events per minute by subject and producer over the window; every durable consumer's
    lag (JetStream num_pending / num_ack_pending)."""

    windowMinutes: int
    eventsLogged: int
    streamMessages: int
    lagError: str | None
    throughput: list[ThroughputView]
    timeline: list[MinuteView]
    consumers: list[ConsumerView]
