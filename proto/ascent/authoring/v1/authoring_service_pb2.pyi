import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Actor(_message.Message):
    __slots__ = ("user_id", "edit_any")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EDIT_ANY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    edit_any: bool
    def __init__(self, user_id: _Optional[str] = ..., edit_any: _Optional[bool] = ...) -> None: ...

class ChallengeFields(_message.Message):
    __slots__ = ("title", "summary", "lesson_md", "target", "task_type", "metric", "pass_threshold", "test_fraction", "starter_code", "hints", "hints_set", "solution", "track_slug", "position", "daily_submissions")
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    LESSON_MD_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TEST_FRACTION_FIELD_NUMBER: _ClassVar[int]
    STARTER_CODE_FIELD_NUMBER: _ClassVar[int]
    HINTS_FIELD_NUMBER: _ClassVar[int]
    HINTS_SET_FIELD_NUMBER: _ClassVar[int]
    SOLUTION_FIELD_NUMBER: _ClassVar[int]
    TRACK_SLUG_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DAILY_SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    title: str
    summary: str
    lesson_md: str
    target: str
    task_type: str
    metric: str
    pass_threshold: float
    test_fraction: float
    starter_code: str
    hints: _containers.RepeatedScalarFieldContainer[str]
    hints_set: bool
    solution: str
    track_slug: str
    position: int
    daily_submissions: int
    def __init__(self, title: _Optional[str] = ..., summary: _Optional[str] = ..., lesson_md: _Optional[str] = ..., target: _Optional[str] = ..., task_type: _Optional[str] = ..., metric: _Optional[str] = ..., pass_threshold: _Optional[float] = ..., test_fraction: _Optional[float] = ..., starter_code: _Optional[str] = ..., hints: _Optional[_Iterable[str]] = ..., hints_set: _Optional[bool] = ..., solution: _Optional[str] = ..., track_slug: _Optional[str] = ..., position: _Optional[int] = ..., daily_submissions: _Optional[int] = ...) -> None: ...

class Problem(_message.Message):
    __slots__ = ("severity", "kind", "column", "message")
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    COLUMN_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    severity: str
    kind: str
    column: str
    message: str
    def __init__(self, severity: _Optional[str] = ..., kind: _Optional[str] = ..., column: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class DatasetProfile(_message.Message):
    __slots__ = ("rows", "columns", "inferred_task_type", "problems", "split_method", "train_rows", "test_rows", "public_rows", "class_counts")
    class ClassCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    ROWS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    INFERRED_TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    PROBLEMS_FIELD_NUMBER: _ClassVar[int]
    SPLIT_METHOD_FIELD_NUMBER: _ClassVar[int]
    TRAIN_ROWS_FIELD_NUMBER: _ClassVar[int]
    TEST_ROWS_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_ROWS_FIELD_NUMBER: _ClassVar[int]
    CLASS_COUNTS_FIELD_NUMBER: _ClassVar[int]
    rows: int
    columns: _containers.RepeatedScalarFieldContainer[str]
    inferred_task_type: str
    problems: _containers.RepeatedCompositeFieldContainer[Problem]
    split_method: str
    train_rows: int
    test_rows: int
    public_rows: int
    class_counts: _containers.ScalarMap[str, int]
    def __init__(self, rows: _Optional[int] = ..., columns: _Optional[_Iterable[str]] = ..., inferred_task_type: _Optional[str] = ..., problems: _Optional[_Iterable[_Union[Problem, _Mapping]]] = ..., split_method: _Optional[str] = ..., train_rows: _Optional[int] = ..., test_rows: _Optional[int] = ..., public_rows: _Optional[int] = ..., class_counts: _Optional[_Mapping[str, int]] = ...) -> None: ...

class RunCheck(_message.Message):
    __slots__ = ("status", "message", "score", "threshold", "passed", "run_status")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    RUN_STATUS_FIELD_NUMBER: _ClassVar[int]
    status: str
    message: str
    score: float
    threshold: float
    passed: bool
    run_status: str
    def __init__(self, status: _Optional[str] = ..., message: _Optional[str] = ..., score: _Optional[float] = ..., threshold: _Optional[float] = ..., passed: _Optional[bool] = ..., run_status: _Optional[str] = ...) -> None: ...

class ValidationReport(_message.Message):
    __slots__ = ("ok", "version", "profile", "reference", "starter", "messages", "validated_at")
    OK_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    STARTER_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    VALIDATED_AT_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    version: int
    profile: DatasetProfile
    reference: RunCheck
    starter: RunCheck
    messages: _containers.RepeatedScalarFieldContainer[str]
    validated_at: _timestamp_pb2.Timestamp
    def __init__(self, ok: _Optional[bool] = ..., version: _Optional[int] = ..., profile: _Optional[_Union[DatasetProfile, _Mapping]] = ..., reference: _Optional[_Union[RunCheck, _Mapping]] = ..., starter: _Optional[_Union[RunCheck, _Mapping]] = ..., messages: _Optional[_Iterable[str]] = ..., validated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VersionInfo(_message.Message):
    __slots__ = ("version", "status", "published_at")
    VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PUBLISHED_AT_FIELD_NUMBER: _ClassVar[int]
    version: int
    status: str
    published_at: _timestamp_pb2.Timestamp
    def __init__(self, version: _Optional[int] = ..., status: _Optional[str] = ..., published_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AuthoredChallenge(_message.Message):
    __slots__ = ("slug", "owner_id", "status", "current_version", "version", "version_status", "title", "summary", "lesson_md", "target", "task_type", "task_type_overridden", "metric", "pass_threshold", "test_fraction", "starter_code", "hints", "solution", "track_slug", "position", "dataset_sha256", "dataset_filename", "profile", "validation", "has_validation", "versions", "updated_at", "editor_ids", "daily_submissions")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSION_STATUS_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    LESSON_MD_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_OVERRIDDEN_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TEST_FRACTION_FIELD_NUMBER: _ClassVar[int]
    STARTER_CODE_FIELD_NUMBER: _ClassVar[int]
    HINTS_FIELD_NUMBER: _ClassVar[int]
    SOLUTION_FIELD_NUMBER: _ClassVar[int]
    TRACK_SLUG_FIELD_NUMBER: _ClassVar[int]
    POSITION_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    DATASET_FILENAME_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    HAS_VALIDATION_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    EDITOR_IDS_FIELD_NUMBER: _ClassVar[int]
    DAILY_SUBMISSIONS_FIELD_NUMBER: _ClassVar[int]
    slug: str
    owner_id: str
    status: str
    current_version: int
    version: int
    version_status: str
    title: str
    summary: str
    lesson_md: str
    target: str
    task_type: str
    task_type_overridden: bool
    metric: str
    pass_threshold: float
    test_fraction: float
    starter_code: str
    hints: _containers.RepeatedScalarFieldContainer[str]
    solution: str
    track_slug: str
    position: int
    dataset_sha256: str
    dataset_filename: str
    profile: DatasetProfile
    validation: ValidationReport
    has_validation: bool
    versions: _containers.RepeatedCompositeFieldContainer[VersionInfo]
    updated_at: _timestamp_pb2.Timestamp
    editor_ids: _containers.RepeatedScalarFieldContainer[str]
    daily_submissions: int
    def __init__(self, slug: _Optional[str] = ..., owner_id: _Optional[str] = ..., status: _Optional[str] = ..., current_version: _Optional[int] = ..., version: _Optional[int] = ..., version_status: _Optional[str] = ..., title: _Optional[str] = ..., summary: _Optional[str] = ..., lesson_md: _Optional[str] = ..., target: _Optional[str] = ..., task_type: _Optional[str] = ..., task_type_overridden: _Optional[bool] = ..., metric: _Optional[str] = ..., pass_threshold: _Optional[float] = ..., test_fraction: _Optional[float] = ..., starter_code: _Optional[str] = ..., hints: _Optional[_Iterable[str]] = ..., solution: _Optional[str] = ..., track_slug: _Optional[str] = ..., position: _Optional[int] = ..., dataset_sha256: _Optional[str] = ..., dataset_filename: _Optional[str] = ..., profile: _Optional[_Union[DatasetProfile, _Mapping]] = ..., validation: _Optional[_Union[ValidationReport, _Mapping]] = ..., has_validation: _Optional[bool] = ..., versions: _Optional[_Iterable[_Union[VersionInfo, _Mapping]]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., editor_ids: _Optional[_Iterable[str]] = ..., daily_submissions: _Optional[int] = ...) -> None: ...

class CreateChallengeRequest(_message.Message):
    __slots__ = ("owner_id", "fields")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    fields: ChallengeFields
    def __init__(self, owner_id: _Optional[str] = ..., fields: _Optional[_Union[ChallengeFields, _Mapping]] = ...) -> None: ...

class UpdateChallengeRequest(_message.Message):
    __slots__ = ("slug", "fields", "actor")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    slug: str
    fields: ChallengeFields
    actor: Actor
    def __init__(self, slug: _Optional[str] = ..., fields: _Optional[_Union[ChallengeFields, _Mapping]] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class GetChallengeRequest(_message.Message):
    __slots__ = ("slug", "version", "actor")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    slug: str
    version: int
    actor: Actor
    def __init__(self, slug: _Optional[str] = ..., version: _Optional[int] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class ListChallengesRequest(_message.Message):
    __slots__ = ("actor",)
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    actor: Actor
    def __init__(self, actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class ListChallengesResponse(_message.Message):
    __slots__ = ("challenges",)
    CHALLENGES_FIELD_NUMBER: _ClassVar[int]
    challenges: _containers.RepeatedCompositeFieldContainer[AuthoredChallenge]
    def __init__(self, challenges: _Optional[_Iterable[_Union[AuthoredChallenge, _Mapping]]] = ...) -> None: ...

class UploadDatasetRequest(_message.Message):
    __slots__ = ("slug", "csv", "filename", "target", "actor")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    CSV_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    slug: str
    csv: bytes
    filename: str
    target: str
    actor: Actor
    def __init__(self, slug: _Optional[str] = ..., csv: _Optional[bytes] = ..., filename: _Optional[str] = ..., target: _Optional[str] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class ValidateRequest(_message.Message):
    __slots__ = ("slug", "actor")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    slug: str
    actor: Actor
    def __init__(self, slug: _Optional[str] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class PublishRequest(_message.Message):
    __slots__ = ("slug", "actor")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    slug: str
    actor: Actor
    def __init__(self, slug: _Optional[str] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class PublishResponse(_message.Message):
    __slots__ = ("challenge", "validation")
    CHALLENGE_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_FIELD_NUMBER: _ClassVar[int]
    challenge: AuthoredChallenge
    validation: ValidationReport
    def __init__(self, challenge: _Optional[_Union[AuthoredChallenge, _Mapping]] = ..., validation: _Optional[_Union[ValidationReport, _Mapping]] = ...) -> None: ...

class ArchiveRequest(_message.Message):
    __slots__ = ("slug", "actor")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    slug: str
    actor: Actor
    def __init__(self, slug: _Optional[str] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class ExportRequest(_message.Message):
    __slots__ = ("slug", "version", "actor")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    slug: str
    version: int
    actor: Actor
    def __init__(self, slug: _Optional[str] = ..., version: _Optional[int] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class ExportResponse(_message.Message):
    __slots__ = ("filename", "zip")
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    ZIP_FIELD_NUMBER: _ClassVar[int]
    filename: str
    zip: bytes
    def __init__(self, filename: _Optional[str] = ..., zip: _Optional[bytes] = ...) -> None: ...

class ShareChallengeRequest(_message.Message):
    __slots__ = ("slug", "actor", "editor_id", "shared")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    EDITOR_ID_FIELD_NUMBER: _ClassVar[int]
    SHARED_FIELD_NUMBER: _ClassVar[int]
    slug: str
    actor: Actor
    editor_id: str
    shared: bool
    def __init__(self, slug: _Optional[str] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ..., editor_id: _Optional[str] = ..., shared: _Optional[bool] = ...) -> None: ...

class ImportRequest(_message.Message):
    __slots__ = ("owner_id", "zip")
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    ZIP_FIELD_NUMBER: _ClassVar[int]
    owner_id: str
    zip: bytes
    def __init__(self, owner_id: _Optional[str] = ..., zip: _Optional[bytes] = ...) -> None: ...

class GetBundleRequest(_message.Message):
    __slots__ = ("slug", "version", "allow_draft", "include_data")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ALLOW_DRAFT_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_DATA_FIELD_NUMBER: _ClassVar[int]
    slug: str
    version: int
    allow_draft: bool
    include_data: bool
    def __init__(self, slug: _Optional[str] = ..., version: _Optional[int] = ..., allow_draft: _Optional[bool] = ..., include_data: _Optional[bool] = ...) -> None: ...

class Bundle(_message.Message):
    __slots__ = ("slug", "version", "fingerprint", "title", "metric", "pass_threshold", "task_type", "target", "train_csv", "test_features_csv", "labels_csv", "public_rows")
    SLUG_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    METRIC_FIELD_NUMBER: _ClassVar[int]
    PASS_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    TASK_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_FIELD_NUMBER: _ClassVar[int]
    TRAIN_CSV_FIELD_NUMBER: _ClassVar[int]
    TEST_FEATURES_CSV_FIELD_NUMBER: _ClassVar[int]
    LABELS_CSV_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_ROWS_FIELD_NUMBER: _ClassVar[int]
    slug: str
    version: int
    fingerprint: str
    title: str
    metric: str
    pass_threshold: float
    task_type: str
    target: str
    train_csv: bytes
    test_features_csv: bytes
    labels_csv: bytes
    public_rows: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, slug: _Optional[str] = ..., version: _Optional[int] = ..., fingerprint: _Optional[str] = ..., title: _Optional[str] = ..., metric: _Optional[str] = ..., pass_threshold: _Optional[float] = ..., task_type: _Optional[str] = ..., target: _Optional[str] = ..., train_csv: _Optional[bytes] = ..., test_features_csv: _Optional[bytes] = ..., labels_csv: _Optional[bytes] = ..., public_rows: _Optional[_Iterable[int]] = ...) -> None: ...
