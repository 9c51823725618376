from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class XpAwarded(_message.Message):
    __slots__ = ("meta", "learner_id", "amount", "total", "reason", "source_event_id")
    META_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    learner_id: str
    amount: int
    total: int
    reason: str
    source_event_id: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., learner_id: _Optional[str] = ..., amount: _Optional[int] = ..., total: _Optional[int] = ..., reason: _Optional[str] = ..., source_event_id: _Optional[str] = ...) -> None: ...

class BadgeAwarded(_message.Message):
    __slots__ = ("meta", "learner_id", "badge_slug", "badge_name", "source_event_id")
    META_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    BADGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    BADGE_NAME_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    learner_id: str
    badge_slug: str
    badge_name: str
    source_event_id: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., learner_id: _Optional[str] = ..., badge_slug: _Optional[str] = ..., badge_name: _Optional[str] = ..., source_event_id: _Optional[str] = ...) -> None: ...

class ChallengePassed(_message.Message):
    __slots__ = ("meta", "learner_id", "challenge_slug", "track_slug", "run_id", "metric", "score", "source_event_id", "challenge_title", "track_completed", "track_title")
    META_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    TRACK_SLUG_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_TITLE_FIELD_NUMBER: _ClassVar[int]
    TRACK_COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TRACK_TITLE_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    learner_id: str
    challenge_slug: str
    track_slug: str
    run_id: str
    metric: str
    score: float
    source_event_id: str
    challenge_title: str
    track_completed: bool
    track_title: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., learner_id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., track_slug: _Optional[str] = ..., run_id: _Optional[str] = ..., metric: _Optional[str] = ..., score: _Optional[float] = ..., source_event_id: _Optional[str] = ..., challenge_title: _Optional[str] = ..., track_completed: _Optional[bool] = ..., track_title: _Optional[str] = ...) -> None: ...

class TrackUnlocked(_message.Message):
    __slots__ = ("meta", "learner_id", "track_slug", "track_title", "source_event_id")
    META_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    TRACK_SLUG_FIELD_NUMBER: _ClassVar[int]
    TRACK_TITLE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    learner_id: str
    track_slug: str
    track_title: str
    source_event_id: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., learner_id: _Optional[str] = ..., track_slug: _Optional[str] = ..., track_title: _Optional[str] = ..., source_event_id: _Optional[str] = ...) -> None: ...

class ExplanationPosted(_message.Message):
    __slots__ = ("meta", "explanation_id", "challenge_slug", "author_id", "has_code", "length")
    META_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    HAS_CODE_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    explanation_id: str
    challenge_slug: str
    author_id: str
    has_code: bool
    length: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., explanation_id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., author_id: _Optional[str] = ..., has_code: _Optional[bool] = ..., length: _Optional[int] = ...) -> None: ...

class ExplanationVoted(_message.Message):
    __slots__ = ("meta", "explanation_id", "challenge_slug", "author_id", "voter_id", "helpful", "votes")
    META_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    VOTER_ID_FIELD_NUMBER: _ClassVar[int]
    HELPFUL_FIELD_NUMBER: _ClassVar[int]
    VOTES_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    explanation_id: str
    challenge_slug: str
    author_id: str
    voter_id: str
    helpful: bool
    votes: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., explanation_id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., author_id: _Optional[str] = ..., voter_id: _Optional[str] = ..., helpful: _Optional[bool] = ..., votes: _Optional[int] = ...) -> None: ...

class ExplanationValidated(_message.Message):
    __slots__ = ("meta", "explanation_id", "challenge_slug", "author_id", "moderator_id", "validated", "hidden")
    META_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    MODERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_FIELD_NUMBER: _ClassVar[int]
    HIDDEN_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    explanation_id: str
    challenge_slug: str
    author_id: str
    moderator_id: str
    validated: bool
    hidden: bool
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., explanation_id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., author_id: _Optional[str] = ..., moderator_id: _Optional[str] = ..., validated: _Optional[bool] = ..., hidden: _Optional[bool] = ...) -> None: ...
