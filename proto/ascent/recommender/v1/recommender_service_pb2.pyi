from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AppEvidenceRequest(_message.Message):
    __slots__ = ("app_slug", "neighbourhood", "dataset_sha256")
    APP_SLUG_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURHOOD_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    app_slug: str
    neighbourhood: str
    dataset_sha256: str
    def __init__(self, app_slug: _Optional[str] = ..., neighbourhood: _Optional[str] = ..., dataset_sha256: _Optional[str] = ...) -> None: ...

class KindEvidence(_message.Message):
    __slots__ = ("kind", "shown", "applied", "dismissed", "improved", "not_improved", "trials", "helped", "delta_sum")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SHOWN_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    DISMISSED_FIELD_NUMBER: _ClassVar[int]
    IMPROVED_FIELD_NUMBER: _ClassVar[int]
    NOT_IMPROVED_FIELD_NUMBER: _ClassVar[int]
    TRIALS_FIELD_NUMBER: _ClassVar[int]
    HELPED_FIELD_NUMBER: _ClassVar[int]
    DELTA_SUM_FIELD_NUMBER: _ClassVar[int]
    kind: str
    shown: int
    applied: int
    dismissed: int
    improved: int
    not_improved: int
    trials: int
    helped: int
    delta_sum: float
    def __init__(self, kind: _Optional[str] = ..., shown: _Optional[int] = ..., applied: _Optional[int] = ..., dismissed: _Optional[int] = ..., improved: _Optional[int] = ..., not_improved: _Optional[int] = ..., trials: _Optional[int] = ..., helped: _Optional[int] = ..., delta_sum: _Optional[float] = ...) -> None: ...

class TrainedConfiguration(_message.Message):
    __slots__ = ("model", "params_json", "metric", "trials", "validation_sum", "best_validation")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    TRIALS_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_SUM_FIELD_NUMBER: _ClassVar[int]
    BEST_VALIDATION_FIELD_NUMBER: _ClassVar[int]
    model: str
    params_json: str
    metric: str
    trials: int
    validation_sum: float
    best_validation: float
    def __init__(self, model: _Optional[str] = ..., params_json: _Optional[str] = ..., metric: _Optional[str] = ..., trials: _Optional[int] = ..., validation_sum: _Optional[float] = ..., best_validation: _Optional[float] = ...) -> None: ...

class AppEvidenceResponse(_message.Message):
    __slots__ = ("neighbourhood", "scope", "kinds", "trainings", "neighbourhoods", "analyses")
    NEIGHBOURHOOD_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    KINDS_FIELD_NUMBER: _ClassVar[int]
    TRAININGS_FIELD_NUMBER: _ClassVar[int]
    NEIGHBOURHOODS_FIELD_NUMBER: _ClassVar[int]
    ANALYSES_FIELD_NUMBER: _ClassVar[int]
    neighbourhood: str
    scope: str
    kinds: _containers.RepeatedCompositeFieldContainer[KindEvidence]
    trainings: _containers.RepeatedCompositeFieldContainer[TrainedConfiguration]
    neighbourhoods: int
    analyses: int
    def __init__(self, neighbourhood: _Optional[str] = ..., scope: _Optional[str] = ..., kinds: _Optional[_Iterable[_Union[KindEvidence, _Mapping]]] = ..., trainings: _Optional[_Iterable[_Union[TrainedConfiguration, _Mapping]]] = ..., neighbourhoods: _Optional[int] = ..., analyses: _Optional[int] = ...) -> None: ...

class RecommendChallengeRequest(_message.Message):
    __slots__ = ("learner_id", "limit")
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    learner_id: str
    limit: int
    def __init__(self, learner_id: _Optional[str] = ..., limit: _Optional[int] = ...) -> None: ...

class ChallengeSuggestion(_message.Message):
    __slots__ = ("challenge_slug", "title", "track_slug", "track_title", "score", "rationale", "reason", "skills", "metric", "pass_threshold", "best_score", "attempts")
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TRACK_SLUG_FIELD_NUMBER: _ClassVar[int]
    TRACK_TITLE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SKILLS_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    BEST_SCORE_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    challenge_slug: str
    title: str
    track_slug: str
    track_title: str
    score: float
    rationale: str
    reason: str
    skills: _containers.RepeatedScalarFieldContainer[str]
    metric: str
    pass_threshold: float
    best_score: float
    attempts: int
    def __init__(self, challenge_slug: _Optional[str] = ..., title: _Optional[str] = ..., track_slug: _Optional[str] = ..., track_title: _Optional[str] = ..., score: _Optional[float] = ..., rationale: _Optional[str] = ..., reason: _Optional[str] = ..., skills: _Optional[_Iterable[str]] = ..., metric: _Optional[str] = ..., pass_threshold: _Optional[float] = ..., best_score: _Optional[float] = ..., attempts: _Optional[int] = ...) -> None: ...

class WeakSpot(_message.Message):
    __slots__ = ("skill", "label", "weakness", "evidence")
    SKILL_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    WEAKNESS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    skill: str
    label: str
    weakness: float
    evidence: str
    def __init__(self, skill: _Optional[str] = ..., label: _Optional[str] = ..., weakness: _Optional[float] = ..., evidence: _Optional[str] = ...) -> None: ...

class RecommendChallengeResponse(_message.Message):
    __slots__ = ("challenges", "weak_spots", "graded_runs", "note")
    CHALLENGES_FIELD_NUMBER: _ClassVar[int]
    WEAK_SPOTS_FIELD_NUMBER: _ClassVar[int]
    GRADED_RUNS_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    challenges: _containers.RepeatedCompositeFieldContainer[ChallengeSuggestion]
    weak_spots: _containers.RepeatedCompositeFieldContainer[WeakSpot]
    graded_runs: int
    note: str
    def __init__(self, challenges: _Optional[_Iterable[_Union[ChallengeSuggestion, _Mapping]]] = ..., weak_spots: _Optional[_Iterable[_Union[WeakSpot, _Mapping]]] = ..., graded_runs: _Optional[int] = ..., note: _Optional[str] = ...) -> None: ...

class ProfileRequest(_message.Message):
    __slots__ = ("dataset_sha256",)
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    dataset_sha256: str
    def __init__(self, dataset_sha256: _Optional[str] = ...) -> None: ...

class MetaFeatures(_message.Message):
    __slots__ = ("dataset_sha256", "rows", "columns", "task_type", "n_classes", "missing_ratio", "categorical_ratio", "class_imbalance", "target", "extra", "column_roles")
    class ExtraEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    class ColumnRolesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    N_CLASSES_FIELD_NUMBER: _ClassVar[int]
    MISSING_RATIO_FIELD_NUMBER: _ClassVar[int]
    CATEGORICAL_RATIO_FIELD_NUMBER: _ClassVar[int]
    CLASS_IMBALANCE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    COLUMN_ROLES_FIELD_NUMBER: _ClassVar[int]
    dataset_sha256: str
    rows: int
    columns: int
    task_type: str
    n_classes: int
    missing_ratio: float
    categorical_ratio: float
    class_imbalance: float
    target: str
    extra: _containers.ScalarMap[str, float]
    column_roles: _containers.ScalarMap[str, str]
    def __init__(self, dataset_sha256: _Optional[str] = ..., rows: _Optional[int] = ..., columns: _Optional[int] = ..., task_type: _Optional[str] = ..., n_classes: _Optional[int] = ..., missing_ratio: _Optional[float] = ..., categorical_ratio: _Optional[float] = ..., class_imbalance: _Optional[float] = ..., target: _Optional[str] = ..., extra: _Optional[_Mapping[str, float]] = ..., column_roles: _Optional[_Mapping[str, str]] = ...) -> None: ...

class ProfileResponse(_message.Message):
    __slots__ = ("meta_features",)
    META_FEATURES_FIELD_NUMBER: _ClassVar[int]
    meta_features: MetaFeatures
    def __init__(self, meta_features: _Optional[_Union[MetaFeatures, _Mapping]] = ...) -> None: ...

class RecommendRequest(_message.Message):
    __slots__ = ("dataset_sha256", "limit", "learner_id")
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    dataset_sha256: str
    limit: int
    learner_id: str
    def __init__(self, dataset_sha256: _Optional[str] = ..., limit: _Optional[int] = ..., learner_id: _Optional[str] = ...) -> None: ...

class PipelineRecommendation(_message.Message):
    __slots__ = ("pipeline_json", "key", "expected_score", "support", "rationale", "uncertainty", "expected_cost_ms")
    PIPELINE_JSON_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_SCORE_FIELD_NUMBER: _ClassVar[int]
    SUPPORT_FIELD_NUMBER: _ClassVar[int]
    RATIONALE_FIELD_NUMBER: _ClassVar[int]
    UNCERTAINTY_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_COST_MS_FIELD_NUMBER: _ClassVar[int]
    pipeline_json: str
    key: str
    expected_score: float
    support: int
    rationale: str
    uncertainty: float
    expected_cost_ms: float
    def __init__(self, pipeline_json: _Optional[str] = ..., key: _Optional[str] = ..., expected_score: _Optional[float] = ..., support: _Optional[int] = ..., rationale: _Optional[str] = ..., uncertainty: _Optional[float] = ..., expected_cost_ms: _Optional[float] = ...) -> None: ...

class RecommendResponse(_message.Message):
    __slots__ = ("meta_features", "pipelines")
    META_FEATURES_FIELD_NUMBER: _ClassVar[int]
    PIPELINES_FIELD_NUMBER: _ClassVar[int]
    meta_features: MetaFeatures
    pipelines: _containers.RepeatedCompositeFieldContainer[PipelineRecommendation]
    def __init__(self, meta_features: _Optional[_Union[MetaFeatures, _Mapping]] = ..., pipelines: _Optional[_Iterable[_Union[PipelineRecommendation, _Mapping]]] = ...) -> None: ...
