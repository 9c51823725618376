"""Content-addressed dataset store: `<data_dir>/datasets/<sha256>.csv`.

The gateway writes uploads; execution and the recommender read them by hash. Files are
immutable once written, so readers never see a half-written dataset.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from services.common.errors import AscentError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class DatasetStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if not target.exists():
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".upload-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        return digest

    def path(self, digest: str) -> Path:
        if not _SHA256.match(digest):
            raise AscentError("invalid_argument", "Dataset id must be a sha256 hex digest.")
        return self.root / f"{digest}.csv"

    def existing_path(self, digest: str) -> Path:
        path = self.path(digest)
        if not path.is_file():
            raise AscentError("not_found", "Dataset not found.")
        return path
