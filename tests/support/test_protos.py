"""The typed proto builders: their keywords are the message's fields, overrides win."""

from __future__ import annotations

from ascent.types.v1 import run_pb2

from tests.support.protos import RunFields, make_run


def test_run_fields_name_every_field_of_run() -> None:
    assert set(RunFields.__annotations__) == set(run_pb2.Run.DESCRIPTOR.fields_by_name)


def test_make_run_takes_defaults_and_lets_fields_replace_them() -> None:
    run = make_run({"id": "r1", "owner_id": "u1", "has_error": True}, has_error=False, code="x")
    assert (run.id, run.owner_id, run.has_error, run.code) == ("r1", "u1", False, "x")
