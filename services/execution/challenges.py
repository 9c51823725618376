"""Challenge submissions: which files a run may see, and grading its predictions against the
hidden labels. Everything here runs in the service, never in the sandbox; the labels' paths
come from this service's own curriculum folder, never from a request."""

from __future__ import annotations

from pathlib import Path

from ascent.types.v1 import run_pb2

from services.common.challenge_data import ChallengeFiles, materialize
from services.common.curriculum import ChallengeSpec, challenge_index, load_catalog, meets
from services.common.errors import AscentError
from services.execution.sandbox import GradingError, SandboxResult, grade


class ChallengeBook:
    """The curriculum's challenges and their materialised data files (built once, cached)."""

    def __init__(self, curriculum_dir: Path, data_root: Path) -> None:
        self.challenges = challenge_index(load_catalog(curriculum_dir))
        self.data_root = data_root

    def get(self, slug: str) -> ChallengeSpec:
        spec = self.challenges.get(slug)
        if spec is None:
            raise AscentError("not_found", f"Unknown challenge {slug!r}.")
        return spec

    def files(self, spec: ChallengeSpec) -> ChallengeFiles:
        return materialize(spec, self.data_root)


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
    metric = spec.grader_metric
    try:
        # The whole test set first: it checks length and types once, with one message.
        grade(predictions, str(files.labels), metric)
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
    out.passed = meets(spec.metric, out.public_score, spec.pass_threshold)
    return out
