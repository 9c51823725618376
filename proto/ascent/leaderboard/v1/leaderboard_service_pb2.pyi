import datetime

from ascent.types.v1 import run_pb2 as _run_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListRunsRequest(_message.Message):
    __slots__ = ("session_id", "dataset_sha256", "limit", "offset")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    dataset_sha256: str
    limit: int
    offset: int
    def __init__(self, session_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., limit: _Optional[int] = ..., offset: _Optional[int] = ...) -> None: ...

class ListRunsResponse(_message.Message):
    __slots__ = ("runs", "dataset_ranks", "total", "next_offset")
    class DatasetRanksEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    RUNS_FIELD_NUMBER: _ClassVar[int]
    DATASET_RANKS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    NEXT_OFFSET_FIELD_NUMBER: _ClassVar[int]
    runs: _containers.RepeatedCompositeFieldContainer[_run_pb2.Run]
    dataset_ranks: _containers.ScalarMap[str, int]
    total: int
    next_offset: int
    def __init__(self, runs: _Optional[_Iterable[_Union[_run_pb2.Run, _Mapping]]] = ..., dataset_ranks: _Optional[_Mapping[str, int]] = ..., total: _Optional[int] = ..., next_offset: _Optional[int] = ...) -> None: ...

class GetRunRequest(_message.Message):
    __slots__ = ("run_id", "wait_ms")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WAIT_MS_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    wait_ms: int
    def __init__(self, run_id: _Optional[str] = ..., wait_ms: _Optional[int] = ...) -> None: ...

class GetRunResponse(_message.Message):
    __slots__ = ("run",)
    RUN_FIELD_NUMBER: _ClassVar[int]
    run: _run_pb2.Run
    def __init__(self, run: _Optional[_Union[_run_pb2.Run, _Mapping]] = ...) -> None: ...

class GetLeaderboardRequest(_message.Message):
    __slots__ = ("board_id", "limit", "dataset_sha256")
    BOARD_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    board_id: str
    limit: int
    dataset_sha256: str
    def __init__(self, board_id: _Optional[str] = ..., limit: _Optional[int] = ..., dataset_sha256: _Optional[str] = ...) -> None: ...

class LeaderboardEntry(_message.Message):
    __slots__ = ("rank", "run_id", "name", "owner_id", "score", "model_type", "is_improved", "dataset_sha256", "metric")
    RANK_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    MODEL_TYPE_FIELD_NUMBER: _ClassVar[int]
    IS_IMPROVED_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    rank: int
    run_id: str
    name: str
    owner_id: str
    score: float
    model_type: str
    is_improved: bool
    dataset_sha256: str
    metric: str
    def __init__(self, rank: _Optional[int] = ..., run_id: _Optional[str] = ..., name: _Optional[str] = ..., owner_id: _Optional[str] = ..., score: _Optional[float] = ..., model_type: _Optional[str] = ..., is_improved: _Optional[bool] = ..., dataset_sha256: _Optional[str] = ..., metric: _Optional[str] = ...) -> None: ...

class GetLeaderboardResponse(_message.Message):
    __slots__ = ("board_id", "metric", "entries")
    BOARD_ID_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    board_id: str
    metric: str
    entries: _containers.RepeatedCompositeFieldContainer[LeaderboardEntry]
    def __init__(self, board_id: _Optional[str] = ..., metric: _Optional[str] = ..., entries: _Optional[_Iterable[_Union[LeaderboardEntry, _Mapping]]] = ...) -> None: ...

class GetChallengeBoardRequest(_message.Message):
    __slots__ = ("challenge_slug", "limit", "include_private", "challenge_version")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PRIVATE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    limit: int
    include_private: bool
    challenge_version: int
    def __init__(self, challenge_slug: _Optional[str] = ..., limit: _Optional[int] = ..., include_private: _Optional[bool] = ..., challenge_version: _Optional[int] = ...) -> None: ...

class ChallengeBoardEntry(_message.Message):
    __slots__ = ("rank", "learner_id", "run_id", "public_score", "private_score", "private_rank", "submissions", "submitted_at", "final_selected")
    RANK_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_SCORE_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_SCORE_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_RANK_FIELD_NUMBER: _ClassVar[int]
    SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINAL_SELECTED_FIELD_NUMBER: _ClassVar[int]
    rank: int
    learner_id: str
    run_id: str
    public_score: float
    private_score: float
    private_rank: int
    submissions: int
    submitted_at: _timestamp_pb2.Timestamp
    final_selected: bool
    def __init__(self, rank: _Optional[int] = ..., learner_id: _Optional[str] = ..., run_id: _Optional[str] = ..., public_score: _Optional[float] = ..., private_score: _Optional[float] = ..., private_rank: _Optional[int] = ..., submissions: _Optional[int] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., final_selected: _Optional[bool] = ...) -> None: ...

class GetChallengeBoardResponse(_message.Message):
    __slots__ = ("challenge_slug", "metric", "lower_is_better", "hidden", "private_revealed", "entries")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    LOWER_IS_BETTER_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_REVEALED_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    metric: str
    lower_is_better: bool
    hidden: bool
    private_revealed: bool
    entries: _containers.RepeatedCompositeFieldContainer[ChallengeBoardEntry]
    def __init__(self, challenge_slug: _Optional[str] = ..., metric: _Optional[str] = ..., lower_is_better: _Optional[bool] = ..., hidden: _Optional[bool] = ..., private_revealed: _Optional[bool] = ..., entries: _Optional[_Iterable[_Union[ChallengeBoardEntry, _Mapping]]] = ...) -> None: ...

class SetChallengeBoardRequest(_message.Message):
    __slots__ = ("challenge_slug", "hidden", "reveal_private", "challenge_version")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    REVEAL_PRIVATE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    hidden: bool
    reveal_private: bool
    challenge_version: int
    def __init__(self, challenge_slug: _Optional[str] = ..., hidden: _Optional[bool] = ..., reveal_private: _Optional[bool] = ..., challenge_version: _Optional[int] = ...) -> None: ...

class SetChallengeBoardResponse(_message.Message):
    __slots__ = ("challenge_slug", "hidden", "private_revealed")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_REVEALED_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    hidden: bool
    private_revealed: bool
    def __init__(self, challenge_slug: _Optional[str] = ..., hidden: _Optional[bool] = ..., private_revealed: _Optional[bool] = ...) -> None: ...

class GetFinalSubmissionsRequest(_message.Message):
    __slots__ = ("challenge_slug", "challenge_version", "learner_id", "include_private")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PRIVATE_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    challenge_version: int
    learner_id: str
    include_private: bool
    def __init__(self, challenge_slug: _Optional[str] = ..., challenge_version: _Optional[int] = ..., learner_id: _Optional[str] = ..., include_private: _Optional[bool] = ...) -> None: ...

class SetFinalSubmissionsRequest(_message.Message):
    __slots__ = ("challenge_slug", "challenge_version", "learner_id", "run_ids", "include_private")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_IDS_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_PRIVATE_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    challenge_version: int
    learner_id: str
    run_ids: _containers.RepeatedScalarFieldContainer[str]
    include_private: bool
    def __init__(self, challenge_slug: _Optional[str] = ..., challenge_version: _Optional[int] = ..., learner_id: _Optional[str] = ..., run_ids: _Optional[_Iterable[str]] = ..., include_private: _Optional[bool] = ...) -> None: ...

class ChallengeSubmission(_message.Message):
    __slots__ = ("run_id", "public_score", "private_score", "submitted_at", "final", "selected")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_SCORE_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_SCORE_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINAL_FIELD_NUMBER: _ClassVar[int]
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    public_score: float
    private_score: float
    submitted_at: _timestamp_pb2.Timestamp
    final: bool
    selected: bool
    def __init__(self, run_id: _Optional[str] = ..., public_score: _Optional[float] = ..., private_score: _Optional[float] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., final: _Optional[bool] = ..., selected: _Optional[bool] = ...) -> None: ...

class FinalSubmissionsResponse(_message.Message):
    __slots__ = ("challenge_slug", "metric", "lower_is_better", "submissions", "selected", "max_final", "locked")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    LOWER_IS_BETTER_FIELD_NUMBER: _ClassVar[int]
    SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    SELECTED_FIELD_NUMBER: _ClassVar[int]
    MAX_FINAL_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    metric: str
    lower_is_better: bool
    submissions: _containers.RepeatedCompositeFieldContainer[ChallengeSubmission]
    selected: bool
    max_final: int
    locked: bool
    def __init__(self, challenge_slug: _Optional[str] = ..., metric: _Optional[str] = ..., lower_is_better: _Optional[bool] = ..., submissions: _Optional[_Iterable[_Union[ChallengeSubmission, _Mapping]]] = ..., selected: _Optional[bool] = ..., max_final: _Optional[int] = ..., locked: _Optional[bool] = ...) -> None: ...
