"""What every domain's views share: the request-body base (camelCase, unknown fields
rejected), the response-view base and the timestamp formats of the JSON API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Generic, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

T = TypeVar("T")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=False)


class View(BaseModel):
    """A response shape: the JSON the API sends (field names as written, camelCase) and the
    context a template reads (the same names)."""

    model_config = ConfigDict(extra="forbid")


class Data(BaseModel, Generic[T]):
    """The API's success envelope, `{"data": ...}` (errors: `gateway.errors`)."""

    data: T


def timestamp_iso(ts: Timestamp) -> str | None:
    if ts.seconds == 0 and ts.nanos == 0:
        return None
    return ts.ToDatetime(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def datetime_iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
