from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class GetOutboxRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetOutboxResponse(_message.Message):
    __slots__ = ("producer", "pending", "oldest_pending_seconds", "dead_lettered", "last_dead_subject", "last_dead_event_id", "last_dead_error", "head_attempts")
    PRODUCER_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    OLDEST_PENDING_SECONDS_FIELD_NUMBER: _ClassVar[int]
    DEAD_LETTERED_FIELD_NUMBER: _ClassVar[int]
    LAST_DEAD_SUBJECT_FIELD_NUMBER: _ClassVar[int]
    LAST_DEAD_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_DEAD_ERROR_FIELD_NUMBER: _ClassVar[int]
    HEAD_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    producer: str
    pending: int
    oldest_pending_seconds: float
    dead_lettered: int
    last_dead_subject: str
    last_dead_event_id: str
    last_dead_error: str
    head_attempts: int
    def __init__(self, producer: _Optional[str] = ..., pending: _Optional[int] = ..., oldest_pending_seconds: _Optional[float] = ..., dead_lettered: _Optional[int] = ..., last_dead_subject: _Optional[str] = ..., last_dead_event_id: _Optional[str] = ..., last_dead_error: _Optional[str] = ..., head_attempts: _Optional[int] = ...) -> None: ...
