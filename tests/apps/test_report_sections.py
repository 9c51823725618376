"""The ASCENT_REPORT: line protocol: valid sections in, everything else out, whole."""

from __future__ import annotations

import json

from services.common.report_sections import (
    MAX_SECTION_BYTES,
    LineSplitter,
    parse_line,
    sections_of,
)


def line(payload: object) -> str:
    return "ASCENT_REPORT: " + json.dumps(payload)


def test_a_valid_line_is_a_section() -> None:
    section = parse_line(line({"v": 1, "kind": "columns", "data": {"n": 3}}))
    assert section is not None and (section.kind, section.data) == ("columns", {"n": 3})


def test_invalid_lines_are_dropped_whole() -> None:
    assert parse_line("ASCENT_REPORT: {not json") is None
    assert parse_line(line({"v": 2, "kind": "columns", "data": {}})) is None
    assert parse_line(line({"v": 1, "kind": "Bad Kind", "data": {}})) is None
    assert parse_line(line({"v": 1, "kind": "columns", "data": [1]})) is None
    assert parse_line('ASCENT_REPORT: {"v": 1, "kind": "x", "data": {"a": NaN}}') is None
    big = line({"v": 1, "kind": "x", "data": {"s": "a" * MAX_SECTION_BYTES}})
    assert parse_line(big) is None
    assert parse_line("print: ASCENT_REPORT: {}") is None


def test_progress_is_not_a_stored_section() -> None:
    stdout = "\n".join(
        [
            line({"v": 1, "kind": "progress", "data": {"done": 1, "total": 2}}),
            "hello",
            line({"v": 1, "kind": "overview", "data": {"rows": 5}}),
        ]
    )
    assert [s.kind for s in sections_of(stdout)] == ["overview"]


def test_lines_split_across_chunks_are_joined() -> None:
    splitter = LineSplitter()
    text = line({"v": 1, "kind": "overview", "data": {"rows": 5}}) + "\n"
    assert splitter.feed(text[:10]) == []
    lines = splitter.feed(text[10:])
    assert len(lines) == 1 and parse_line(lines[0]) is not None
    assert splitter.flush() == []
