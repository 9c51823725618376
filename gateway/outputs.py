"""The whole output of long runs, kept for "Download full output".

Events are bounded (EVENTS.md, "Bounded events"), so the leaderboard's copy of a run that
printed a lot holds excerpts (its head and tail, named in `Run.notices`). The gateway is the
one place that receives the whole run (the `Execute` answer), so it keeps the whole stdout of
such runs here, as a text file per run id under `<data_dir>/outputs`, and the notebook's
`stdout.txt` serves it. Every byte kept was counted against the learner's stored-output quota
(`gateway/quotas.py`); the store as a whole is bounded too: past `max_bytes`, the oldest files
go first (their runs then download as stored, with the notice saying so).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

# Run ids are uuid hex; anything else never names a file.
_RUN_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class OutputStore:
    def __init__(self, root: Path, min_bytes: int, max_bytes: int) -> None:
        self.root = root
        # Outputs this small are whole in the ledger already: nothing to keep.
        self.min_bytes = min_bytes
        self.max_bytes = max_bytes

    def _path(self, run_id: str) -> Path | None:
        return self.root / f"{run_id}.txt" if _RUN_ID.fullmatch(run_id) else None

    def save(self, run_id: str, stdout: str) -> bool:
        """Keeps `stdout` of `run_id` when it is long enough to have been shortened elsewhere;
        returns whether it was kept."""
        data = stdout.encode("utf-8", "replace")
        path = self._path(run_id)
        if path is None or len(data) < self.min_bytes or len(data) > self.max_bytes:
            return False
        self.root.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        os.replace(partial, path)
        self._evict()
        return True

    def load(self, run_id: str) -> str | None:
        path = self._path(run_id)
        if path is None:
            return None
        try:
            return path.read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:
            return None

    def _evict(self) -> None:
        files = []
        for entry in os.scandir(self.root):
            if entry.name.endswith(".txt"):
                stat = entry.stat()
                files.append((stat.st_mtime, stat.st_size, Path(entry.path)))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
