"""Content-addressed dataset store: the NATS JetStream object store `ascent-datasets` (one
object per sha256, chunked by NATS, replicated like the stream) is the store of record, and
`<data_dir>/datasets/<sha256>.csv` is each host's read cache.

The gateway writes uploads locally and publishes them; execution and the recommender read by
hash, fetching into their own cache when the file is not there — so execution hosts need no
shared filesystem (issue 19). Why the object store and not PostgreSQL large objects: every
process already holds a NATS connection, objects stream in chunks (a 120 MB file is put in
0.8 s, fetched in 2.3 s on this machine), and a NATS cluster replicates them with the stream;
large objects would tie dataset reads to the database's connection pool and its backups.

Files are immutable once written (a temporary name, then an atomic rename), so readers never
see a half-written dataset; a fetched file is checked against its hash before it is used.
Without a bus (unit tests, tools) the store is the local directory alone.

Large uploads also get a **columnar copy**, `<sha256>.parquet` (the very frame the CSV reads
as, written by the gateway from the frame it parsed at upload), where it pays: on 1,000,000
rows × 20 columns it is 2.4× smaller to move to an execution host (142 vs 343 MB) and reads
3.8× faster than the CSV (`bench/README.md`). Learner code keeps `/data/uploaded.csv`, byte
for byte what was uploaded; the copy is mounted beside it as `/data/uploaded.parquet`, and the
apps' programs read it when it is there. It is optional everywhere: a dataset without one
(small, or a column pyarrow cannot type) is read from its CSV. The object store checks its
digest on every fetch.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from nats.errors import Error as NatsError
from nats.js import api as js_api
from nats.js.errors import BucketNotFoundError, NotFoundError, ObjectNotFoundError

from services.common.errors import AscentError

if TYPE_CHECKING:
    from nats.js.object_store import ObjectStore

    from services.common.events import EventBus

log = logging.getLogger(__name__)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
BUCKET = "ascent-datasets"
# A sync read from a worker thread waits this long for a fetch (200 MB: a few seconds).
FETCH_TIMEOUT_SECONDS = 120.0
# Below this many rows a CSV reads in milliseconds: a columnar copy would not pay.
COLUMNAR_MIN_ROWS = 50_000
COLUMNAR_SUFFIX = ".parquet"


class DatasetStore:
    def __init__(
        self, root: Path, bus: EventBus | None = None, *, bucket: str = BUCKET, replicas: int = 1
    ) -> None:
        self.root = root
        self.bus = bus
        self.bucket = bucket
        self.replicas = replicas
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._bucket_lock: asyncio.Lock | None = None
        self._handle: ObjectStore | None = None
        self._warm_up: asyncio.Task[None] | None = None
        # Datasets the object store has no columnar copy of (it is written with the CSV, so a
        # miss stays a miss): one lookup per dataset and host, not one per run.
        self._no_columnar: set[str] = set()

    # -- local --------------------------------------------------------------------------------
    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if not target.exists():
            _write_atomically(self.root, target, content, ".upload-")
        return digest

    def path(self, digest: str) -> Path:
        if not _SHA256.match(digest):
            raise AscentError("invalid_argument", "Dataset id must be a sha256 hex digest.")
        return self.root / f"{digest}.csv"

    def columnar_path(self, digest: str) -> Path:
        return self.path(digest).with_suffix(COLUMNAR_SUFFIX)

    def put_columnar(self, digest: str, content: bytes) -> Path:
        """Stores the columnar copy of the dataset `digest` (see the module docstring)."""
        target = self.columnar_path(digest)
        if not target.exists():
            _write_atomically(self.root, target, content, ".columnar-")
        return target

    def existing_path(self, digest: str) -> Path:
        """The local file, fetched first when only the object store has it. For worker
        threads: on the event loop itself, `await fetch()`."""
        path = self.path(digest)
        if path.is_file():
            return path
        if self.bus is None or self._loop is None:
            raise AscentError("not_found", "Dataset not found.")
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass  # a worker thread: the loop fetches, this thread waits
        else:
            raise RuntimeError("existing_path() on an event loop: use await fetch()")
        future = asyncio.run_coroutine_threadsafe(self.fetch(digest), self._loop)
        return future.result(FETCH_TIMEOUT_SECONDS)

    # -- the object store ---------------------------------------------------------------------
    async def _objects(self) -> ObjectStore:
        bus = self.bus
        if bus is None:
            raise AscentError("not_found", "Dataset not found.")
        self._loop = asyncio.get_running_loop()
        if bus.nc is None or not bus.connected.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bus.connected.wait(), 5.0)
        if bus.nc is None or not bus.connected.is_set():
            raise AscentError(
                "unavailable", "The dataset store is not reachable right now; try again."
            )
        if self._handle is not None:
            return self._handle
        if self._bucket_lock is None:
            self._bucket_lock = asyncio.Lock()
        # Looked up (or created) once per process: on a cluster, creating the replicated bucket
        # takes a leader election, and a lookup per upload would be a request per upload.
        async with self._bucket_lock:
            if self._handle is None:
                js = bus.nc.jetstream()
                try:
                    self._handle = await js.object_store(self.bucket)
                except (BucketNotFoundError, NotFoundError):
                    config = js_api.ObjectStoreConfig(
                        storage=js_api.StorageType.FILE, replicas=self.replicas
                    )
                    self._handle = await js.create_object_store(self.bucket, config=config)
            return self._handle

    def bind(self) -> None:
        """Remember the running loop, so worker threads can fetch through it (call once on the
        event loop at start)."""
        self._loop = asyncio.get_running_loop()
        if self.bus is not None:
            # The bucket exists (or is created) before the first upload needs it.
            self._warm_up = self._loop.create_task(self._ensure_bucket())

    async def _ensure_bucket(self) -> None:
        assert self.bus is not None
        while self._handle is None:
            await self.bus.connected.wait()
            try:
                await self._objects()
            except Exception as exc:  # retried: the cluster may still be electing leaders
                log.warning("dataset bucket not ready", extra={"error": repr(exc)})
                await asyncio.sleep(1.0)

    async def publish(self, digest: str) -> None:
        """Puts the local file into the object store unless it is there already."""
        if self.bus is None:
            return
        try:
            await self._publish(digest)
        except (NatsError, TimeoutError) as exc:
            # Found by the load benchmark: the first uploads on a fresh cluster timed out while
            # the replicated bucket was being created, and were 500s.
            log.warning("dataset publish failed", extra={"error": repr(exc)})
            raise AscentError(
                "unavailable", "The dataset store did not answer in time; upload again."
            ) from None

    async def _publish(self, digest: str) -> None:
        objects = await self._objects()
        columnar = self.columnar_path(digest)
        for name, path in ((digest, self.path(digest)), (columnar.name, columnar)):
            if name != digest and not path.is_file():
                continue
            try:
                await objects.get_info(name)
                continue
            except (ObjectNotFoundError, NotFoundError):
                pass
            with path.open("rb") as handle:
                await objects.put(name, handle)

    async def fetch(self, digest: str) -> Path:
        """The local file; fetched from the object store into this host's cache first when it
        is missing here (one fetch at a time per process: two runs of one new dataset wait for
        the same download)."""
        path = self.path(digest)
        if path.is_file() or self.bus is None:
            if not path.is_file():
                raise AscentError("not_found", "Dataset not found.")
            return path
        try:
            return await self._fetch(digest, path)
        except (NatsError, TimeoutError) as exc:
            log.warning("dataset fetch failed", extra={"error": repr(exc)})
            raise AscentError(
                "unavailable", "The dataset store did not answer in time; try again."
            ) from None

    async def _fetch(self, digest: str, path: Path) -> Path:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if path.is_file():
                return path
            objects = await self._objects()
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".fetch-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    await objects.get(digest, writeinto=handle)
                if _sha256_of(Path(tmp)) != digest:
                    raise AscentError("unavailable", "The dataset arrived damaged; try again.")
                os.chmod(tmp, 0o444)
                os.replace(tmp, path)
            except (ObjectNotFoundError, NotFoundError):
                raise AscentError("not_found", "Dataset not found.") from None
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        return path

    async def fetch_columnar(self, digest: str) -> Path | None:
        """The dataset's columnar copy on this host, fetched when only the object store has
        it; None when there is none (or the store cannot be reached: the CSV serves)."""
        path = self.columnar_path(digest)
        if path.is_file():
            return path
        if self.bus is None or digest in self._no_columnar:
            return None
        try:
            return await self._fetch_columnar(path)
        except (ObjectNotFoundError, NotFoundError):
            self._no_columnar.add(digest)
        except (NatsError, TimeoutError, AscentError) as exc:
            log.warning("columnar copy not fetched", extra={"error": repr(exc)})
        return None

    async def _fetch_columnar(self, path: Path) -> Path:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if path.is_file():
                return path
            objects = await self._objects()
            await objects.get_info(path.name)
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".fetch-")
            try:
                # The object store checks the object's SHA-256 digest as it reads it.
                with os.fdopen(fd, "wb") as handle:
                    await objects.get(path.name, writeinto=handle)
                os.chmod(tmp, 0o444)
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        return path


def _write_atomically(root: Path, target: Path, content: bytes, prefix: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root, prefix=prefix)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.chmod(tmp, 0o444)
    os.replace(tmp, target)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
