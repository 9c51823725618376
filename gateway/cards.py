"""Dataset cards (the notebook dashboard's summary of a dataset) by content hash and target,
computed once — at upload, from the frame the upload check already read — and kept as JSON
under `<data_dir>/cards`: a page view of a 1M-row dataset must not re-read 200 MB. Like the
datasets themselves, an entry never changes once written."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class CardCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str, target: str) -> Path:
        key = hashlib.sha256(target.encode("utf-8")).hexdigest()[:16]
        return self.root / f"{digest}-{key}.json"

    def load(self, digest: str, target: str) -> str | None:
        try:
            return self._path(digest, target).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def save(self, digest: str, target: str, payload: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".card-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
        os.replace(tmp, self._path(digest, target))
