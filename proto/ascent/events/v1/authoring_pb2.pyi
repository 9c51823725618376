from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PublishedChallenge(_message.Message):
    __slots__ = ("slug", "version", "title", "summary", "lesson_md", "metric", "pass_threshold", "task_type", "target", "track_slug", "position", "hints", "starter_code", "owner_id", "daily_submissions")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    LESSON_MD_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TRACK_SLUG_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    HINTS_FIELD_NUMBER: _ClassVar[int]
    STARTER_CODE_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DAILY_SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    slug: str
    version: int
    title: str
    summary: str
    lesson_md: str
    metric: str
    pass_threshold: float
    task_type: str
    target: str
    track_slug: str
    position: int
    hints: _containers.RepeatedScalarFieldContainer[str]
    starter_code: str
    owner_id: str
    daily_submissions: int
    def __init__(self, slug: _Optional[str] = ..., version: _Optional[int] = ..., title: _Optional[str] = ..., summary: _Optional[str] = ..., lesson_md: _Optional[str] = ..., metric: _Optional[str] = ..., pass_threshold: _Optional[float] = ..., task_type: _Optional[str] = ..., target: _Optional[str] = ..., track_slug: _Optional[str] = ..., position: _Optional[int] = ..., hints: _Optional[_Iterable[str]] = ..., starter_code: _Optional[str] = ..., owner_id: _Optional[str] = ..., daily_submissions: _Optional[int] = ...) -> None: ...

class ChallengePublished(_message.Message):
    __slots__ = ("meta", "challenge")
    META_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    challenge: PublishedChallenge
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., challenge: _Optional[_Union[PublishedChallenge, _Mapping]] = ...) -> None: ...

class ChallengeArchived(_message.Message):
    __slots__ = ("meta", "slug", "version")
    META_FIELD_NUMBER: _ClassVar[int]
    SLUG_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    slug: str
    version: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., slug: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...
