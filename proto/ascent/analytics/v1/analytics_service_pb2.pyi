from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetEventCountsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class EventCount(_message.Message):
    __slots__ = ("subject", "count")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    subject: str
    count: int
    def __init__(self, subject: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class GetEventCountsResponse(_message.Message):
    __slots__ = ("counts", "total")
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    counts: _containers.RepeatedCompositeFieldContainer[EventCount]
    total: int
    def __init__(self, counts: _Optional[_Iterable[_Union[EventCount, _Mapping]]] = ..., total: _Optional[int] = ...) -> None: ...

class AnyEvent(_message.Message):
    __slots__ = ("meta",)
    META_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ...) -> None: ...

class DashboardFilter(_message.Message):
    __slots__ = ("cohort_id", "challenge_slug", "from_day", "to_day")
    COHORT_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    FROM_DAY_FIELD_NUMBER: _ClassVar[int]
    TO_DAY_FIELD_NUMBER: _ClassVar[int]
    cohort_id: str
    challenge_slug: str
    from_day: str
    to_day: str
    def __init__(self, cohort_id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., from_day: _Optional[str] = ..., to_day: _Optional[str] = ...) -> None: ...

class GetDashboardRequest(_message.Message):
    __slots__ = ("filter",)
    FILTER_FIELD_NUMBER: _ClassVar[int]
    filter: DashboardFilter
    def __init__(self, filter: _Optional[_Union[DashboardFilter, _Mapping]] = ...) -> None: ...

class DailyActivity(_message.Message):
    __slots__ = ("day", "active_learners", "runs")
    DAY_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_LEARNERS_FIELD_NUMBER: _ClassVar[int]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    day: str
    active_learners: int
    runs: int
    def __init__(self, day: _Optional[str] = ..., active_learners: _Optional[int] = ..., runs: _Optional[int] = ...) -> None: ...

class ChallengeStats(_message.Message):
    __slots__ = ("challenge_slug", "runs", "graded", "passing", "pass_rate", "learners", "learners_passed", "median_seconds_to_pass", "median_attempts_to_pass")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    GRADED_FIELD_NUMBER: _ClassVar[int]
    PASSING_FIELD_NUMBER: _ClassVar[int]
    PASS_RATE_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_PASSED_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_SECONDS_TO_PASS_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_ATTEMPTS_TO_PASS_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    runs: int
    graded: int
    passing: int
    pass_rate: float
    learners: int
    learners_passed: int
    median_seconds_to_pass: float
    median_attempts_to_pass: float
    def __init__(self, challenge_slug: _Optional[str] = ..., runs: _Optional[int] = ..., graded: _Optional[int] = ..., passing: _Optional[int] = ..., pass_rate: _Optional[float] = ..., learners: _Optional[int] = ..., learners_passed: _Optional[int] = ..., median_seconds_to_pass: _Optional[float] = ..., median_attempts_to_pass: _Optional[float] = ...) -> None: ...

class FunnelStep(_message.Message):
    __slots__ = ("challenge_slug", "learners_attempted", "learners_passed")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_ATTEMPTED_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_PASSED_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    learners_attempted: int
    learners_passed: int
    def __init__(self, challenge_slug: _Optional[str] = ..., learners_attempted: _Optional[int] = ..., learners_passed: _Optional[int] = ...) -> None: ...

class ErrorCount(_message.Message):
    __slots__ = ("error_type", "count")
    ERROR_TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    error_type: str
    count: int
    def __init__(self, error_type: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class CoachStats(_message.Message):
    __slots__ = ("proposals", "with_verdict", "accepted", "acceptance_rate", "rated", "average_rating", "rating_counts", "advice_helpful", "advice_unhelpful", "improved_runs", "scored_pairs", "average_score_gain", "hits", "hit_rate")
    PROPOSALS_FIELD_NUMBER: _ClassVar[int]
    WITH_VERDICT_FIELD_NUMBER: _ClassVar[int]
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    ACCEPTANCE_RATE_FIELD_NUMBER: _ClassVar[int]
    RATED_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_RATING_FIELD_NUMBER: _ClassVar[int]
    RATING_COUNTS_FIELD_NUMBER: _ClassVar[int]
    ADVICE_HELPFUL_FIELD_NUMBER: _ClassVar[int]
    ADVICE_UNHELPFUL_FIELD_NUMBER: _ClassVar[int]
    IMPROVED_RUNS_FIELD_NUMBER: _ClassVar[int]
    SCORED_PAIRS_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_SCORE_GAIN_FIELD_NUMBER: _ClassVar[int]
    HITS_FIELD_NUMBER: _ClassVar[int]
    HIT_RATE_FIELD_NUMBER: _ClassVar[int]
    proposals: int
    with_verdict: int
    accepted: int
    acceptance_rate: float
    rated: int
    average_rating: float
    rating_counts: _containers.RepeatedScalarFieldContainer[int]
    advice_helpful: int
    advice_unhelpful: int
    improved_runs: int
    scored_pairs: int
    average_score_gain: float
    hits: int
    hit_rate: float
    def __init__(self, proposals: _Optional[int] = ..., with_verdict: _Optional[int] = ..., accepted: _Optional[int] = ..., acceptance_rate: _Optional[float] = ..., rated: _Optional[int] = ..., average_rating: _Optional[float] = ..., rating_counts: _Optional[_Iterable[int]] = ..., advice_helpful: _Optional[int] = ..., advice_unhelpful: _Optional[int] = ..., improved_runs: _Optional[int] = ..., scored_pairs: _Optional[int] = ..., average_score_gain: _Optional[float] = ..., hits: _Optional[int] = ..., hit_rate: _Optional[float] = ...) -> None: ...

class AppUsage(_message.Message):
    __slots__ = ("app_slug", "started", "completed", "failed", "cancelled", "applied", "dismissed", "learners")
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    STARTED_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    DISMISSED_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_FIELD_NUMBER: _ClassVar[int]
    app_slug: str
    started: int
    completed: int
    failed: int
    cancelled: int
    applied: int
    dismissed: int
    learners: int
    def __init__(self, app_slug: _Optional[str] = ..., started: _Optional[int] = ..., completed: _Optional[int] = ..., failed: _Optional[int] = ..., cancelled: _Optional[int] = ..., applied: _Optional[int] = ..., dismissed: _Optional[int] = ..., learners: _Optional[int] = ...) -> None: ...

class GetDashboardResponse(_message.Message):
    __slots__ = ("filter", "learners", "activity", "challenges", "funnel", "errors", "coach", "events_logged", "apps", "self_improvement", "instruction")
    FILTER_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_FIELD_NUMBER: _ClassVar[int]
    ACTIVITY_FIELD_NUMBER: _ClassVar[int]
    CHALLENGES_FIELD_NUMBER: _ClassVar[int]
    FUNNEL_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    COACH_FIELD_NUMBER: _ClassVar[int]
    EVENTS_LOGGED_FIELD_NUMBER: _ClassVar[int]
    APPS_FIELD_NUMBER: _ClassVar[int]
    SELF_IMPROVEMENT_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTION_FIELD_NUMBER: _ClassVar[int]
    filter: DashboardFilter
    learners: int
    activity: _containers.RepeatedCompositeFieldContainer[DailyActivity]
    challenges: _containers.RepeatedCompositeFieldContainer[ChallengeStats]
    funnel: _containers.RepeatedCompositeFieldContainer[FunnelStep]
    errors: _containers.RepeatedCompositeFieldContainer[ErrorCount]
    coach: CoachStats
    events_logged: int
    apps: _containers.RepeatedCompositeFieldContainer[AppUsage]
    self_improvement: SelfImprovement
    instruction: Instruction
    def __init__(self, filter: _Optional[_Union[DashboardFilter, _Mapping]] = ..., learners: _Optional[int] = ..., activity: _Optional[_Iterable[_Union[DailyActivity, _Mapping]]] = ..., challenges: _Optional[_Iterable[_Union[ChallengeStats, _Mapping]]] = ..., funnel: _Optional[_Iterable[_Union[FunnelStep, _Mapping]]] = ..., errors: _Optional[_Iterable[_Union[ErrorCount, _Mapping]]] = ..., coach: _Optional[_Union[CoachStats, _Mapping]] = ..., events_logged: _Optional[int] = ..., apps: _Optional[_Iterable[_Union[AppUsage, _Mapping]]] = ..., self_improvement: _Optional[_Union[SelfImprovement, _Mapping]] = ..., instruction: _Optional[_Union[Instruction, _Mapping]] = ...) -> None: ...

class Instruction(_message.Message):
    __slots__ = ("tracks", "badges", "help", "first_model", "velocity")
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    BADGES_FIELD_NUMBER: _ClassVar[int]
    HELP_FIELD_NUMBER: _ClassVar[int]
    FIRST_MODEL_FIELD_NUMBER: _ClassVar[int]
    VELOCITY_FIELD_NUMBER: _ClassVar[int]
    tracks: _containers.RepeatedCompositeFieldContainer[TrackProgress]
    badges: _containers.RepeatedCompositeFieldContainer[BadgeCount]
    help: _containers.RepeatedCompositeFieldContainer[ChallengeHelp]
    first_model: FirstModel
    velocity: Velocity
    def __init__(self, tracks: _Optional[_Iterable[_Union[TrackProgress, _Mapping]]] = ..., badges: _Optional[_Iterable[_Union[BadgeCount, _Mapping]]] = ..., help: _Optional[_Iterable[_Union[ChallengeHelp, _Mapping]]] = ..., first_model: _Optional[_Union[FirstModel, _Mapping]] = ..., velocity: _Optional[_Union[Velocity, _Mapping]] = ...) -> None: ...

class TrackProgress(_message.Message):
    __slots__ = ("track_slug", "track_title", "unlocked", "passed_one", "completed")
    TRACK_SLUG_FIELD_NUMBER: _ClassVar[int]
    TRACK_TITLE_FIELD_NUMBER: _ClassVar[int]
    UNLOCKED_FIELD_NUMBER: _ClassVar[int]
    PASSED_ONE_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    track_slug: str
    track_title: str
    unlocked: int
    passed_one: int
    completed: int
    def __init__(self, track_slug: _Optional[str] = ..., track_title: _Optional[str] = ..., unlocked: _Optional[int] = ..., passed_one: _Optional[int] = ..., completed: _Optional[int] = ...) -> None: ...

class BadgeCount(_message.Message):
    __slots__ = ("badge_slug", "badge_name", "awarded")
    BADGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    BADGE_NAME_FIELD_NUMBER: _ClassVar[int]
    AWARDED_FIELD_NUMBER: _ClassVar[int]
    badge_slug: str
    badge_name: str
    awarded: int
    def __init__(self, badge_slug: _Optional[str] = ..., badge_name: _Optional[str] = ..., awarded: _Optional[int] = ...) -> None: ...

class ChallengeHelp(_message.Message):
    __slots__ = ("challenge_slug", "learners", "hint_learners", "hint_share", "mean_hints", "answer_learners", "answer_share")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_FIELD_NUMBER: _ClassVar[int]
    HINT_LEARNERS_FIELD_NUMBER: _ClassVar[int]
    HINT_SHARE_FIELD_NUMBER: _ClassVar[int]
    MEAN_HINTS_FIELD_NUMBER: _ClassVar[int]
    ANSWER_LEARNERS_FIELD_NUMBER: _ClassVar[int]
    ANSWER_SHARE_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    learners: int
    hint_learners: int
    hint_share: float
    mean_hints: float
    answer_learners: int
    answer_share: float
    def __init__(self, challenge_slug: _Optional[str] = ..., learners: _Optional[int] = ..., hint_learners: _Optional[int] = ..., hint_share: _Optional[float] = ..., mean_hints: _Optional[float] = ..., answer_learners: _Optional[int] = ..., answer_share: _Optional[float] = ...) -> None: ...

class FirstModel(_message.Message):
    __slots__ = ("learners_with_runs", "learners_succeeded", "median_seconds", "distribution")
    LEARNERS_WITH_RUNS_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_SUCCEEDED_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    learners_with_runs: int
    learners_succeeded: int
    median_seconds: float
    distribution: _containers.RepeatedCompositeFieldContainer[Bucket]
    def __init__(self, learners_with_runs: _Optional[int] = ..., learners_succeeded: _Optional[int] = ..., median_seconds: _Optional[float] = ..., distribution: _Optional[_Iterable[_Union[Bucket, _Mapping]]] = ...) -> None: ...

class Bucket(_message.Message):
    __slots__ = ("label", "learners")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_FIELD_NUMBER: _ClassVar[int]
    label: str
    learners: int
    def __init__(self, label: _Optional[str] = ..., learners: _Optional[int] = ...) -> None: ...

class Velocity(_message.Message):
    __slots__ = ("learners", "median_passes_per_active_week", "mean_passes_per_active_week", "median_xp_per_active_day", "mean_xp_per_active_day", "distribution")
    LEARNERS_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_PASSES_PER_ACTIVE_WEEK_FIELD_NUMBER: _ClassVar[int]
    MEAN_PASSES_PER_ACTIVE_WEEK_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_XP_PER_ACTIVE_DAY_FIELD_NUMBER: _ClassVar[int]
    MEAN_XP_PER_ACTIVE_DAY_FIELD_NUMBER: _ClassVar[int]
    DISTRIBUTION_FIELD_NUMBER: _ClassVar[int]
    learners: int
    median_passes_per_active_week: float
    mean_passes_per_active_week: float
    median_xp_per_active_day: float
    mean_xp_per_active_day: float
    distribution: _containers.RepeatedCompositeFieldContainer[Bucket]
    def __init__(self, learners: _Optional[int] = ..., median_passes_per_active_week: _Optional[float] = ..., mean_passes_per_active_week: _Optional[float] = ..., median_xp_per_active_day: _Optional[float] = ..., mean_xp_per_active_day: _Optional[float] = ..., distribution: _Optional[_Iterable[_Union[Bucket, _Mapping]]] = ...) -> None: ...

class SelfImprovement(_message.Message):
    __slots__ = ("predictions_scored", "prediction_mae", "predictions_within_005", "proposals", "exploration_rate", "proposal_acceptance_rate", "app_suggestion_acceptance_rate", "learner_datasets", "reached_good_model", "median_seconds_to_good", "median_runs_to_good", "mean_improvement_over_baseline", "baseline_pairs", "mean_gain_over_static_default", "static_default_pairs", "proposals_by_source", "knowledge_observations", "knowledge_growth")
    class ProposalsBySourceEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    PREDICTIONS_SCORED_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_MAE_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_WITHIN_005_FIELD_NUMBER: _ClassVar[int]
    PROPOSALS_FIELD_NUMBER: _ClassVar[int]
    EXPLORATION_RATE_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ACCEPTANCE_RATE_FIELD_NUMBER: _ClassVar[int]
    APP_SUGGESTION_ACCEPTANCE_RATE_FIELD_NUMBER: _ClassVar[int]
    LEARNER_DATASETS_FIELD_NUMBER: _ClassVar[int]
    REACHED_GOOD_MODEL_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_SECONDS_TO_GOOD_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_RUNS_TO_GOOD_FIELD_NUMBER: _ClassVar[int]
    MEAN_IMPROVEMENT_OVER_BASELINE_FIELD_NUMBER: _ClassVar[int]
    BASELINE_PAIRS_FIELD_NUMBER: _ClassVar[int]
    MEAN_GAIN_OVER_STATIC_DEFAULT_FIELD_NUMBER: _ClassVar[int]
    STATIC_DEFAULT_PAIRS_FIELD_NUMBER: _ClassVar[int]
    PROPOSALS_BY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_OBSERVATIONS_FIELD_NUMBER: _ClassVar[int]
    KNOWLEDGE_GROWTH_FIELD_NUMBER: _ClassVar[int]
    predictions_scored: int
    prediction_mae: float
    predictions_within_005: float
    proposals: int
    exploration_rate: float
    proposal_acceptance_rate: float
    app_suggestion_acceptance_rate: float
    learner_datasets: int
    reached_good_model: int
    median_seconds_to_good: float
    median_runs_to_good: float
    mean_improvement_over_baseline: float
    baseline_pairs: int
    mean_gain_over_static_default: float
    static_default_pairs: int
    proposals_by_source: _containers.ScalarMap[str, int]
    knowledge_observations: int
    knowledge_growth: _containers.RepeatedCompositeFieldContainer[DailyCount]
    def __init__(self, predictions_scored: _Optional[int] = ..., prediction_mae: _Optional[float] = ..., predictions_within_005: _Optional[float] = ..., proposals: _Optional[int] = ..., exploration_rate: _Optional[float] = ..., proposal_acceptance_rate: _Optional[float] = ..., app_suggestion_acceptance_rate: _Optional[float] = ..., learner_datasets: _Optional[int] = ..., reached_good_model: _Optional[int] = ..., median_seconds_to_good: _Optional[float] = ..., median_runs_to_good: _Optional[float] = ..., mean_improvement_over_baseline: _Optional[float] = ..., baseline_pairs: _Optional[int] = ..., mean_gain_over_static_default: _Optional[float] = ..., static_default_pairs: _Optional[int] = ..., proposals_by_source: _Optional[_Mapping[str, int]] = ..., knowledge_observations: _Optional[int] = ..., knowledge_growth: _Optional[_Iterable[_Union[DailyCount, _Mapping]]] = ...) -> None: ...

class DailyCount(_message.Message):
    __slots__ = ("day", "count")
    DAY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    day: str
    count: int
    def __init__(self, day: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class GetPlatformRequest(_message.Message):
    __slots__ = ("window_minutes",)
    WINDOW_MINUTES_FIELD_NUMBER: _ClassVar[int]
    window_minutes: int
    def __init__(self, window_minutes: _Optional[int] = ...) -> None: ...

class Throughput(_message.Message):
    __slots__ = ("subject", "producer", "events", "per_minute")
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    PRODUCER_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    subject: str
    producer: str
    events: int
    per_minute: float
    def __init__(self, subject: _Optional[str] = ..., producer: _Optional[str] = ..., events: _Optional[int] = ..., per_minute: _Optional[float] = ...) -> None: ...

class ThroughputPoint(_message.Message):
    __slots__ = ("minute", "events")
    MINUTE_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    minute: str
    events: int
    def __init__(self, minute: _Optional[str] = ..., events: _Optional[int] = ...) -> None: ...

class ConsumerLag(_message.Message):
    __slots__ = ("durable", "filter_subject", "num_pending", "num_ack_pending", "num_redelivered", "delivered_stream_seq", "ack_floor_stream_seq")
    DURABLE_FIELD_NUMBER: _ClassVar[int]
    FILTER_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    NUM_PENDING_FIELD_NUMBER: _ClassVar[int]
    NUM_ACK_PENDING_FIELD_NUMBER: _ClassVar[int]
    NUM_REDELIVERED_FIELD_NUMBER: _ClassVar[int]
    DELIVERED_STREAM_SEQ_FIELD_NUMBER: _ClassVar[int]
    ACK_FLOOR_STREAM_SEQ_FIELD_NUMBER: _ClassVar[int]
    durable: str
    filter_subject: str
    num_pending: int
    num_ack_pending: int
    num_redelivered: int
    delivered_stream_seq: int
    ack_floor_stream_seq: int
    def __init__(self, durable: _Optional[str] = ..., filter_subject: _Optional[str] = ..., num_pending: _Optional[int] = ..., num_ack_pending: _Optional[int] = ..., num_redelivered: _Optional[int] = ..., delivered_stream_seq: _Optional[int] = ..., ack_floor_stream_seq: _Optional[int] = ...) -> None: ...

class GetPlatformResponse(_message.Message):
    __slots__ = ("window_minutes", "throughput", "timeline", "consumers", "events_logged", "stream_messages", "lag_error")
    WINDOW_MINUTES_FIELD_NUMBER: _ClassVar[int]
    THROUGHPUT_FIELD_NUMBER: _ClassVar[int]
    TIMELINE_FIELD_NUMBER: _ClassVar[int]
    CONSUMERS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_LOGGED_FIELD_NUMBER: _ClassVar[int]
    STREAM_MESSAGES_FIELD_NUMBER: _ClassVar[int]
    LAG_ERROR_FIELD_NUMBER: _ClassVar[int]
    window_minutes: int
    throughput: _containers.RepeatedCompositeFieldContainer[Throughput]
    timeline: _containers.RepeatedCompositeFieldContainer[ThroughputPoint]
    consumers: _containers.RepeatedCompositeFieldContainer[ConsumerLag]
    events_logged: int
    stream_messages: int
    lag_error: str
    def __init__(self, window_minutes: _Optional[int] = ..., throughput: _Optional[_Iterable[_Union[Throughput, _Mapping]]] = ..., timeline: _Optional[_Iterable[_Union[ThroughputPoint, _Mapping]]] = ..., consumers: _Optional[_Iterable[_Union[ConsumerLag, _Mapping]]] = ..., events_logged: _Optional[int] = ..., stream_messages: _Optional[int] = ..., lag_error: _Optional[str] = ...) -> None: ...
