from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DeploymentCreated(_message.Message):
    __slots__ = ("meta", "deployment_id", "owner_id", "version", "run_id", "dataset_sha256", "model_type", "app_slug", "challenge_slug", "p50_ms", "metric", "score", "score_source", "passed", "challenge_version")
    META_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    MODEL_TYPE_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    P50_MS_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SCORE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    deployment_id: str
    owner_id: str
    version: int
    run_id: str
    dataset_sha256: str
    model_type: str
    app_slug: str
    challenge_slug: str
    p50_ms: float
    metric: str
    score: float
    score_source: str
    passed: bool
    challenge_version: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., deployment_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., version: _Optional[int] = ..., run_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., model_type: _Optional[str] = ..., app_slug: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., p50_ms: _Optional[float] = ..., metric: _Optional[str] = ..., score: _Optional[float] = ..., score_source: _Optional[str] = ..., passed: _Optional[bool] = ..., challenge_version: _Optional[int] = ...) -> None: ...

class ModelServed(_message.Message):
    __slots__ = ("meta", "deployment_id", "owner_id", "version")
    META_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    deployment_id: str
    owner_id: str
    version: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., deployment_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class DriftDetected(_message.Message):
    __slots__ = ("meta", "deployment_id", "owner_id", "version", "feature", "test", "value", "threshold", "rows")
    META_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    deployment_id: str
    owner_id: str
    version: int
    feature: str
    test: str
    value: float
    threshold: float
    rows: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., deployment_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., version: _Optional[int] = ..., feature: _Optional[str] = ..., test: _Optional[str] = ..., value: _Optional[float] = ..., threshold: _Optional[float] = ..., rows: _Optional[int] = ...) -> None: ...

class ConceptDriftDetected(_message.Message):
    __slots__ = ("meta", "deployment_id", "owner_id", "version", "metric", "training_score", "current_score", "threshold", "window_labels")
    META_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    TRAINING_SCORE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_SCORE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    WINDOW_LABELS_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    deployment_id: str
    owner_id: str
    version: int
    metric: str
    training_score: float
    current_score: float
    threshold: float
    window_labels: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., deployment_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., version: _Optional[int] = ..., metric: _Optional[str] = ..., training_score: _Optional[float] = ..., current_score: _Optional[float] = ..., threshold: _Optional[float] = ..., window_labels: _Optional[int] = ...) -> None: ...
