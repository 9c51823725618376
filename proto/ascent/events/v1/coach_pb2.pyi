from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImprovementProposed(_message.Message):
    __slots__ = ("meta", "proposal_id", "run_id", "owner_id", "experiment_name", "engine", "pipeline_keys", "predicted_score", "source", "explored", "dataset_sha256")
    META_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_NAME_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_KEYS_FIELD_NUMBER: _ClassVar[int]
    PREDICTED_SCORE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXPLORED_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    proposal_id: str
    run_id: str
    owner_id: str
    experiment_name: str
    engine: str
    pipeline_keys: _containers.RepeatedScalarFieldContainer[str]
    predicted_score: float
    source: str
    explored: bool
    dataset_sha256: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., proposal_id: _Optional[str] = ..., run_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., experiment_name: _Optional[str] = ..., engine: _Optional[str] = ..., pipeline_keys: _Optional[_Iterable[str]] = ..., predicted_score: _Optional[float] = ..., source: _Optional[str] = ..., explored: _Optional[bool] = ..., dataset_sha256: _Optional[str] = ...) -> None: ...

class ProposalRated(_message.Message):
    __slots__ = ("meta", "proposal_id", "run_id", "owner_id", "rating", "verdict", "engine", "pipeline_keys")
    META_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_KEYS_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    proposal_id: str
    run_id: str
    owner_id: str
    rating: int
    verdict: str
    engine: str
    pipeline_keys: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., proposal_id: _Optional[str] = ..., run_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., rating: _Optional[int] = ..., verdict: _Optional[str] = ..., engine: _Optional[str] = ..., pipeline_keys: _Optional[_Iterable[str]] = ...) -> None: ...
