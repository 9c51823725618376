import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListTracksRequest(_message.Message):
    __slots__ = ("learner_id",)
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    learner_id: str
    def __init__(self, learner_id: _Optional[str] = ...) -> None: ...

class Challenge(_message.Message):
    __slots__ = ("slug", "title", "summary", "metric", "pass_threshold", "position", "unlocked", "passed", "best_score", "requires", "lower_is_better", "locked_reason", "version", "source", "task_type", "tags", "daily_submissions")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    UNLOCKED_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    BEST_SCORE_FIELD_NUMBER: _ClassVar[int]
    REQUIRES_FIELD_NUMBER: _ClassVar[int]
    LOWER_IS_BETTER_FIELD_NUMBER: _ClassVar[int]
    LOCKED_REASON_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    DAILY_SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    slug: str
    title: str
    summary: str
    metric: str
    pass_threshold: float
    position: int
    unlocked: bool
    passed: bool
    best_score: float
    requires: _containers.RepeatedScalarFieldContainer[str]
    lower_is_better: bool
    locked_reason: str
    version: int
    source: str
    task_type: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    daily_submissions: int
    def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., summary: _Optional[str] = ..., metric: _Optional[str] = ..., pass_threshold: _Optional[float] = ..., position: _Optional[int] = ..., unlocked: _Optional[bool] = ..., passed: _Optional[bool] = ..., best_score: _Optional[float] = ..., requires: _Optional[_Iterable[str]] = ..., lower_is_better: _Optional[bool] = ..., locked_reason: _Optional[str] = ..., version: _Optional[int] = ..., source: _Optional[str] = ..., task_type: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ..., daily_submissions: _Optional[int] = ...) -> None: ...

class Track(_message.Message):
    __slots__ = ("slug", "title", "level", "description", "position", "unlocked", "unlock_rule", "challenges", "passed_count", "unlock_progress", "deployed_meeting_bar", "deployed_needed", "unlock_app")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    UNLOCKED_FIELD_NUMBER: _ClassVar[int]
    UNLOCK_RULE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGES_FIELD_NUMBER: _ClassVar[int]
    PASSED_COUNT_FIELD_NUMBER: _ClassVar[int]
    UNLOCK_PROGRESS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYED_MEETING_BAR_FIELD_NUMBER: _ClassVar[int]
    DEPLOYED_NEEDED_FIELD_NUMBER: _ClassVar[int]
    UNLOCK_APP_FIELD_NUMBER: _ClassVar[int]
    slug: str
    title: str
    level: str
    description: str
    position: int
    unlocked: bool
    unlock_rule: str
    challenges: _containers.RepeatedCompositeFieldContainer[Challenge]
    passed_count: int
    unlock_progress: str
    deployed_meeting_bar: int
    deployed_needed: int
    unlock_app: str
    def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., level: _Optional[str] = ..., description: _Optional[str] = ..., position: _Optional[int] = ..., unlocked: _Optional[bool] = ..., unlock_rule: _Optional[str] = ..., challenges: _Optional[_Iterable[_Union[Challenge, _Mapping]]] = ..., passed_count: _Optional[int] = ..., unlock_progress: _Optional[str] = ..., deployed_meeting_bar: _Optional[int] = ..., deployed_needed: _Optional[int] = ..., unlock_app: _Optional[str] = ...) -> None: ...

class ListTracksResponse(_message.Message):
    __slots__ = ("tracks",)
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    tracks: _containers.RepeatedCompositeFieldContainer[Track]
    def __init__(self, tracks: _Optional[_Iterable[_Union[Track, _Mapping]]] = ...) -> None: ...

class GetProgressRequest(_message.Message):
    __slots__ = ("learner_id",)
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    learner_id: str
    def __init__(self, learner_id: _Optional[str] = ...) -> None: ...

class Badge(_message.Message):
    __slots__ = ("slug", "name", "description", "awarded_at")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    AWARDED_AT_FIELD_NUMBER: _ClassVar[int]
    slug: str
    name: str
    description: str
    awarded_at: _timestamp_pb2.Timestamp
    def __init__(self, slug: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., awarded_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class XpEntry(_message.Message):
    __slots__ = ("amount", "reason", "at")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    amount: int
    reason: str
    at: _timestamp_pb2.Timestamp
    def __init__(self, amount: _Optional[int] = ..., reason: _Optional[str] = ..., at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetProgressResponse(_message.Message):
    __slots__ = ("learner_id", "xp", "level", "runs", "badges", "history", "streak_days", "best_streak_days", "challenges_passed", "level_floor_xp", "next_level_xp", "results")
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    XP_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    BADGES_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    STREAK_DAYS_FIELD_NUMBER: _ClassVar[int]
    BEST_STREAK_DAYS_FIELD_NUMBER: _ClassVar[int]
    CHALLENGES_PASSED_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FLOOR_XP_FIELD_NUMBER: _ClassVar[int]
    NEXT_LEVEL_XP_FIELD_NUMBER: _ClassVar[int]
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    learner_id: str
    xp: int
    level: int
    runs: int
    badges: _containers.RepeatedCompositeFieldContainer[Badge]
    history: _containers.RepeatedCompositeFieldContainer[XpEntry]
    streak_days: int
    best_streak_days: int
    challenges_passed: int
    level_floor_xp: int
    next_level_xp: int
    results: _containers.RepeatedCompositeFieldContainer[ChallengeResult]
    def __init__(self, learner_id: _Optional[str] = ..., xp: _Optional[int] = ..., level: _Optional[int] = ..., runs: _Optional[int] = ..., badges: _Optional[_Iterable[_Union[Badge, _Mapping]]] = ..., history: _Optional[_Iterable[_Union[XpEntry, _Mapping]]] = ..., streak_days: _Optional[int] = ..., best_streak_days: _Optional[int] = ..., challenges_passed: _Optional[int] = ..., level_floor_xp: _Optional[int] = ..., next_level_xp: _Optional[int] = ..., results: _Optional[_Iterable[_Union[ChallengeResult, _Mapping]]] = ...) -> None: ...

class ChallengeResult(_message.Message):
    __slots__ = ("challenge_slug", "title", "metric", "best_score", "attempts", "passed", "passed_at")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    BEST_SCORE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    PASSED_AT_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    title: str
    metric: str
    best_score: float
    attempts: int
    passed: bool
    passed_at: _timestamp_pb2.Timestamp
    def __init__(self, challenge_slug: _Optional[str] = ..., title: _Optional[str] = ..., metric: _Optional[str] = ..., best_score: _Optional[float] = ..., attempts: _Optional[int] = ..., passed: _Optional[bool] = ..., passed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetChallengeRequest(_message.Message):
    __slots__ = ("slug", "learner_id")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    slug: str
    learner_id: str
    def __init__(self, slug: _Optional[str] = ..., learner_id: _Optional[str] = ...) -> None: ...

class ChallengeDetail(_message.Message):
    __slots__ = ("challenge", "track_slug", "track_title", "lesson_md", "outcomes", "hints", "starter_code", "task_type", "target", "baseline", "attempts")
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    TRACK_SLUG_FIELD_NUMBER: _ClassVar[int]
    TRACK_TITLE_FIELD_NUMBER: _ClassVar[int]
    LESSON_MD_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    HINTS_FIELD_NUMBER: _ClassVar[int]
    STARTER_CODE_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    BASELINE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    challenge: Challenge
    track_slug: str
    track_title: str
    lesson_md: str
    outcomes: _containers.RepeatedScalarFieldContainer[str]
    hints: _containers.RepeatedScalarFieldContainer[str]
    starter_code: str
    task_type: str
    target: str
    baseline: float
    attempts: int
    def __init__(self, challenge: _Optional[_Union[Challenge, _Mapping]] = ..., track_slug: _Optional[str] = ..., track_title: _Optional[str] = ..., lesson_md: _Optional[str] = ..., outcomes: _Optional[_Iterable[str]] = ..., hints: _Optional[_Iterable[str]] = ..., starter_code: _Optional[str] = ..., task_type: _Optional[str] = ..., target: _Optional[str] = ..., baseline: _Optional[float] = ..., attempts: _Optional[int] = ...) -> None: ...

class GetChallengeResponse(_message.Message):
    __slots__ = ("challenge",)
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    challenge: ChallengeDetail
    def __init__(self, challenge: _Optional[_Union[ChallengeDetail, _Mapping]] = ...) -> None: ...

class Explanation(_message.Message):
    __slots__ = ("id", "challenge_slug", "author_id", "body_md", "code", "votes", "validated", "hidden", "voted", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_MD_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    VOTES_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    VOTED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    challenge_slug: str
    author_id: str
    body_md: str
    code: str
    votes: int
    validated: bool
    hidden: bool
    voted: bool
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., author_id: _Optional[str] = ..., body_md: _Optional[str] = ..., code: _Optional[str] = ..., votes: _Optional[int] = ..., validated: _Optional[bool] = ..., hidden: _Optional[bool] = ..., voted: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Pitfall(_message.Message):
    __slots__ = ("kind", "detail", "learners")
    KIND_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    LEARNERS_FIELD_NUMBER: _ClassVar[int]
    kind: str
    detail: str
    learners: int
    def __init__(self, kind: _Optional[str] = ..., detail: _Optional[str] = ..., learners: _Optional[int] = ...) -> None: ...

class ListExplanationsRequest(_message.Message):
    __slots__ = ("challenge_slug", "viewer_id", "viewer_is_staff")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    VIEWER_ID_FIELD_NUMBER: _ClassVar[int]
    VIEWER_IS_STAFF_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    viewer_id: str
    viewer_is_staff: bool
    def __init__(self, challenge_slug: _Optional[str] = ..., viewer_id: _Optional[str] = ..., viewer_is_staff: _Optional[bool] = ...) -> None: ...

class ListExplanationsResponse(_message.Message):
    __slots__ = ("explanations", "total", "locked", "viewer_passed", "pitfalls")
    EXPLANATIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    VIEWER_PASSED_FIELD_NUMBER: _ClassVar[int]
    PITFALLS_FIELD_NUMBER: _ClassVar[int]
    explanations: _containers.RepeatedCompositeFieldContainer[Explanation]
    total: int
    locked: bool
    viewer_passed: bool
    pitfalls: _containers.RepeatedCompositeFieldContainer[Pitfall]
    def __init__(self, explanations: _Optional[_Iterable[_Union[Explanation, _Mapping]]] = ..., total: _Optional[int] = ..., locked: _Optional[bool] = ..., viewer_passed: _Optional[bool] = ..., pitfalls: _Optional[_Iterable[_Union[Pitfall, _Mapping]]] = ...) -> None: ...

class PostExplanationRequest(_message.Message):
    __slots__ = ("challenge_slug", "author_id", "body_md", "code")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    BODY_MD_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    author_id: str
    body_md: str
    code: str
    def __init__(self, challenge_slug: _Optional[str] = ..., author_id: _Optional[str] = ..., body_md: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...

class VoteExplanationRequest(_message.Message):
    __slots__ = ("explanation_id", "voter_id")
    EXPLANATION_ID_FIELD_NUMBER: _ClassVar[int]
    VOTER_ID_FIELD_NUMBER: _ClassVar[int]
    explanation_id: str
    voter_id: str
    def __init__(self, explanation_id: _Optional[str] = ..., voter_id: _Optional[str] = ...) -> None: ...

class ModerateExplanationRequest(_message.Message):
    __slots__ = ("explanation_id", "moderator_id", "validated", "hidden")
    EXPLANATION_ID_FIELD_NUMBER: _ClassVar[int]
    MODERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    explanation_id: str
    moderator_id: str
    validated: bool
    hidden: bool
    def __init__(self, explanation_id: _Optional[str] = ..., moderator_id: _Optional[str] = ..., validated: _Optional[bool] = ..., hidden: _Optional[bool] = ...) -> None: ...

class ExplanationResponse(_message.Message):
    __slots__ = ("explanation",)
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    explanation: Explanation
    def __init__(self, explanation: _Optional[_Union[Explanation, _Mapping]] = ...) -> None: ...
