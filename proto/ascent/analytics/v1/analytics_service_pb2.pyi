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
