from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Feature(_message.Message):
    __slots__ = ("name", "type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    type: str
    def __init__(self, name: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class Benchmark(_message.Message):
    __slots__ = ("p50_ms", "p95_ms", "throughput_per_s", "requests", "batch_rows_per_s", "batch_rows")
    P50_MS_FIELD_NUMBER: _ClassVar[int]
    P95_MS_FIELD_NUMBER: _ClassVar[int]
    THROUGHPUT_PER_S_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    BATCH_ROWS_PER_S_FIELD_NUMBER: _ClassVar[int]
    BATCH_ROWS_FIELD_NUMBER: _ClassVar[int]
    p50_ms: float
    p95_ms: float
    throughput_per_s: float
    requests: int
    batch_rows_per_s: float
    batch_rows: int
    def __init__(self, p50_ms: _Optional[float] = ..., p95_ms: _Optional[float] = ..., throughput_per_s: _Optional[float] = ..., requests: _Optional[int] = ..., batch_rows_per_s: _Optional[float] = ..., batch_rows: _Optional[int] = ...) -> None: ...

class ModelVersion(_message.Message):
    __slots__ = ("version", "run_id", "session_id", "run_name", "app_slug", "challenge_slug", "dataset_sha256", "model_type", "model_variable", "input_mode", "features", "classes", "metrics_json", "agreement", "checked_rows", "onnx_sha256", "onnx_bytes", "benchmark", "created_at", "judgement")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_NAME_FIELD_NUMBER: _ClassVar[int]
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    MODEL_TYPE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VARIABLE_FIELD_NUMBER: _ClassVar[int]
    INPUT_MODE_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    METRICS_JSON_FIELD_NUMBER: _ClassVar[int]
    AGREEMENT_FIELD_NUMBER: _ClassVar[int]
    CHECKED_ROWS_FIELD_NUMBER: _ClassVar[int]
    ONNX_SHA256_FIELD_NUMBER: _ClassVar[int]
    ONNX_BYTES_FIELD_NUMBER: _ClassVar[int]
    BENCHMARK_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    JUDGEMENT_FIELD_NUMBER: _ClassVar[int]
    version: int
    run_id: str
    session_id: str
    run_name: str
    app_slug: str
    challenge_slug: str
    dataset_sha256: str
    model_type: str
    model_variable: str
    input_mode: str
    features: _containers.RepeatedCompositeFieldContainer[Feature]
    classes: _containers.RepeatedScalarFieldContainer[str]
    metrics_json: str
    agreement: float
    checked_rows: int
    onnx_sha256: str
    onnx_bytes: int
    benchmark: Benchmark
    created_at: str
    judgement: Judgement
    def __init__(self, version: _Optional[int] = ..., run_id: _Optional[str] = ..., session_id: _Optional[str] = ..., run_name: _Optional[str] = ..., app_slug: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., dataset_sha256: _Optional[str] = ..., model_type: _Optional[str] = ..., model_variable: _Optional[str] = ..., input_mode: _Optional[str] = ..., features: _Optional[_Iterable[_Union[Feature, _Mapping]]] = ..., classes: _Optional[_Iterable[str]] = ..., metrics_json: _Optional[str] = ..., agreement: _Optional[float] = ..., checked_rows: _Optional[int] = ..., onnx_sha256: _Optional[str] = ..., onnx_bytes: _Optional[int] = ..., benchmark: _Optional[_Union[Benchmark, _Mapping]] = ..., created_at: _Optional[str] = ..., judgement: _Optional[_Union[Judgement, _Mapping]] = ...) -> None: ...

class Judgement(_message.Message):
    __slots__ = ("status", "message", "challenge_slug", "challenge_version", "metric", "score", "pass_threshold", "passed", "rows")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    status: str
    message: str
    challenge_slug: str
    challenge_version: int
    metric: str
    score: float
    pass_threshold: float
    passed: bool
    rows: int
    def __init__(self, status: _Optional[str] = ..., message: _Optional[str] = ..., challenge_slug: _Optional[str] = ..., challenge_version: _Optional[int] = ..., metric: _Optional[str] = ..., score: _Optional[float] = ..., pass_threshold: _Optional[float] = ..., passed: _Optional[bool] = ..., rows: _Optional[int] = ...) -> None: ...

class ClientCode(_message.Message):
    __slots__ = ("curl", "python", "fastapi")
    CURL_FIELD_NUMBER: _ClassVar[int]
    PYTHON_FIELD_NUMBER: _ClassVar[int]
    FASTAPI_FIELD_NUMBER: _ClassVar[int]
    curl: str
    python: str
    fastapi: str
    def __init__(self, curl: _Optional[str] = ..., python: _Optional[str] = ..., fastapi: _Optional[str] = ...) -> None: ...

class Deployment(_message.Message):
    __slots__ = ("id", "owner_id", "name", "current_version", "key_prefix", "created_at", "versions", "code", "predictions_logged", "split")
    ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    KEY_PREFIX_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_LOGGED_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    id: str
    owner_id: str
    name: str
    current_version: int
    key_prefix: str
    created_at: str
    versions: _containers.RepeatedCompositeFieldContainer[ModelVersion]
    code: ClientCode
    predictions_logged: int
    split: Split
    def __init__(self, id: _Optional[str] = ..., owner_id: _Optional[str] = ..., name: _Optional[str] = ..., current_version: _Optional[int] = ..., key_prefix: _Optional[str] = ..., created_at: _Optional[str] = ..., versions: _Optional[_Iterable[_Union[ModelVersion, _Mapping]]] = ..., code: _Optional[_Union[ClientCode, _Mapping]] = ..., predictions_logged: _Optional[int] = ..., split: _Optional[_Union[Split, _Mapping]] = ...) -> None: ...

class DeployRequest(_message.Message):
    __slots__ = ("owner_id", "run_id", "deployment_id", "name")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    run_id: str
    deployment_id: str
    name: str
    def __init__(self, owner_id: _Optional[str] = ..., run_id: _Optional[str] = ..., deployment_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class DeployResponse(_message.Message):
    __slots__ = ("deployment", "version", "api_key")
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    deployment: Deployment
    version: ModelVersion
    api_key: str
    def __init__(self, deployment: _Optional[_Union[Deployment, _Mapping]] = ..., version: _Optional[_Union[ModelVersion, _Mapping]] = ..., api_key: _Optional[str] = ...) -> None: ...

class ListDeploymentsRequest(_message.Message):
    __slots__ = ("owner_id",)
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    def __init__(self, owner_id: _Optional[str] = ...) -> None: ...

class ListDeploymentsResponse(_message.Message):
    __slots__ = ("deployments",)
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    deployments: _containers.RepeatedCompositeFieldContainer[Deployment]
    def __init__(self, deployments: _Optional[_Iterable[_Union[Deployment, _Mapping]]] = ...) -> None: ...

class GetDeploymentRequest(_message.Message):
    __slots__ = ("owner_id", "deployment_id", "base_url")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    deployment_id: str
    base_url: str
    def __init__(self, owner_id: _Optional[str] = ..., deployment_id: _Optional[str] = ..., base_url: _Optional[str] = ...) -> None: ...

class GetDeploymentResponse(_message.Message):
    __slots__ = ("deployment",)
    DEPLOYMENT_FIELD_NUMBER: _ClassVar[int]
    deployment: Deployment
    def __init__(self, deployment: _Optional[_Union[Deployment, _Mapping]] = ...) -> None: ...

class GetModelFileRequest(_message.Message):
    __slots__ = ("owner_id", "deployment_id", "version")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    deployment_id: str
    version: int
    def __init__(self, owner_id: _Optional[str] = ..., deployment_id: _Optional[str] = ..., version: _Optional[int] = ...) -> None: ...

class GetModelFileResponse(_message.Message):
    __slots__ = ("onnx", "version", "sha256")
    ONNX_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    onnx: bytes
    version: int
    sha256: str
    def __init__(self, onnx: _Optional[bytes] = ..., version: _Optional[int] = ..., sha256: _Optional[str] = ...) -> None: ...

class PredictRequest(_message.Message):
    __slots__ = ("deployment_id", "api_key", "body", "request_id")
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    deployment_id: str
    api_key: str
    body: bytes
    request_id: str
    def __init__(self, deployment_id: _Optional[str] = ..., api_key: _Optional[str] = ..., body: _Optional[bytes] = ..., request_id: _Optional[str] = ...) -> None: ...

class PredictResponse(_message.Message):
    __slots__ = ("version", "predictions_json", "probabilities_json", "classes", "latency_ms", "rate_limited", "retry_after_seconds", "prediction_ids")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_JSON_FIELD_NUMBER: _ClassVar[int]
    PROBABILITIES_JSON_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMITED_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    PREDICTION_IDS_FIELD_NUMBER: _ClassVar[int]
    version: int
    predictions_json: str
    probabilities_json: str
    classes: _containers.RepeatedScalarFieldContainer[str]
    latency_ms: float
    rate_limited: bool
    retry_after_seconds: float
    prediction_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, version: _Optional[int] = ..., predictions_json: _Optional[str] = ..., probabilities_json: _Optional[str] = ..., classes: _Optional[_Iterable[str]] = ..., latency_ms: _Optional[float] = ..., rate_limited: _Optional[bool] = ..., retry_after_seconds: _Optional[float] = ..., prediction_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class GetDriftReportRequest(_message.Message):
    __slots__ = ("owner_id", "deployment_id", "window_rows", "psi_threshold", "ks_threshold", "p_threshold")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_ROWS_FIELD_NUMBER: _ClassVar[int]
    PSI_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    KS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    P_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    deployment_id: str
    window_rows: int
    psi_threshold: float
    ks_threshold: float
    p_threshold: float
    def __init__(self, owner_id: _Optional[str] = ..., deployment_id: _Optional[str] = ..., window_rows: _Optional[int] = ..., psi_threshold: _Optional[float] = ..., ks_threshold: _Optional[float] = ..., p_threshold: _Optional[float] = ...) -> None: ...

class FeatureDrift(_message.Message):
    __slots__ = ("name", "kind", "rows", "psi", "has_ks", "ks_statistic", "ks_p_value", "has_chi2", "chi2_statistic", "chi2_p_value", "drifted", "detail", "drifting_since")
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    PSI_FIELD_NUMBER: _ClassVar[int]
    HAS_KS_FIELD_NUMBER: _ClassVar[int]
    KS_STATISTIC_FIELD_NUMBER: _ClassVar[int]
    KS_P_VALUE_FIELD_NUMBER: _ClassVar[int]
    HAS_CHI2_FIELD_NUMBER: _ClassVar[int]
    CHI2_STATISTIC_FIELD_NUMBER: _ClassVar[int]
    CHI2_P_VALUE_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    DRIFTING_SINCE_FIELD_NUMBER: _ClassVar[int]
    name: str
    kind: str
    rows: int
    psi: float
    has_ks: bool
    ks_statistic: float
    ks_p_value: float
    has_chi2: bool
    chi2_statistic: float
    chi2_p_value: float
    drifted: bool
    detail: str
    drifting_since: str
    def __init__(self, name: _Optional[str] = ..., kind: _Optional[str] = ..., rows: _Optional[int] = ..., psi: _Optional[float] = ..., has_ks: _Optional[bool] = ..., ks_statistic: _Optional[float] = ..., ks_p_value: _Optional[float] = ..., has_chi2: _Optional[bool] = ..., chi2_statistic: _Optional[float] = ..., chi2_p_value: _Optional[float] = ..., drifted: _Optional[bool] = ..., detail: _Optional[str] = ..., drifting_since: _Optional[str] = ...) -> None: ...

class GetDriftReportResponse(_message.Message):
    __slots__ = ("version", "rows", "requests", "window_start", "window_end", "has_reference", "features", "psi_threshold", "ks_threshold", "p_threshold")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    HAS_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    PSI_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    KS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    P_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    version: int
    rows: int
    requests: int
    window_start: str
    window_end: str
    has_reference: bool
    features: _containers.RepeatedCompositeFieldContainer[FeatureDrift]
    psi_threshold: float
    ks_threshold: float
    p_threshold: float
    def __init__(self, version: _Optional[int] = ..., rows: _Optional[int] = ..., requests: _Optional[int] = ..., window_start: _Optional[str] = ..., window_end: _Optional[str] = ..., has_reference: _Optional[bool] = ..., features: _Optional[_Iterable[_Union[FeatureDrift, _Mapping]]] = ..., psi_threshold: _Optional[float] = ..., ks_threshold: _Optional[float] = ..., p_threshold: _Optional[float] = ...) -> None: ...

class SendFeedbackRequest(_message.Message):
    __slots__ = ("deployment_id", "api_key", "body")
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    deployment_id: str
    api_key: str
    body: bytes
    def __init__(self, deployment_id: _Optional[str] = ..., api_key: _Optional[str] = ..., body: _Optional[bytes] = ...) -> None: ...

class SendFeedbackResponse(_message.Message):
    __slots__ = ("accepted", "updated", "rate_limited", "retry_after_seconds")
    ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    UPDATED_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMITED_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_SECONDS_FIELD_NUMBER: _ClassVar[int]
    accepted: int
    updated: int
    rate_limited: bool
    retry_after_seconds: float
    def __init__(self, accepted: _Optional[int] = ..., updated: _Optional[int] = ..., rate_limited: _Optional[bool] = ..., retry_after_seconds: _Optional[float] = ...) -> None: ...

class GetPerformanceRequest(_message.Message):
    __slots__ = ("owner_id", "deployment_id", "window_labels", "max_accuracy_drop", "max_rmse_increase")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_LABELS_FIELD_NUMBER: _ClassVar[int]
    MAX_ACCURACY_DROP_FIELD_NUMBER: _ClassVar[int]
    MAX_RMSE_INCREASE_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    deployment_id: str
    window_labels: int
    max_accuracy_drop: float
    max_rmse_increase: float
    def __init__(self, owner_id: _Optional[str] = ..., deployment_id: _Optional[str] = ..., window_labels: _Optional[int] = ..., max_accuracy_drop: _Optional[float] = ..., max_rmse_increase: _Optional[float] = ...) -> None: ...

class PerformancePoint(_message.Message):
    __slots__ = ("labels", "score", "at")
    LABELS_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    labels: int
    score: float
    at: str
    def __init__(self, labels: _Optional[int] = ..., score: _Optional[float] = ..., at: _Optional[str] = ...) -> None: ...

class GetPerformanceResponse(_message.Message):
    __slots__ = ("version", "metric", "has_training_score", "training_score", "labels", "window_labels", "has_current", "current_score", "current_labels", "threshold_score", "concept_drift", "detected_at", "points", "max_accuracy_drop", "max_rmse_increase")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    HAS_TRAINING_SCORE_FIELD_NUMBER: _ClassVar[int]
    TRAINING_SCORE_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_LABELS_FIELD_NUMBER: _ClassVar[int]
    HAS_CURRENT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_SCORE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_LABELS_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_SCORE_FIELD_NUMBER: _ClassVar[int]
    CONCEPT_DRIFT_FIELD_NUMBER: _ClassVar[int]
    DETECTED_AT_FIELD_NUMBER: _ClassVar[int]
    POINTS_FIELD_NUMBER: _ClassVar[int]
    MAX_ACCURACY_DROP_FIELD_NUMBER: _ClassVar[int]
    MAX_RMSE_INCREASE_FIELD_NUMBER: _ClassVar[int]
    version: int
    metric: str
    has_training_score: bool
    training_score: float
    labels: int
    window_labels: int
    has_current: bool
    current_score: float
    current_labels: int
    threshold_score: float
    concept_drift: bool
    detected_at: str
    points: _containers.RepeatedCompositeFieldContainer[PerformancePoint]
    max_accuracy_drop: float
    max_rmse_increase: float
    def __init__(self, version: _Optional[int] = ..., metric: _Optional[str] = ..., has_training_score: _Optional[bool] = ..., training_score: _Optional[float] = ..., labels: _Optional[int] = ..., window_labels: _Optional[int] = ..., has_current: _Optional[bool] = ..., current_score: _Optional[float] = ..., current_labels: _Optional[int] = ..., threshold_score: _Optional[float] = ..., concept_drift: _Optional[bool] = ..., detected_at: _Optional[str] = ..., points: _Optional[_Iterable[_Union[PerformancePoint, _Mapping]]] = ..., max_accuracy_drop: _Optional[float] = ..., max_rmse_increase: _Optional[float] = ...) -> None: ...

class SplitArm(_message.Message):
    __slots__ = ("version", "share")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    version: int
    share: float
    def __init__(self, version: _Optional[int] = ..., share: _Optional[float] = ...) -> None: ...

class Split(_message.Message):
    __slots__ = ("arms", "since")
    ARMS_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    arms: _containers.RepeatedCompositeFieldContainer[SplitArm]
    since: str
    def __init__(self, arms: _Optional[_Iterable[_Union[SplitArm, _Mapping]]] = ..., since: _Optional[str] = ...) -> None: ...

class SetSplitRequest(_message.Message):
    __slots__ = ("owner_id", "deployment_id", "arms")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ARMS_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    deployment_id: str
    arms: _containers.RepeatedCompositeFieldContainer[SplitArm]
    def __init__(self, owner_id: _Optional[str] = ..., deployment_id: _Optional[str] = ..., arms: _Optional[_Iterable[_Union[SplitArm, _Mapping]]] = ...) -> None: ...

class SetSplitResponse(_message.Message):
    __slots__ = ("split", "current_version")
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    split: Split
    current_version: int
    def __init__(self, split: _Optional[_Union[Split, _Mapping]] = ..., current_version: _Optional[int] = ...) -> None: ...

class GetVersionMetricsRequest(_message.Message):
    __slots__ = ("owner_id", "deployment_id", "window_requests")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    WINDOW_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    deployment_id: str
    window_requests: int
    def __init__(self, owner_id: _Optional[str] = ..., deployment_id: _Optional[str] = ..., window_requests: _Optional[int] = ...) -> None: ...

class LabelShare(_message.Message):
    __slots__ = ("label", "count", "share")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    label: str
    count: int
    share: float
    def __init__(self, label: _Optional[str] = ..., count: _Optional[int] = ..., share: _Optional[float] = ...) -> None: ...

class VersionMetrics(_message.Message):
    __slots__ = ("version", "requests", "ok", "errors", "rate_limited", "p50_ms", "p95_ms", "predictions", "labels", "numeric", "mean", "std", "share", "current")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMITED_FIELD_NUMBER: _ClassVar[int]
    P50_MS_FIELD_NUMBER: _ClassVar[int]
    P95_MS_FIELD_NUMBER: _ClassVar[int]
    PREDICTIONS_FIELD_NUMBER: _ClassVar[int]
    LABELS_FIELD_NUMBER: _ClassVar[int]
    NUMERIC_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    STD_FIELD_NUMBER: _ClassVar[int]
    SHARE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    version: int
    requests: int
    ok: int
    errors: int
    rate_limited: int
    p50_ms: float
    p95_ms: float
    predictions: int
    labels: _containers.RepeatedCompositeFieldContainer[LabelShare]
    numeric: bool
    mean: float
    std: float
    share: float
    current: bool
    def __init__(self, version: _Optional[int] = ..., requests: _Optional[int] = ..., ok: _Optional[int] = ..., errors: _Optional[int] = ..., rate_limited: _Optional[int] = ..., p50_ms: _Optional[float] = ..., p95_ms: _Optional[float] = ..., predictions: _Optional[int] = ..., labels: _Optional[_Iterable[_Union[LabelShare, _Mapping]]] = ..., numeric: _Optional[bool] = ..., mean: _Optional[float] = ..., std: _Optional[float] = ..., share: _Optional[float] = ..., current: _Optional[bool] = ...) -> None: ...

class GetVersionMetricsResponse(_message.Message):
    __slots__ = ("versions", "window_requests", "split", "current_version")
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    WINDOW_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    SPLIT_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    versions: _containers.RepeatedCompositeFieldContainer[VersionMetrics]
    window_requests: int
    split: Split
    current_version: int
    def __init__(self, versions: _Optional[_Iterable[_Union[VersionMetrics, _Mapping]]] = ..., window_requests: _Optional[int] = ..., split: _Optional[_Union[Split, _Mapping]] = ..., current_version: _Optional[int] = ...) -> None: ...

class TrafficDrift(_message.Message):
    __slots__ = ("kind", "feature", "amount", "category_a", "category_b")
    KIND_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_A_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_B_FIELD_NUMBER: _ClassVar[int]
    kind: str
    feature: str
    amount: float
    category_a: str
    category_b: str
    def __init__(self, kind: _Optional[str] = ..., feature: _Optional[str] = ..., amount: _Optional[float] = ..., category_a: _Optional[str] = ..., category_b: _Optional[str] = ...) -> None: ...

class SimulateTrafficRequest(_message.Message):
    __slots__ = ("owner_id", "deployment_id", "requests", "rows_per_request", "drift", "seed")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    ROWS_PER_REQUEST_FIELD_NUMBER: _ClassVar[int]
    DRIFT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    deployment_id: str
    requests: int
    rows_per_request: int
    drift: TrafficDrift
    seed: int
    def __init__(self, owner_id: _Optional[str] = ..., deployment_id: _Optional[str] = ..., requests: _Optional[int] = ..., rows_per_request: _Optional[int] = ..., drift: _Optional[_Union[TrafficDrift, _Mapping]] = ..., seed: _Optional[int] = ...) -> None: ...

class VersionCount(_message.Message):
    __slots__ = ("version", "requests")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    version: int
    requests: int
    def __init__(self, version: _Optional[int] = ..., requests: _Optional[int] = ...) -> None: ...

class SimulateTrafficResponse(_message.Message):
    __slots__ = ("requested", "sent", "ok", "errors", "waited", "rows", "seconds", "truncated", "answered", "drift", "version", "seed", "first_error")
    REQUESTED_FIELD_NUMBER: _ClassVar[int]
    SENT_FIELD_NUMBER: _ClassVar[int]
    OK_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    WAITED_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    ANSWERED_FIELD_NUMBER: _ClassVar[int]
    DRIFT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    FIRST_ERROR_FIELD_NUMBER: _ClassVar[int]
    requested: int
    sent: int
    ok: int
    errors: int
    waited: int
    rows: int
    seconds: float
    truncated: bool
    answered: _containers.RepeatedCompositeFieldContainer[VersionCount]
    drift: str
    version: int
    seed: int
    first_error: str
    def __init__(self, requested: _Optional[int] = ..., sent: _Optional[int] = ..., ok: _Optional[int] = ..., errors: _Optional[int] = ..., waited: _Optional[int] = ..., rows: _Optional[int] = ..., seconds: _Optional[float] = ..., truncated: _Optional[bool] = ..., answered: _Optional[_Iterable[_Union[VersionCount, _Mapping]]] = ..., drift: _Optional[str] = ..., version: _Optional[int] = ..., seed: _Optional[int] = ..., first_error: _Optional[str] = ...) -> None: ...
