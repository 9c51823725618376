import datetime

from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SessionCreated(_message.Message):
    __slots__ = ("meta", "session_id", "owner_id")
    META_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    session_id: str
    owner_id: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., session_id: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...

class DatasetUploaded(_message.Message):
    __slots__ = ("meta", "session_id", "owner_id", "dataset_sha256", "rows", "columns", "filename")
    META_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    session_id: str
    owner_id: str
    dataset_sha256: str
    rows: int
    columns: int
    filename: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., session_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., rows: _Optional[int] = ..., columns: _Optional[int] = ..., filename: _Optional[str] = ...) -> None: ...

class AdviceRated(_message.Message):
    __slots__ = ("meta", "session_id", "owner_id", "proposal_id", "run_id", "helpful")
    META_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    HELPFUL_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    session_id: str
    owner_id: str
    proposal_id: str
    run_id: str
    helpful: bool
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., session_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., proposal_id: _Optional[str] = ..., run_id: _Optional[str] = ..., helpful: _Optional[bool] = ...) -> None: ...

class CohortCreated(_message.Message):
    __slots__ = ("meta", "cohort_id", "name", "instructor_id")
    META_FIELD_NUMBER: _ClassVar[int]
    COHORT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    cohort_id: str
    name: str
    instructor_id: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., cohort_id: _Optional[str] = ..., name: _Optional[str] = ..., instructor_id: _Optional[str] = ...) -> None: ...

class CohortJoined(_message.Message):
    __slots__ = ("meta", "cohort_id", "learner_id")
    META_FIELD_NUMBER: _ClassVar[int]
    COHORT_ID_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    cohort_id: str
    learner_id: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., cohort_id: _Optional[str] = ..., learner_id: _Optional[str] = ...) -> None: ...

class AssignmentCreated(_message.Message):
    __slots__ = ("meta", "cohort_id", "challenge_slug", "due_at", "instructor_id")
    META_FIELD_NUMBER: _ClassVar[int]
    COHORT_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    DUE_AT_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    cohort_id: str
    challenge_slug: str
    due_at: _timestamp_pb2.Timestamp
    instructor_id: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., cohort_id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., due_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., instructor_id: _Optional[str] = ...) -> None: ...

class HintRevealed(_message.Message):
    __slots__ = ("meta", "learner_id", "challenge_slug", "hints_shown", "hints_total")
    META_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    HINTS_SHOWN_FIELD_NUMBER: _ClassVar[int]
    HINTS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    learner_id: str
    challenge_slug: str
    hints_shown: int
    hints_total: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., learner_id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., hints_shown: _Optional[int] = ..., hints_total: _Optional[int] = ...) -> None: ...

class AnswerTaken(_message.Message):
    __slots__ = ("meta", "learner_id", "challenge_slug", "session_id", "proposal_id", "mode")
    META_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    learner_id: str
    challenge_slug: str
    session_id: str
    proposal_id: str
    mode: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., learner_id: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., session_id: _Optional[str] = ..., proposal_id: _Optional[str] = ..., mode: _Optional[str] = ...) -> None: ...
