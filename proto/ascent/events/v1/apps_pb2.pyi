from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AnalysisStarted(_message.Message):
    __slots__ = ("meta", "analysis_id", "app_slug", "owner_id", "session_id", "dataset_sha256", "run_id")
    META_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    analysis_id: str
    app_slug: str
    owner_id: str
    session_id: str
    dataset_sha256: str
    run_id: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., analysis_id: _Optional[str] = ..., app_slug: _Optional[str] = ..., owner_id: _Optional[str] = ..., session_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., run_id: _Optional[str] = ...) -> None: ...

class AnalysisCompleted(_message.Message):
    __slots__ = ("meta", "analysis_id", "app_slug", "owner_id", "session_id", "dataset_sha256", "run_id", "status", "duration_ms", "sections", "quality_score", "neighbourhood", "recommendations", "recommendation_kinds", "training")
    META_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    SECTIONS_FIELD_NUMBER: _ClassVar[int]
    QUALITY_SCORE_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURHOOD_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATIONS_FIELD_NUMBER: _ClassVar[int]
    RECOMMENDATION_KINDS_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    analysis_id: str
    app_slug: str
    owner_id: str
    session_id: str
    dataset_sha256: str
    run_id: str
    status: str
    duration_ms: int
    sections: _containers.RepeatedScalarFieldContainer[str]
    quality_score: float
    neighbourhood: str
    recommendations: _containers.RepeatedScalarFieldContainer[str]
    recommendation_kinds: _containers.RepeatedScalarFieldContainer[str]
    training: TrainedModel
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., analysis_id: _Optional[str] = ..., app_slug: _Optional[str] = ..., owner_id: _Optional[str] = ..., session_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., run_id: _Optional[str] = ..., status: _Optional[str] = ..., duration_ms: _Optional[int] = ..., sections: _Optional[_Iterable[str]] = ..., quality_score: _Optional[float] = ..., neighbourhood: _Optional[str] = ..., recommendations: _Optional[_Iterable[str]] = ..., recommendation_kinds: _Optional[_Iterable[str]] = ..., training: _Optional[_Union[TrainedModel, _Mapping]] = ...) -> None: ...

class TrainedModel(_message.Message):
    __slots__ = ("model", "params_json", "metric", "validation")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    model: str
    params_json: str
    metric: str
    validation: float
    def __init__(self, model: _Optional[str] = ..., params_json: _Optional[str] = ..., metric: _Optional[str] = ..., validation: _Optional[float] = ...) -> None: ...

class SuggestionApplied(_message.Message):
    __slots__ = ("meta", "analysis_id", "app_slug", "owner_id", "session_id", "suggestion_key", "verdict", "neighbourhood", "kind")
    META_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SUGGESTION_KEY_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURHOOD_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    analysis_id: str
    app_slug: str
    owner_id: str
    session_id: str
    suggestion_key: str
    verdict: str
    neighbourhood: str
    kind: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., analysis_id: _Optional[str] = ..., app_slug: _Optional[str] = ..., owner_id: _Optional[str] = ..., session_id: _Optional[str] = ..., suggestion_key: _Optional[str] = ..., verdict: _Optional[str] = ..., neighbourhood: _Optional[str] = ..., kind: _Optional[str] = ...) -> None: ...

class ViewRecorded(_message.Message):
    __slots__ = ("meta", "analysis_id", "app_slug", "owner_id", "view", "seconds")
    META_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    analysis_id: str
    app_slug: str
    owner_id: str
    view: str
    seconds: float
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., analysis_id: _Optional[str] = ..., app_slug: _Optional[str] = ..., owner_id: _Optional[str] = ..., view: _Optional[str] = ..., seconds: _Optional[float] = ...) -> None: ...

class SuggestionEvaluated(_message.Message):
    __slots__ = ("meta", "analysis_id", "app_slug", "owner_id", "suggestion_key", "neighbourhood", "run_id", "improved", "score_change", "kind")
    META_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SUGGESTION_KEY_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURHOOD_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    IMPROVED_FIELD_NUMBER: _ClassVar[int]
    SCORE_CHANGE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    analysis_id: str
    app_slug: str
    owner_id: str
    suggestion_key: str
    neighbourhood: str
    run_id: str
    improved: bool
    score_change: float
    kind: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., analysis_id: _Optional[str] = ..., app_slug: _Optional[str] = ..., owner_id: _Optional[str] = ..., suggestion_key: _Optional[str] = ..., neighbourhood: _Optional[str] = ..., run_id: _Optional[str] = ..., improved: _Optional[bool] = ..., score_change: _Optional[float] = ..., kind: _Optional[str] = ...) -> None: ...

class AutomlTrial(_message.Message):
    __slots__ = ("meta", "analysis_id", "owner_id", "dataset_sha256", "number", "pipeline_json", "metric", "score", "duration_ms", "warm", "ensemble")
    META_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    PIPELINE_JSON_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    DURATION_MS_FIELD_NUMBER: _ClassVar[int]
    WARM_FIELD_NUMBER: _ClassVar[int]
    ENSEMBLE_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    analysis_id: str
    owner_id: str
    dataset_sha256: str
    number: int
    pipeline_json: str
    metric: str
    score: float
    duration_ms: int
    warm: bool
    ensemble: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., analysis_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., number: _Optional[int] = ..., pipeline_json: _Optional[str] = ..., metric: _Optional[str] = ..., score: _Optional[float] = ..., duration_ms: _Optional[int] = ..., warm: _Optional[bool] = ..., ensemble: _Optional[str] = ...) -> None: ...

class ExplanationRated(_message.Message):
    __slots__ = ("meta", "analysis_id", "owner_id", "explanation", "level", "useful", "dataset_sha256")
    META_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPLANATION_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    USEFUL_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    analysis_id: str
    owner_id: str
    explanation: str
    level: str
    useful: bool
    dataset_sha256: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., analysis_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., explanation: _Optional[str] = ..., level: _Optional[str] = ..., useful: _Optional[bool] = ..., dataset_sha256: _Optional[str] = ...) -> None: ...

class ForecastEvaluated(_message.Message):
    __slots__ = ("meta", "analysis_id", "owner_id", "dataset_sha256", "neighbourhood", "length", "seasonal_strength", "trend_strength", "period", "winner", "horizon", "folds", "scores")
    META_FIELD_NUMBER: _ClassVar[int]
    ANALYSIS_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURHOOD_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    SEASONAL_STRENGTH_FIELD_NUMBER: _ClassVar[int]
    TREND_STRENGTH_FIELD_NUMBER: _ClassVar[int]
    PERIOD_FIELD_NUMBER: _ClassVar[int]
    WINNER_FIELD_NUMBER: _ClassVar[int]
    HORIZON_FIELD_NUMBER: _ClassVar[int]
    FOLDS_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    analysis_id: str
    owner_id: str
    dataset_sha256: str
    neighbourhood: str
    length: int
    seasonal_strength: float
    trend_strength: float
    period: int
    winner: str
    horizon: int
    folds: int
    scores: _containers.RepeatedCompositeFieldContainer[ForecastScore]
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., analysis_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., neighbourhood: _Optional[str] = ..., length: _Optional[int] = ..., seasonal_strength: _Optional[float] = ..., trend_strength: _Optional[float] = ..., period: _Optional[int] = ..., winner: _Optional[str] = ..., horizon: _Optional[int] = ..., folds: _Optional[int] = ..., scores: _Optional[_Iterable[_Union[ForecastScore, _Mapping]]] = ...) -> None: ...

class ForecastScore(_message.Message):
    __slots__ = ("model", "mae", "rmse", "smape")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MAE_FIELD_NUMBER: _ClassVar[int]
    RMSE_FIELD_NUMBER: _ClassVar[int]
    SMAPE_FIELD_NUMBER: _ClassVar[int]
    model: str
    mae: float
    rmse: float
    smape: float
    def __init__(self, model: _Optional[str] = ..., mae: _Optional[float] = ..., rmse: _Optional[float] = ..., smape: _Optional[float] = ...) -> None: ...
