import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunError(_message.Message):
    __slots__ = ("type", "message", "traceback")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    TRACEBACK_FIELD_NUMBER: _ClassVar[int]
    type: str
    message: str
    traceback: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, type: _Optional[str] = ..., message: _Optional[str] = ..., traceback: _Optional[_Iterable[str]] = ...) -> None: ...

class RunOutcome(_message.Message):
    __slots__ = ("accuracy", "precision", "recall", "f1_score", "rmse", "mae", "r2", "model_type", "dataset_info_json", "confusion_matrix_json", "pipeline_json", "task_type", "unranked_reason", "cv_score")
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    PRECISION_FIELD_NUMBER: _ClassVar[int]
    RECALL_FIELD_NUMBER: _ClassVar[int]
    F1_SCORE_FIELD_NUMBER: _ClassVar[int]
    RMSE_FIELD_NUMBER: _ClassVar[int]
    MAE_FIELD_NUMBER: _ClassVar[int]
    R2_FIELD_NUMBER: _ClassVar[int]
    MODEL_TYPE_FIELD_NUMBER: _ClassVar[int]
    DATASET_INFO_JSON_FIELD_NUMBER: _ClassVar[int]
    CONFUSION_MATRIX_JSON_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_JSON_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    UNRANKED_REASON_FIELD_NUMBER: _ClassVar[int]
    CV_SCORE_FIELD_NUMBER: _ClassVar[int]
    accuracy: float
    precision: float
    recall: float
    f1_score: float
    rmse: float
    mae: float
    r2: float
    model_type: str
    dataset_info_json: str
    confusion_matrix_json: str
    pipeline_json: str
    task_type: str
    unranked_reason: str
    cv_score: float
    def __init__(self, accuracy: _Optional[float] = ..., precision: _Optional[float] = ..., recall: _Optional[float] = ..., f1_score: _Optional[float] = ..., rmse: _Optional[float] = ..., mae: _Optional[float] = ..., r2: _Optional[float] = ..., model_type: _Optional[str] = ..., dataset_info_json: _Optional[str] = ..., confusion_matrix_json: _Optional[str] = ..., pipeline_json: _Optional[str] = ..., task_type: _Optional[str] = ..., unranked_reason: _Optional[str] = ..., cv_score: _Optional[float] = ...) -> None: ...

class DisplayRow(_message.Message):
    __slots__ = ("cells",)
    CELLS_FIELD_NUMBER: _ClassVar[int]
    cells: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, cells: _Optional[_Iterable[str]] = ...) -> None: ...

class DisplayTable(_message.Message):
    __slots__ = ("columns", "index", "rows", "total_rows", "total_columns")
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_ROWS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_COLUMNS_FIELD_NUMBER: _ClassVar[int]
    columns: _containers.RepeatedScalarFieldContainer[str]
    index: _containers.RepeatedScalarFieldContainer[str]
    rows: _containers.RepeatedCompositeFieldContainer[DisplayRow]
    total_rows: int
    total_columns: int
    def __init__(self, columns: _Optional[_Iterable[str]] = ..., index: _Optional[_Iterable[str]] = ..., rows: _Optional[_Iterable[_Union[DisplayRow, _Mapping]]] = ..., total_rows: _Optional[int] = ..., total_columns: _Optional[int] = ...) -> None: ...

class RunDisplay(_message.Message):
    __slots__ = ("kind", "type_name", "text", "table")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TYPE_NAME_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    TABLE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    type_name: str
    text: str
    table: DisplayTable
    def __init__(self, kind: _Optional[str] = ..., type_name: _Optional[str] = ..., text: _Optional[str] = ..., table: _Optional[_Union[DisplayTable, _Mapping]] = ...) -> None: ...

class Grade(_message.Message):
    __slots__ = ("challenge_slug", "metric", "lower_is_better", "status", "message", "public_score", "private_score", "pass_threshold", "passed", "predictions", "expected", "challenge_version")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    LOWER_IS_BETTER_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_SCORE_FIELD_NUMBER: _ClassVar[int]
    PRIVATE_SCORE_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    metric: str
    lower_is_better: bool
    status: str
    message: str
    public_score: float
    private_score: float
    pass_threshold: float
    passed: bool
    predictions: int
    expected: int
    challenge_version: int
    def __init__(self, challenge_slug: _Optional[str] = ..., metric: _Optional[str] = ..., lower_is_better: _Optional[bool] = ..., status: _Optional[str] = ..., message: _Optional[str] = ..., public_score: _Optional[float] = ..., private_score: _Optional[float] = ..., pass_threshold: _Optional[float] = ..., passed: _Optional[bool] = ..., predictions: _Optional[int] = ..., expected: _Optional[int] = ..., challenge_version: _Optional[int] = ...) -> None: ...

class Run(_message.Message):
    __slots__ = ("id", "session_id", "owner_id", "name", "code", "outcome", "stdout", "stderr", "error", "has_error", "is_improved", "parent_run_id", "dataset_sha256", "status", "duration_ms", "peak_memory_kb", "created_at", "figures", "challenge_slug", "grade", "challenge_version", "practice", "display", "notices", "summary", "app_slug", "scored_by")
    ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    STDOUT_FIELD_NUMBER: _ClassVar[int]
    STDERR_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    HAS_ERROR_FIELD_NUMBER: _ClassVar[int]
    IS_IMPROVED_FIELD_NUMBER: _ClassVar[int]
    PARENT_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    PEAK_MEMORY_KB_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    GRADE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    PRACTICE_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_FIELD_NUMBER: _ClassVar[int]
    NOTICES_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    SCORED_BY_FIELD_NUMBER: _ClassVar[int]
    id: str
    session_id: str
    owner_id: str
    name: str
    code: str
    outcome: RunOutcome
    stdout: str
    stderr: str
    error: RunError
    has_error: bool
    is_improved: bool
    parent_run_id: str
    dataset_sha256: str
    status: str
    duration_ms: int
    peak_memory_kb: int
    created_at: _timestamp_pb2.Timestamp
    figures: _containers.RepeatedScalarFieldContainer[bytes]
    challenge_slug: str
    grade: Grade
    challenge_version: int
    practice: bool
    display: RunDisplay
    notices: _containers.RepeatedScalarFieldContainer[str]
    summary: bool
    app_slug: str
    scored_by: str
    def __init__(self, id: _Optional[str] = ..., session_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., name: _Optional[str] = ..., code: _Optional[str] = ..., outcome: _Optional[_Union[RunOutcome, _Mapping]] = ..., stdout: _Optional[str] = ..., stderr: _Optional[str] = ..., error: _Optional[_Union[RunError, _Mapping]] = ..., has_error: _Optional[bool] = ..., is_improved: _Optional[bool] = ..., parent_run_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., status: _Optional[str] = ..., duration_ms: _Optional[int] = ..., peak_memory_kb: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., figures: _Optional[_Iterable[bytes]] = ..., challenge_slug: _Optional[str] = ..., grade: _Optional[_Union[Grade, _Mapping]] = ..., challenge_version: _Optional[int] = ..., practice: _Optional[bool] = ..., display: _Optional[_Union[RunDisplay, _Mapping]] = ..., notices: _Optional[_Iterable[str]] = ..., summary: _Optional[bool] = ..., app_slug: _Optional[str] = ..., scored_by: _Optional[str] = ...) -> None: ...
