from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ObservationRecorded(_message.Message):
    __slots__ = ("meta", "run_id", "dataset_key", "task_type", "pipeline_key", "trust", "metric", "score")
    META_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_KEY_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_KEY_FIELD_NUMBER: _ClassVar[int]
    TRUST_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    run_id: str
    dataset_key: str
    task_type: str
    pipeline_key: str
    trust: str
    metric: str
    score: float
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., run_id: _Optional[str] = ..., dataset_key: _Optional[str] = ..., task_type: _Optional[str] = ..., pipeline_key: _Optional[str] = ..., trust: _Optional[str] = ..., metric: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...
