from ascent.events.v1 import meta_pb2 as _meta_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class BestAchieved(_message.Message):
    __slots__ = ("meta", "board_id", "run_id", "owner_id", "score", "previous_score", "previous_run_id", "dataset_sha256")
    META_FIELD_NUMBER: _ClassVar[int]
    BOARD_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_ID_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_SCORE_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_RUN_ID_FIELD_NUMBER: _ClassVar[int]
    DATASET_SHA256_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    board_id: str
    run_id: str
    owner_id: str
    score: float
    previous_score: float
    previous_run_id: str
    dataset_sha256: str
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., board_id: _Optional[str] = ..., run_id: _Optional[str] = ..., owner_id: _Optional[str] = ..., score: _Optional[float] = ..., previous_score: _Optional[float] = ..., previous_run_id: _Optional[str] = ..., dataset_sha256: _Optional[str] = ...) -> None: ...

class ChallengeRanked(_message.Message):
    __slots__ = ("meta", "challenge_slug", "learner_id", "run_id", "public_score", "rank", "entrants", "challenge_version")
    META_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_SLUG_FIELD_NUMBER: _ClassVar[int]
    LEARNER_ID_FIELD_NUMBER: _ClassVar[int]
    RUN_ID_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_SCORE_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    ENTRANTS_FIELD_NUMBER: _ClassVar[int]
    CHALLENGE_VERSION_FIELD_NUMBER: _ClassVar[int]
    meta: _meta_pb2.EventMeta
    challenge_slug: str
    learner_id: str
    run_id: str
    public_score: float
    rank: int
    entrants: int
    challenge_version: int
    def __init__(self, meta: _Optional[_Union[_meta_pb2.EventMeta, _Mapping]] = ..., challenge_slug: _Optional[str] = ..., learner_id: _Optional[str] = ..., run_id: _Optional[str] = ..., public_score: _Optional[float] = ..., rank: _Optional[int] = ..., entrants: _Optional[int] = ..., challenge_version: _Optional[int] = ...) -> None: ...
