"""What every domain's views share: the request-body base (camelCase, unknown fields
rejected), the response-view base and the timestamp formats of the JSON API."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

T = TypeVar("T")


def unicode_problem(value: Any, where: str = "") -> str | None:
    """Where `value` (any JSON value) holds text that is not valid Unicode: JSON's `\\ud800`
    escapes decode to a lone surrogate, which no database, protobuf or UTF-8 reply takes."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return f"{where or 'the text'} holds an invalid character at position {exc.start}"
        return None
    items: Iterable[tuple[str, Any]] = ()
    if isinstance(value, dict):
        items = ((str(key), item) for key, item in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((str(index), item) for index, item in enumerate(value))
    for key, item in items:
        problem = unicode_problem(item, f"{where}.{key}" if where else key)
        if problem is not None:
            return problem
    return None


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=False)

    @model_validator(mode="after")
    def _valid_unicode(self) -> Body:
        problem = unicode_problem(self.model_dump(by_alias=True))
        if problem is not None:
            raise ValueError(f"{problem} (a lone UTF-16 surrogate, e.g. \\ud800)")
        return self


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
