"""The gateway's copy of long outputs (gateway/outputs.py): what it keeps, what it refuses to
name, and its bound."""

from __future__ import annotations

import os
from pathlib import Path

from gateway.outputs import OutputStore


def test_only_long_outputs_are_kept_and_read_back(tmp_path: Path) -> None:
    store = OutputStore(tmp_path / "outputs", min_bytes=100, max_bytes=10_000)
    assert not store.save("short", "x" * 99)
    assert store.load("short") is None
    text = "é\n" * 200
    assert store.save("r1", text)
    assert store.load("r1") == text


def test_a_run_id_never_names_a_path(tmp_path: Path) -> None:
    store = OutputStore(tmp_path / "outputs", min_bytes=1, max_bytes=10_000)
    for bad in ("../escape", "a/b", "", "x" * 65, "r1.txt"):
        assert not store.save(bad, "data" * 10)
        assert store.load(bad) is None
    assert not (tmp_path / "escape.txt").exists()


def test_the_oldest_outputs_go_first_past_the_bound(tmp_path: Path) -> None:
    store = OutputStore(tmp_path / "outputs", min_bytes=1, max_bytes=2_500)
    for index in range(3):
        assert store.save(f"r{index}", "y" * 1_000)
        # Distinct modification times, oldest first, whatever the filesystem's resolution.
        os.utime(store.root / f"r{index}.txt", (index, index))
    assert store.save("r3", "z" * 1_000)
    kept = sorted(path.name for path in store.root.iterdir())
    assert kept == ["r2.txt", "r3.txt"]
    assert store.load("r0") is None
