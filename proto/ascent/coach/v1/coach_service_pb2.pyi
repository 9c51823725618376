from ascent.types.v1 import run_pb2 as _run_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RateRequest(_message.Message):
    __slots__ = ("proposal_id", "owner_id", "rating", "verdict")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    RATING_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    owner_id: str
    rating: int
    verdict: str
    def __init__(self, proposal_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., rating: _Optional[int] = ..., verdict: _Optional[str] = ...) -> None: ...

class RateResponse(_message.Message):
    __slots__ = ("proposal_id",)
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    def __init__(self, proposal_id: _Optional[str] = ...) -> None: ...

class ImproveRequest(_message.Message):
    __slots__ = ("run", "history", "mode")
    RUN_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    run: _run_pb2.Run
    history: _containers.RepeatedCompositeFieldContainer[_run_pb2.Run]
    mode: str
    def __init__(self, run: _Optional[_Union[_run_pb2.Run, _Mapping]] = ..., history: _Optional[_Iterable[_Union[_run_pb2.Run, _Mapping]]] = ..., mode: _Optional[str] = ...) -> None: ...

class SocraticStep(_message.Message):
    __slots__ = ("kind", "text")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    kind: str
    text: str
    def __init__(self, kind: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class ImprovedExperiment(_message.Message):
    __slots__ = ("name", "code", "rationale")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    name: str
    code: str
    rationale: str
    def __init__(self, name: _Optional[str] = ..., code: _Optional[str] = ..., rationale: _Optional[str] = ...) -> None: ...

class ImproveResponse(_message.Message):
    __slots__ = ("proposal_id", "diagnosis", "suggestions", "improved_experiment", "engine", "mode", "steps", "notice", "pipeline_keys", "platform_code")
    PROPOSAL_ID_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSIS_FIELD_NUMBER: _ClassVar[int]
    SUGGESTIONS_FIELD_NUMBER: _ClassVar[int]
    IMPROVED_EXPERIMENT_FIELD_NUMBER: _ClassVar[int]
    ENGINE_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    STEPS_FIELD_NUMBER: _ClassVar[int]
    NOTICE_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_KEYS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_CODE_FIELD_NUMBER: _ClassVar[int]
    proposal_id: str
    diagnosis: str
    suggestions: _containers.RepeatedScalarFieldContainer[str]
    improved_experiment: ImprovedExperiment
    engine: str
    mode: str
    steps: _containers.RepeatedCompositeFieldContainer[SocraticStep]
    notice: str
    pipeline_keys: _containers.RepeatedScalarFieldContainer[str]
    platform_code: bool
    def __init__(self, proposal_id: _Optional[str] = ..., diagnosis: _Optional[str] = ..., suggestions: _Optional[_Iterable[str]] = ..., improved_experiment: _Optional[_Union[ImprovedExperiment, _Mapping]] = ..., engine: _Optional[str] = ..., mode: _Optional[str] = ..., steps: _Optional[_Iterable[_Union[SocraticStep, _Mapping]]] = ..., notice: _Optional[str] = ..., pipeline_keys: _Optional[_Iterable[str]] = ..., platform_code: _Optional[bool] = ...) -> None: ...
