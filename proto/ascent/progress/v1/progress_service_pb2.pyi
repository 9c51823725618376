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
    __slots__ = ("slug", "title", "summary", "metric", "pass_threshold", "position")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    slug: str
    title: str
    summary: str
    metric: str
    pass_threshold: float
    position: int
    def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., summary: _Optional[str] = ..., metric: _Optional[str] = ..., pass_threshold: _Optional[float] = ..., position: _Optional[int] = ...) -> None: ...

class Track(_message.Message):
    __slots__ = ("slug", "title", "level", "description", "position", "unlocked", "unlock_rule", "challenges")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    UNLOCKED_FIELD_NUMBER: _ClassVar[int]
    UNLOCK_RULE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGES_FIELD_NUMBER: _ClassVar[int]
    slug: str
    title: str
    level: str
    description: str
    position: int
    unlocked: bool
    unlock_rule: str
    challenges: _containers.RepeatedCompositeFieldContainer[Challenge]
    def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., level: _Optional[str] = ..., description: _Optional[str] = ..., position: _Optional[int] = ..., unlocked: _Optional[bool] = ..., unlock_rule: _Optional[str] = ..., challenges: _Optional[_Iterable[_Union[Challenge, _Mapping]]] = ...) -> None: ...

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
    __slots__ = ("learner_id", "xp", "level", "runs", "badges", "history")
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    XP_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    RUNS_FIELD_NUMBER: _ClassVar[int]
    BADGES_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    learner_id: str
    xp: int
    level: int
    runs: int
    badges: _containers.RepeatedCompositeFieldContainer[Badge]
    history: _containers.RepeatedCompositeFieldContainer[XpEntry]
    def __init__(self, learner_id: _Optional[str] = ..., xp: _Optional[int] = ..., level: _Optional[int] = ..., runs: _Optional[int] = ..., badges: _Optional[_Iterable[_Union[Badge, _Mapping]]] = ..., history: _Optional[_Iterable[_Union[XpEntry, _Mapping]]] = ...) -> None: ...
