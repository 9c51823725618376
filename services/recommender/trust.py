"""Which outcomes the knowledge base may learn from (issue 20, §3: no poisoning).

A score teaches the recommender only when the platform computed it: a learner's code can
print any `ACCURACY:` it likes, and forty such runs once steered other learners' advice to
a depth-1 tree. The rules, in the order `admit` applies them (README, "Trust"):

1. no dataset fingerprint (the Iris fallback, a run that names no upload) → never counts;
2. who computed the score: the coach's own complete program (`Run.scored_by == "coach"`),
   an app's program (`Run.app_slug`; the apps service generates and runs it) or an AutoML
   trial (the platform's search) → trusted; anything the learner's code printed → ignored;
3. outliers against the dataset's landmarkers (a claimed score that closes nearly all the
   gap from the best landmarker to a perfect score, by a wide margin) → rejected;
4. caps: per learner, at most `CELL_CAP` observations of one pipeline on one dataset and
   `LEARNER_CAP` on one dataset; per dataset, `DATASET_CAP` observations in all.

Pure: the counts for the caps come from the repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from ascent.types.v1 import run_pb2

from services.common.ml.metafeatures import MetaFeatures

# Where a trusted score came from (Observation.trust).
COACH = "coach"
APP = "app"
AUTOML = "automl"
LANDMARKERS = ("landmark_stump", "landmark_nb", "landmark_1nn")
# A score more than OUTLIER_MIN_GAIN above the best landmarker AND closing more than
# OUTLIER_SHARE of the gap from it to a perfect 1.0 is implausible. On the 26 prior datasets
# the best pipeline beat the best landmarker by at most 0.46 and closed at most 78 % of
# that gap (friedman3), so honest results pass with room.
OUTLIER_MIN_GAIN = 0.2
OUTLIER_SHARE = 0.95
# Repeating one pipeline on one dataset teaches nothing new after a few runs, and no single
# learner (or dataset) should outweigh the rest of the platform.
CELL_CAP = 3
LEARNER_CAP = 60
DATASET_CAP = 500


@dataclass(frozen=True)
class Counts:
    """What the knowledge base already holds around a new observation."""

    same_cell: int  # this learner, this dataset, this pipeline
    same_learner: int  # this learner, this dataset
    same_dataset: int  # this dataset, everyone


def source(run: run_pb2.Run) -> str | None:
    """Who computed the run's score, when the platform did (None: the learner's code)."""
    if run.scored_by == COACH:
        return COACH
    if run.app_slug:
        return APP
    return None


def outlier(score: float, meta: MetaFeatures) -> bool:
    """The score is implausible next to the dataset's landmarkers (False without them)."""
    marks = [meta.extra[name] for name in LANDMARKERS if name in meta.extra]
    if not marks:
        return False
    best = max(marks)
    gain = score - best
    return gain > OUTLIER_MIN_GAIN and gain > OUTLIER_SHARE * max(0.0, 1.0 - best)


def refusal(score: float, meta: MetaFeatures, counts: Counts, source: str = COACH) -> str:
    """Why a trusted outcome is still not recorded ("" = record it). An AutoML search's
    trials are exempt from the cell cap: a spec it tries again is its own choice, once per
    trial, not a learner pressing a button."""
    if outlier(score, meta):
        return "outlier against the dataset's landmarkers"
    if counts.same_cell >= CELL_CAP and source != AUTOML:
        return "cap per learner, dataset and pipeline reached"
    if counts.same_learner >= LEARNER_CAP:
        return "cap per learner and dataset reached"
    if counts.same_dataset >= DATASET_CAP:
        return "cap per dataset reached"
    return ""
