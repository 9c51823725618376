from ascent.events.v1 import meta_pb2 as _meta_pb2
from ascent.types.v1 import run_pb2 as _run_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunCompleted(_message.Message):
    __slots__ = ("meta", "run")
    META_FIELD_NUMBER: _ClassVar[int]
    RUN_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    run: _run_pb2.Run
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., run: _Optional[_Union[_run_pb2.Run, _Mapping]] = ...) -> None: ...
