import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GetStartingPointsRequest(_message.Message):
    __slots__ = ("owner_id", "dataset_sha256", "target", "model")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    dataset_sha256: str
    target: str
    model: str
    def __init__(self, owner_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., target: _Optional[str] = ..., model: _Optional[str] = ...) -> None: ...

class GetStartingPointsResponse(_message.Message):
    __slots__ = ("data_json",)
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    data_json: str
    def __init__(self, data_json: _Optional[str] = ...) -> None: ...

class AppInfo(_message.Message):
    __slots__ = ("slug", "title", "concept", "summary", "unlocked", "unlock_text", "available")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    UNLOCKED_FIELD_NUMBER: _ClassVar[int]
    UNLOCK_TEXT_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    slug: str
    title: str
    concept: str
    summary: str
    unlocked: bool
    unlock_text: str
    available: bool
    def __init__(self, slug: _Optional[str] = ..., title: _Optional[str] = ..., concept: _Optional[str] = ..., summary: _Optional[str] = ..., unlocked: _Optional[bool] = ..., unlock_text: _Optional[str] = ..., available: _Optional[bool] = ...) -> None: ...

class ListAppsRequest(_message.Message):
    __slots__ = ("learner_id",)
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    learner_id: str
    def __init__(self, learner_id: _Optional[str] = ...) -> None: ...

class ListAppsResponse(_message.Message):
    __slots__ = ("apps",)
    APPS_FIELD_NUMBER: _ClassVar[int]
    apps: _containers.RepeatedCompositeFieldContainer[AppInfo]
    def __init__(self, apps: _Optional[_Iterable[_Union[AppInfo, _Mapping]]] = ...) -> None: ...

class StartAnalysisRequest(_message.Message):
    __slots__ = ("app_slug", "owner_id", "session_id", "dataset_sha256", "dataset_name", "target", "options_json")
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    app_slug: str
    owner_id: str
    session_id: str
    dataset_sha256: str
    dataset_name: str
    target: str
    options_json: str
    def __init__(self, app_slug: _Optional[str] = ..., owner_id: _Optional[str] = ..., session_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., dataset_name: _Optional[str] = ..., target: _Optional[str] = ..., options_json: _Optional[str] = ...) -> None: ...

class GetProgramResponse(_message.Message):
    __slots__ = ("code", "options_json")
    CODE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    code: str
    options_json: str
    def __init__(self, code: _Optional[str] = ..., options_json: _Optional[str] = ...) -> None: ...

class Section(_message.Message):
    __slots__ = ("kind", "version", "data_json")
    KIND_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DATA_JSON_FIELD_NUMBER: _ClassVar[int]
    kind: str
    version: int
    data_json: str
    def __init__(self, kind: _Optional[str] = ..., version: _Optional[int] = ..., data_json: _Optional[str] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ("done", "total", "label")
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    done: int
    total: int
    label: str
    def __init__(self, done: _Optional[int] = ..., total: _Optional[int] = ..., label: _Optional[str] = ...) -> None: ...

class Analysis(_message.Message):
    __slots__ = ("id", "app_slug", "owner_id", "session_id", "dataset_sha256", "target", "options_json", "code", "status", "run_id", "sections", "error_message", "created_at", "completed_at", "duration_ms", "dataset_name")
    ID_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    DATASET_NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    app_slug: str
    owner_id: str
    session_id: str
    dataset_sha256: str
    target: str
    options_json: str
    code: str
    status: str
    run_id: str
    sections: _containers.RepeatedCompositeFieldContainer[Section]
    error_message: str
    created_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    duration_ms: int
    dataset_name: str
    def __init__(self, id: _Optional[str] = ..., app_slug: _Optional[str] = ..., owner_id: _Optional[str] = ..., session_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., target: _Optional[str] = ..., options_json: _Optional[str] = ..., code: _Optional[str] = ..., status: _Optional[str] = ..., run_id: _Optional[str] = ..., sections: _Optional[_Iterable[_Union[Section, _Mapping]]] = ..., error_message: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duration_ms: _Optional[int] = ..., dataset_name: _Optional[str] = ...) -> None: ...

class AnalysisStarted(_message.Message):
    __slots__ = ("analysis_id", "run_id", "code")
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    analysis_id: str
    run_id: str
    code: str
    def __init__(self, analysis_id: _Optional[str] = ..., run_id: _Optional[str] = ..., code: _Optional[str] = ...) -> None: ...

class AnalysisEvent(_message.Message):
    __slots__ = ("started", "progress", "section", "result")
    STARTED_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    SECTION_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    started: AnalysisStarted
    progress: Progress
    section: Section
    result: Analysis
    def __init__(self, started: _Optional[_Union[AnalysisStarted, _Mapping]] = ..., progress: _Optional[_Union[Progress, _Mapping]] = ..., section: _Optional[_Union[Section, _Mapping]] = ..., result: _Optional[_Union[Analysis, _Mapping]] = ...) -> None: ...

class CancelAnalysisRequest(_message.Message):
    __slots__ = ("analysis_id", "owner_id")
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    analysis_id: str
    owner_id: str
    def __init__(self, analysis_id: _Optional[str] = ..., owner_id: _Optional[str] = ...) -> None: ...

class CancelAnalysisResponse(_message.Message):
    __slots__ = ("found",)
    FOUND_FIELD_NUMBER: _ClassVar[int]
    found: bool
    def __init__(self, found: _Optional[bool] = ...) -> None: ...

class GetAnalysisRequest(_message.Message):
    __slots__ = ("analysis_id", "owner_id", "app_slug", "session_id")
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    analysis_id: str
    owner_id: str
    app_slug: str
    session_id: str
    def __init__(self, analysis_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., app_slug: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class GetAnalysisResponse(_message.Message):
    __slots__ = ("found", "analysis")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_FIELD_NUMBER: _ClassVar[int]
    found: bool
    analysis: Analysis
    def __init__(self, found: _Optional[bool] = ..., analysis: _Optional[_Union[Analysis, _Mapping]] = ...) -> None: ...

class RecordViewRequest(_message.Message):
    __slots__ = ("analysis_id", "owner_id", "view", "seconds")
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    analysis_id: str
    owner_id: str
    view: str
    seconds: float
    def __init__(self, analysis_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., view: _Optional[str] = ..., seconds: _Optional[float] = ...) -> None: ...

class RecordViewResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ApplySuggestionRequest(_message.Message):
    __slots__ = ("analysis_id", "owner_id", "suggestion_key", "verdict")
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SUGGESTION_KEY_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    analysis_id: str
    owner_id: str
    suggestion_key: str
    verdict: str
    def __init__(self, analysis_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., suggestion_key: _Optional[str] = ..., verdict: _Optional[str] = ...) -> None: ...

class ApplySuggestionResponse(_message.Message):
    __slots__ = ("code",)
    CODE_FIELD_NUMBER: _ClassVar[int]
    code: str
    def __init__(self, code: _Optional[str] = ...) -> None: ...

class RateExplanationRequest(_message.Message):
    __slots__ = ("analysis_id", "owner_id", "explanation", "useful")
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    USEFUL_FIELD_NUMBER: _ClassVar[int]
    analysis_id: str
    owner_id: str
    explanation: str
    useful: bool
    def __init__(self, analysis_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., explanation: _Optional[str] = ..., useful: _Optional[bool] = ...) -> None: ...

class RankExplanationsRequest(_message.Message):
    __slots__ = ("level",)
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    level: str
    def __init__(self, level: _Optional[str] = ...) -> None: ...

class ExplanationRank(_message.Message):
    __slots__ = ("explanation", "useful", "not_useful", "weight")
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    USEFUL_FIELD_NUMBER: _ClassVar[int]
    NOT_USEFUL_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    explanation: str
    useful: int
    not_useful: int
    weight: float
    def __init__(self, explanation: _Optional[str] = ..., useful: _Optional[int] = ..., not_useful: _Optional[int] = ..., weight: _Optional[float] = ...) -> None: ...

class ExplanationRanking(_message.Message):
    __slots__ = ("level", "ranks")
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    RANKS_FIELD_NUMBER: _ClassVar[int]
    level: str
    ranks: _containers.RepeatedCompositeFieldContainer[ExplanationRank]
    def __init__(self, level: _Optional[str] = ..., ranks: _Optional[_Iterable[_Union[ExplanationRank, _Mapping]]] = ...) -> None: ...
