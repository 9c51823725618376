"""What every domain's views share: the request-body base (camelCase, unknown fields
rejected), the response-view base and the timestamp formats of the JSON API."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, ConfigDict, Field, GetJsonSchemaHandler, model_validator
from pydantic.alias_generators import to_camel
from pydantic.config import JsonDict
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

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


def checked(*, pattern: str | None = None, max_length: int | None = None) -> JsonDict:
    """`json_schema_extra` of a field whose rule the flow behind it checks, with its own
    message: the schema states the rule, the flow's words explain it. Patterns are written
    for Python's `re`, where `\\s` is exactly what `str.strip()` and `str.split()` remove."""
    rules: JsonDict = {}
    if pattern is not None:
        rules["pattern"] = pattern
    if max_length is not None:
        rules["maxLength"] = max_length
    return rules


# Something besides whitespace (a name, a join code, code to run).
NOT_BLANK = r"\S"
# The code of a run, a submission or a practice run: at most the default code limit
# (`Settings.max_code_chars`: "The code is too long"), not blank ("There is no code to run.").
MAX_CODE_CHARS = 200_000
Code = Annotated[
    str, Field(json_schema_extra=checked(pattern=NOT_BLANK, max_length=MAX_CODE_CHARS))
]


class Body(BaseModel):
    """A request body: camelCase, unknown fields refused; every constraint the flow behind it
    enforces on a field alone is stated here, so the schema never allows what is refused."""

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


class FieldsSchema(BaseModel):
    """A view whose `model_serializer` only leaves keys out (an optional part that is not
    set, or None): its JSON schema is its fields' own, where optional fields are not
    required, instead of the serializer's `dict[str, Any]`, which says nothing."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        fields_only = {k: v for k, v in core_schema.items() if k != "serialization"}
        return handler(fields_only)


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
