"""Challenge submissions: which files a run may see, and grading its predictions against the
hidden labels. Everything here runs in the service, never in the sandbox; the labels' paths
come from this service's own curriculum folder or its cache of authored challenges (fetched
from the authoring service, the only other holder of hidden labels), never from a request."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from ascent.authoring.v1 import authoring_service_pb2 as authoring_pb
from ascent.authoring.v1 import authoring_service_pb2_grpc as authoring_grpc
from ascent.types.v1 import run_pb2

from services.common.challenge_data import (
    ChallengeFiles,
    install_secret,
    materialize,
    open_files,
    write_files,
)
from services.common.curriculum import (
    GRADER_METRIC,
    SLUG,
    ChallengeSpec,
    challenge_index,
    load_catalog,
)
from services.common.errors import AscentError, from_grpc
from services.common.ml.scoring import meets
from services.common.rpc import CHANNEL_OPTIONS
from services.execution.sandbox import GradingError, SandboxResult, grade


class ChallengeBook:
    """The curriculum's challenges and their materialised data files (built once, cached)."""

    def __init__(self, curriculum_dir: Path, data_root: Path) -> None:
        self.challenges = challenge_index(load_catalog(curriculum_dir))
        self.data_root = data_root
        # Read once at start; the file stays in the service's data dir, out of any run's view.
        self.secret = install_secret(data_root)

    def get(self, slug: str) -> ChallengeSpec:
        spec = self.challenges.get(slug)
        if spec is None:
            raise AscentError("not_found", f"Unknown challenge {slug!r}.")
        return spec

    def files(self, spec: ChallengeSpec) -> ChallengeFiles:
        return materialize(spec, self.data_root, self.secret)


@dataclass(frozen=True)
class Resolved:
    spec: ChallengeSpec
    files: ChallengeFiles
    version: int  # 0 for a curriculum challenge


_FINGERPRINT = re.compile(r"^[0-9a-f]{8,64}$")


class AuthoredBook:
    """Instructor-authored challenges: their split (with hidden labels) is fetched from the
    authoring service once per (slug, version, fingerprint) and cached on disk beside the
    curriculum's files."""

    def __init__(self, addr: str, data_root: Path, timeout: float = 30.0) -> None:
        self.root = data_root / "authored"
        self.timeout = timeout
        self.channel = grpc.aio.insecure_channel(addr, options=CHANNEL_OPTIONS)
        self.stub = authoring_grpc.AuthoringServiceStub(self.channel)

    async def _bundle(
        self, slug: str, version: int, allow_draft: bool, include_data: bool
    ) -> authoring_pb.Bundle:
        try:
            bundle: authoring_pb.Bundle = await self.stub.GetBundle(
                authoring_pb.GetBundleRequest(
                    slug=slug, version=version, allow_draft=allow_draft, include_data=include_data
                ),
                timeout=self.timeout,
            )
        except grpc.aio.AioRpcError as err:
            raise from_grpc(err, "authoring") from None
        return bundle

    async def resolve(self, slug: str, version: int, allow_draft: bool) -> Resolved:
        head = await self._bundle(slug, version, allow_draft, include_data=False)
        # The bundle names the cache folder: only a slug and a hex fingerprint may do that.
        if (
            head.metric not in GRADER_METRIC
            or not _FINGERPRINT.match(head.fingerprint)
            or not SLUG.match(head.slug)
            or head.version < 1
        ):
            raise AscentError("unprocessable", f"Challenge {slug!r} cannot be graded.")
        directory = self.root / f"{head.slug}-v{head.version}-{head.fingerprint}"
        if (directory / "public_rows.json").is_file():
            files = await asyncio.to_thread(open_files, directory)
        else:
            full = await self._bundle(slug, head.version, allow_draft, include_data=True)
            files = await asyncio.to_thread(
                write_files,
                directory,
                full.train_csv,
                full.test_features_csv,
                full.labels_csv,
                list(full.public_rows),
            )
        spec = ChallengeSpec(
            slug=head.slug,
            title=head.title,
            summary="",
            lesson="",
            metric=head.metric,
            pass_threshold=head.pass_threshold,
            position=0,
            task_type=head.task_type,
            target=head.target,
        )
        return Resolved(spec=spec, files=files, version=head.version)

    async def close(self) -> None:
        await self.channel.close(grace=None)


def grade_submission(
    spec: ChallengeSpec, files: ChallengeFiles, result: SandboxResult
) -> run_pb2.Grade:
    """The Grade of one run; a run that cannot be graded gets a status and a clear reason."""
    out = run_pb2.Grade(
        challenge_slug=spec.slug,
        metric=spec.metric,
        lower_is_better=spec.lower_is_better,
        pass_threshold=spec.pass_threshold,
        expected=files.test_rows,
    )
    predictions = result.predictions
    if predictions is not None:
        out.predictions = len(predictions)
    if result.status != "ok" or result.error is not None:
        out.status = "run_failed"
        out.message = "Not graded: the run stopped with an error before it finished."
        return out
    if predictions is None:
        out.status = "no_predictions"
        out.message = (
            "Not graded: no predictions were submitted. Call "
            "ascent_report.predictions(model.predict(test)) with one prediction per row of "
            "/data/test_features.csv."
        )
        return out
    return grade_predictions(spec, files, predictions, out)


def grade_predictions(
    spec: ChallengeSpec,
    files: ChallengeFiles,
    predictions: list[Any],
    out: run_pb2.Grade | None = None,
) -> run_pb2.Grade:
    """Grade predictions against the hidden labels: a submission's (above), or those serving
    made with a deployed model on the test features (the platform's judging, issue 16)."""
    if out is None:
        out = run_pb2.Grade(
            challenge_slug=spec.slug,
            metric=spec.metric,
            lower_is_better=spec.lower_is_better,
            pass_threshold=spec.pass_threshold,
            expected=files.test_rows,
            predictions=len(predictions),
        )
    metric = spec.grader_metric
    try:
        # The whole test set first: it checks length and types once, with one message.
        overall = grade(predictions, str(files.labels), metric)
        public_set = set(files.public_rows)
        public = [p for i, p in enumerate(predictions) if i in public_set]
        private = [p for i, p in enumerate(predictions) if i not in public_set]
        out.public_score = grade(public, str(files.labels_public), metric)
        if private:
            out.private_score = grade(private, str(files.labels_private), metric)
    except GradingError as err:
        out.ClearField("public_score")
        out.ClearField("private_score")
        out.status = "invalid"
        out.message = f"Not graded: {err}."
        return out
    out.status = "graded"
    # Passing is judged on every hidden row: the public part alone (a few dozen rows on the
    # small challenges) moved the curriculum's own solutions across the bar from one install's
    # data to the next. The overall score itself is never shown (with the public one it would
    # give the private one away).
    out.passed = meets(spec.metric, overall, spec.pass_threshold)
    return out
