from ascent.types.v1 import run_pb2 as _run_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetTestFeaturesRequest(_message.Message):
    __slots__ = ("challenge_slug", "challenge_version")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    challenge_version: int
    def __init__(self, challenge_slug: _Optional[str] = ..., challenge_version: _Optional[int] = ...) -> None: ...

class GetTestFeaturesResponse(_message.Message):
    __slots__ = ("csv", "challenge_version", "metric")
    CSV_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    csv: bytes
    challenge_version: int
    metric: str
    def __init__(self, csv: _Optional[bytes] = ..., challenge_version: _Optional[int] = ..., metric: _Optional[str] = ...) -> None: ...

class GradePredictionsRequest(_message.Message):
    __slots__ = ("challenge_slug", "challenge_version", "predictions_json")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    challenge_version: int
    predictions_json: str
    def __init__(self, challenge_slug: _Optional[str] = ..., challenge_version: _Optional[int] = ..., predictions_json: _Optional[str] = ...) -> None: ...

class GradePredictionsResponse(_message.Message):
    __slots__ = ("grade",)
    GRADE_FIELD_NUMBER: _ClassVar[int]
    grade: _run_pb2.Grade
    def __init__(self, grade: _Optional[_Union[_run_pb2.Grade, _Mapping]] = ...) -> None: ...

class ExecuteRequest(_message.Message):
    __slots__ = ("run_id", "session_id", "owner_id", "name", "code", "dataset_sha256", "is_improved", "parent_run_id", "wall_seconds", "challenge_slug", "challenge_version", "practice", "ephemeral", "app_slug", "scored_by")
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    IS_IMPROVED_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    WALL_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PRACTICE_FIELD_NUMBER: _ClassVar[int]
    EPHEMERAL_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    SCORED_BY_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    session_id: str
    owner_id: str
    name: str
    code: str
    dataset_sha256: str
    is_improved: bool
    parent_run_id: str
    wall_seconds: float
    challenge_slug: str
    challenge_version: int
    practice: bool
    ephemeral: bool
    app_slug: str
    scored_by: str
    def __init__(self, run_id: _Optional[str] = ..., session_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., is_improved: _Optional[bool] = ..., parent_run_id: _Optional[str] = ..., wall_seconds: _Optional[float] = ..., challenge_slug: _Optional[str] = ..., challenge_version: _Optional[int] = ..., practice: _Optional[bool] = ..., ephemeral: _Optional[bool] = ..., app_slug: _Optional[str] = ..., scored_by: _Optional[str] = ...) -> None: ...

class OutputChunk(_message.Message):
    __slots__ = ("stream", "text")
    STREAM_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    stream: str
    text: str
    def __init__(self, stream: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class QueuePosition(_message.Message):
    __slots__ = ("position",)
    POSITION_FIELD_NUMBER: _ClassVar[int]
    position: int
    def __init__(self, position: _Optional[int] = ...) -> None: ...

class ExecuteResponse(_message.Message):
    __slots__ = ("queued", "output", "result")
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    queued: QueuePosition
    output: OutputChunk
    result: _run_pb2.Run
    def __init__(self, queued: _Optional[_Union[QueuePosition, _Mapping]] = ..., output: _Optional[_Union[OutputChunk, _Mapping]] = ..., result: _Optional[_Union[_run_pb2.Run, _Mapping]] = ...) -> None: ...

class CancelRequest(_message.Message):
    __slots__ = ("run_id",)
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    run_id: str
    def __init__(self, run_id: _Optional[str] = ...) -> None: ...

class CancelResponse(_message.Message):
    __slots__ = ("found",)
    FOUND_FIELD_NUMBER: _ClassVar[int]
    found: bool
    def __init__(self, found: _Optional[bool] = ...) -> None: ...
