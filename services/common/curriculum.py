"""Reading the curriculum files (YAML) into a validated catalog; no database here.

Layout (documented in curriculum/README.md):
  <root>/badges.yaml
  <root>/tracks/<track-slug>/track.yaml
  <root>/tracks/<track-slug>/challenges/<challenge-slug>/challenge.yaml
Unknown keys are ignored so the format can grow. Shared by progress (catalog, rules),
execution (datasets and hidden labels for grading) and the content tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from services.common.ml import tasks as ml_tasks
from services.common.ml.scoring import lower_is_better

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Challenge metrics (graded on hidden labels) and the name the grader knows them by.
GRADER_METRIC = {
    "accuracy": "accuracy",
    "f1_score": "f1",
    "roc_auc": "roc_auc",
    "r2": "r2",
    "rmse": "rmse",
    "mae": "mae",
}
METRICS = frozenset(GRADER_METRIC)
TASK_TYPES = frozenset(ml_tasks.TASK_TYPES)
SPLITS = frozenset({"random", "chronological"})
HINTS = 3
# The public score is computed on a minority of the test rows, so it tells little about the
# private rest that decides the final ranking (issue 17, reproduction 2).
PUBLIC_FRACTION = 0.3
# Graded submissions per learner and challenge in 24 hours, unless the challenge says.
DAILY_SUBMISSIONS = 10
MAX_DAILY_SUBMISSIONS = 100
# Authored challenges (a `csv:` dataset) need at least one hint, not exactly three.
MIN_AUTHORED_HINTS = 1
# sklearn loaders whose data ships inside the package (no network).
BUNDLED_LOADERS = (
    "load_breast_cancer",
    "load_diabetes",
    "load_digits",
    "load_iris",
    "load_linnerud",
    "load_wine",
)
# Badge criteria: one key and the integer it must reach. Counters count learner facts;
# `beat_baseline_by_percent` is a relative margin over a challenge's baseline and
# `leaderboard_top` the rank to reach on a challenge board.
BADGE_COUNTERS = frozenset(
    {
        "runs",
        "successful_runs",
        "improved_runs",
        "accepted_improvements",
        "challenges_passed",
        "personal_bests",
        "tracks_completed",
        "streak_days",
        "beat_baseline_by_percent",
        "leaderboard_top",
        # -- Deployments (issue 16) --
        "models_deployed",
        # deployments with a version the platform scored at or above the criterion's `bar`
        "deployed_meeting_bar",
        # deployments of the learner's that raised a drift alert (serving.drift.detected.v1)
        "drift_alerts",
    }
)
# A deployment bar is per metric, and only for metrics whose scale is fixed (higher is
# better): an RMSE or MAE bar would mean something else on every dataset.
BAR_METRICS = frozenset({"accuracy", "f1_score", "roc_auc", "r2"})


class CurriculumError(ValueError):
    """A curriculum file is missing, malformed or inconsistent; names the file and field."""


@dataclass(frozen=True)
class UnlockRule:
    """Every condition that is set must hold. `after_track`: `min_passed` challenges of that
    track reached `min_quality` of their target (1.0 = passed). `tag`: `min_tagged`
    challenges carrying that tag (any track) passed."""

    after_track: str | None
    min_passed: int = 0
    min_quality: float = 1.0
    tag: str | None = None
    min_tagged: int = 0
    # Deployed models that meet their bar (issue 16): that many of the learner's deployments
    # have a version the platform scored at or above `deployed_bar[metric]`.
    deployed_models: int = 0
    deployed_bar: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class DatasetSpec:
    """How to build a challenge's data from what ships with installed packages (never a
    download): `source` is `sklearn:<load_* or make_*>` or `ascent:<generator>`, or a CSV file
    inside the challenge's own folder, `csv:<file>` (how authored challenges are exported);
    `path` is that file, resolved when the challenge is loaded."""

    source: str
    params: dict[str, Any]
    test_size: float
    split: str
    seed: int
    public_fraction: float
    path: str = ""


@dataclass(frozen=True)
class ChallengeSpec:
    slug: str
    title: str
    summary: str
    lesson: str
    metric: str
    pass_threshold: float
    position: int
    outcomes: tuple[str, ...] = ()
    task_type: str = "classification"
    target: str = "target"
    dataset: DatasetSpec | None = None
    starter_code: str = ""
    solution: str = ""
    hints: tuple[str, ...] = ()
    baseline: float | None = None
    requires: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    track_slug: str = ""
    daily_submissions: int = DAILY_SUBMISSIONS
    # Judged on a deployment (issue 16): the pass comes from the platform's score of a model
    # deployed from a run of this challenge, with its p50 at most this many milliseconds;
    # a submission is graded (best score, feedback) but never passes. 0 = an ordinary challenge.
    deployment_max_p50_ms: float = 0.0

    @property
    def grader_metric(self) -> str:
        return GRADER_METRIC[self.metric]

    @property
    def lower_is_better(self) -> bool:
        return lower_is_better(self.metric)


@dataclass(frozen=True)
class TrackSpec:
    slug: str
    title: str
    level: str
    description: str
    position: int
    unlock: UnlockRule | None
    challenges: list[ChallengeSpec] = field(default_factory=list)


@dataclass(frozen=True)
class BadgeSpec:
    slug: str
    name: str
    description: str
    counter: str
    value: int
    # Further conditions, all of which must hold too (counter -> value), and the bar of the
    # `deployed_meeting_bar` counter (metric -> threshold).
    also: tuple[tuple[str, int], ...] = ()
    bar: tuple[tuple[str, float], ...] = ()

    @property
    def conditions(self) -> dict[str, int]:
        return {self.counter: self.value, **dict(self.also)}


@dataclass(frozen=True)
class Catalog:
    tracks: list[TrackSpec]
    badges: list[BadgeSpec]


class _Doc:
    """One parsed YAML mapping that reports errors with its file name."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise CurriculumError(f"{where}: expected a mapping of fields")
        self.data = data
        self.where = where

    def fail(self, name: str, problem: str) -> CurriculumError:
        return CurriculumError(f"{self.where}: field '{name}' {problem}")

    def _required(self, name: str) -> Any:
        if name not in self.data or self.data[name] is None:
            raise CurriculumError(f"{self.where}: missing required field '{name}'")
        return self.data[name]

    def text(self, name: str) -> str:
        value = self._required(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "must be a non-empty string")
        return value.strip()

    def integer(self, name: str, minimum: int = 0) -> int:
        value = self._required(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(name, f"must be an integer >= {minimum}")
        return value

    def number(self, name: str) -> float:
        value = self._required(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, "must be a number")
        return float(value)

    def fraction(self, name: str, default: float | None = None) -> float:
        if default is not None and self.data.get(name) is None:
            return default
        value = self.number(name)
        if not 0 < value < 1:
            raise self.fail(name, "must be a number between 0 and 1 (exclusive)")
        return value

    def texts(self, name: str, required: bool = True) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None and not required:
            return ()
        value = self._required(name)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(name, "must be a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def code(self, name: str) -> str:
        value = self._required(name)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "must be non-empty code")
        try:
            compile(value, f"{self.where}: {name}", "exec")
        except SyntaxError as exc:
            raise self.fail(name, f"is not valid Python (line {exc.lineno}: {exc.msg})") from None
        return value

    def choice(self, name: str, allowed: frozenset[str], default: str | None = None) -> str:
        if default is not None and self.data.get(name) is None:
            return default
        value = self.text(name)
        if value not in allowed:
            raise self.fail(name, f"must be one of {', '.join(sorted(allowed))}")
        return value

    def bar(self, name: str) -> tuple[tuple[str, float], ...]:
        """A deployment bar: metric -> threshold, metrics from BAR_METRICS."""
        mapping = self.optional_mapping(name)
        if mapping is None or not mapping.data:
            raise CurriculumError(f"{self.where}: missing required field '{name}'")
        for metric in mapping.data:
            if metric not in BAR_METRICS:
                raise mapping.fail(str(metric), f"must be one of {', '.join(sorted(BAR_METRICS))}")
            mapping.number(metric)
        return tuple(sorted((str(m), float(v)) for m, v in mapping.data.items()))

    def optional_mapping(self, name: str) -> _Doc | None:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(name, "must be a mapping")
        return _Doc(value, f"{self.where}: {name}")


def _read(path: Path, root: Path) -> _Doc:
    where = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    if not path.is_file():
        raise CurriculumError(f"{where}: file is missing")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CurriculumError(f"{where}: invalid YAML ({exc})") from exc
    return _Doc(data, where)


def _slug(directory: Path, where: str) -> str:
    if not SLUG.match(directory.name):
        raise CurriculumError(f"{where}: folder name {directory.name!r} is not a valid slug")
    return directory.name


def _dataset(doc: _Doc, folder: Path) -> DatasetSpec:
    data = doc.optional_mapping("dataset")
    if data is None:
        raise CurriculumError(f"{doc.where}: missing required field 'dataset'")
    source = data.text("source")
    kind, _, name = source.partition(":")
    if kind not in ("sklearn", "ascent", "csv") or not name:
        raise data.fail(
            "source", "must look like 'sklearn:load_iris', 'ascent:<generator>' or 'csv:<file>'"
        )
    path = ""
    if kind == "csv":
        # Only a file inside the challenge's own folder: no paths elsewhere on the machine.
        candidate = (folder / name).resolve()
        if "/" in name or "\\" in name or not candidate.is_file():
            raise data.fail("source", f"names {name!r}, not a file in the challenge folder")
        path = str(candidate)
    if kind == "sklearn" and name not in BUNDLED_LOADERS and not name.startswith("make_"):
        # fetch_* would download; only bundled loaders and generators are allowed.
        raise data.fail(
            "source", f"must be a generator (make_*) or one of {', '.join(BUNDLED_LOADERS)}"
        )
    params = data.optional_mapping("params")
    return DatasetSpec(
        source=source,
        params=dict(params.data) if params is not None else {},
        test_size=data.fraction("test_size", 0.3),
        split=data.choice("split", SPLITS, "random"),
        seed=data.integer("seed") if data.data.get("seed") is not None else 0,
        public_fraction=data.fraction("public_fraction", PUBLIC_FRACTION),
        path=path,
    )


def _challenge(path: Path, root: Path, track_slug: str = "") -> ChallengeSpec:
    doc = _read(path, root)
    metric = doc.text("metric")
    if metric not in METRICS:
        raise doc.fail("metric", f"must be one of {', '.join(sorted(METRICS))}")
    task_type = doc.choice("task_type", TASK_TYPES)
    if (metric in ("accuracy", "f1_score", "roc_auc")) != (task_type == "classification"):
        raise doc.fail("metric", f"{metric!r} does not fit a {task_type} task")
    hints = doc.texts("hints")
    dataset = _dataset(doc, path.parent)
    if dataset.source.startswith("csv:"):
        if len(hints) < MIN_AUTHORED_HINTS:
            raise doc.fail("hints", f"must hold at least {MIN_AUTHORED_HINTS} progressive hint")
    elif len(hints) != HINTS:
        raise doc.fail("hints", f"must hold exactly {HINTS} progressive hints")
    baseline = doc.data.get("baseline")
    if baseline is not None:
        baseline = doc.number("baseline")
    daily = DAILY_SUBMISSIONS
    if doc.data.get("daily_submissions") is not None:
        daily = doc.integer("daily_submissions", minimum=1)
        if daily > MAX_DAILY_SUBMISSIONS:
            raise doc.fail("daily_submissions", f"must be at most {MAX_DAILY_SUBMISSIONS}")
    judged = doc.optional_mapping("judged_on_deployment")
    max_p50 = 0.0
    if judged is not None:
        max_p50 = judged.number("max_p50_ms")
        if max_p50 <= 0:
            raise judged.fail("max_p50_ms", "must be a positive number of milliseconds")
    return ChallengeSpec(
        slug=_slug(path.parent, doc.where),
        title=doc.text("title"),
        summary=doc.text("summary"),
        lesson=doc.text("lesson"),
        metric=metric,
        pass_threshold=doc.number("pass_threshold"),
        position=doc.integer("position"),
        outcomes=doc.texts("outcomes"),
        task_type=task_type,
        target=doc.text("target"),
        dataset=dataset,
        starter_code=doc.code("starter_code"),
        solution=doc.code("solution"),
        hints=hints,
        baseline=baseline,
        requires=doc.texts("requires", required=False),
        tags=doc.texts("tags", required=False),
        track_slug=track_slug,
        daily_submissions=daily,
        deployment_max_p50_ms=max_p50,
    )


def load_challenge(directory: Path) -> ChallengeSpec:
    """One challenge folder on its own (`challenge.yaml` and, for `csv:` data, its CSV), as
    exported by the authoring service; raises CurriculumError naming the field."""
    return _challenge(directory / "challenge.yaml", directory)


def _track(directory: Path, root: Path) -> TrackSpec:
    doc = _read(directory / "track.yaml", root)
    slug = _slug(directory, doc.where)
    unlock = None
    rule = doc.optional_mapping("unlock")
    if rule is not None:
        after = rule.text("after_track") if rule.data.get("after_track") is not None else None
        tag = rule.text("tag") if rule.data.get("tag") is not None else None
        deployed = (
            rule.integer("deployed_models", minimum=1)
            if rule.data.get("deployed_models") is not None
            else 0
        )
        if after is None and tag is None and not deployed:
            raise CurriculumError(
                f"{rule.where}: missing required field 'after_track', 'tag' or 'deployed_models'"
            )
        quality = rule.data.get("min_quality")
        unlock = UnlockRule(
            after_track=after,
            min_passed=rule.integer("min_passed", minimum=1) if after else 0,
            min_quality=1.0 if quality is None else rule.number("min_quality"),
            tag=tag,
            min_tagged=rule.integer("min_tagged", minimum=1) if tag else 0,
            deployed_models=deployed,
            deployed_bar=rule.bar("deployed_bar") if deployed else (),
        )
        if not 0 < unlock.min_quality <= 1:
            raise rule.fail("min_quality", "must be a fraction in (0, 1]")
        if unlock.after_track == slug:
            raise rule.fail("after_track", "cannot name its own track")
    challenges_dir = directory / "challenges"
    challenges = (
        [
            _challenge(child / "challenge.yaml", root, slug)
            for child in sorted(challenges_dir.iterdir())
            if child.is_dir()
        ]
        if challenges_dir.is_dir()
        else []
    )
    challenges.sort(key=lambda c: (c.position, c.slug))
    return TrackSpec(
        slug=slug,
        title=doc.text("title"),
        level=doc.text("level"),
        description=doc.text("description"),
        position=doc.integer("position"),
        unlock=unlock,
        challenges=challenges,
    )


def _badges(path: Path, root: Path) -> list[BadgeSpec]:
    doc = _read(path, root)
    entries = doc.data.get("badges")
    if not isinstance(entries, list):
        raise CurriculumError(f"{doc.where}: missing required field 'badges' (a list)")
    badges: list[BadgeSpec] = []
    for index, entry in enumerate(entries):
        item = _Doc(entry, f"{doc.where}: badges[{index}]")
        criterion = item.optional_mapping("criterion")
        if criterion is None:
            raise CurriculumError(f"{item.where}: missing required field 'criterion'")
        keys = [k for k in criterion.data if k != "bar"]
        if not keys or any(k not in BADGE_COUNTERS for k in keys):
            raise item.fail(
                "criterion", f"must have one or more of {', '.join(sorted(BADGE_COUNTERS))}"
            )
        counter = keys[0]
        bar: tuple[tuple[str, float], ...] = ()
        if "deployed_meeting_bar" in keys:
            bar = criterion.bar("bar")
        elif "bar" in criterion.data:
            raise criterion.fail("bar", "only applies to 'deployed_meeting_bar'")
        slug = item.text("slug")
        if not SLUG.match(slug):
            raise item.fail("slug", "must be lowercase letters, digits and dashes")
        badges.append(
            BadgeSpec(
                slug=slug,
                name=item.text("name"),
                description=item.text("description"),
                counter=counter,
                value=criterion.integer(counter, minimum=1),
                also=tuple((k, criterion.integer(k, minimum=1)) for k in keys[1:]),
                bar=bar,
            )
        )
    return badges


def load_catalog(root: Path) -> Catalog:
    """Read and validate the whole curriculum; raises CurriculumError on the first problem."""
    tracks_dir = root / "tracks"
    if not tracks_dir.is_dir():
        raise CurriculumError(f"{tracks_dir}: curriculum tracks folder is missing")
    tracks = [_track(child, root) for child in sorted(tracks_dir.iterdir()) if child.is_dir()]
    tracks.sort(key=lambda t: (t.position, t.slug))
    seen: dict[str, str] = {}
    by_slug = {track.slug: track for track in tracks}
    for track in tracks:
        track_file = f"{root.name}/tracks/{track.slug}/track.yaml"
        rule = track.unlock
        if rule is not None and rule.after_track and rule.after_track not in by_slug:
            raise CurriculumError(
                f"{track_file}: field 'unlock.after_track' names unknown track {rule.after_track!r}"
            )
        if (
            rule is not None
            and rule.after_track
            and rule.min_passed > len(by_slug[rule.after_track].challenges)
        ):
            # Such a track could never open.
            available = len(by_slug[rule.after_track].challenges)
            raise CurriculumError(
                f"{track_file}: field 'unlock.min_passed' exceeds the {available} challenges "
                f"of {rule.after_track!r}"
            )
        for challenge in track.challenges:
            if challenge.slug in seen:
                raise CurriculumError(
                    f"{root.name}/tracks/{track.slug}/challenges/{challenge.slug}: the "
                    f"challenge slug is also used in track {seen[challenge.slug]!r}"
                )
            seen[challenge.slug] = track.slug
        for challenge in track.challenges:
            where = f"{root.name}/tracks/{track.slug}/challenges/{challenge.slug}/challenge.yaml"
            own = {c.slug for c in track.challenges}
            for needed in challenge.requires:
                if needed not in own or needed == challenge.slug:
                    raise CurriculumError(
                        f"{where}: field 'requires' names {needed!r}, which is not another "
                        f"challenge of track {track.slug!r}"
                    )
    for track in tracks:
        rule = track.unlock
        if rule is not None and rule.tag:
            tagged = sum(rule.tag in c.tags for t in tracks for c in t.challenges)
            if rule.min_tagged > tagged:
                raise CurriculumError(
                    f"{root.name}/tracks/{track.slug}/track.yaml: field 'unlock.min_tagged' "
                    f"exceeds the {tagged} challenges tagged {rule.tag!r}"
                )
    _check_requires_acyclic(tracks, root)
    badges = _badges(root / "badges.yaml", root)
    if len({badge.slug for badge in badges}) != len(badges):
        raise CurriculumError(f"{root.name}/badges.yaml: field 'slug' must be unique")
    return Catalog(tracks=tracks, badges=badges)


def _check_requires_acyclic(tracks: list[TrackSpec], root: Path) -> None:
    """A dependency cycle inside a track would lock its challenges forever."""
    for track in tracks:
        graph = {c.slug: set(c.requires) for c in track.challenges}
        done: set[str] = set()
        while graph.keys() - done:
            ready = [s for s in graph.keys() - done if graph[s] <= done]
            if not ready:
                stuck = ", ".join(sorted(graph.keys() - done))
                raise CurriculumError(
                    f"{root.name}/tracks/{track.slug}: challenges {stuck} require each other "
                    "in a cycle"
                )
            done.update(ready)


def challenge_index(catalog: Catalog) -> dict[str, ChallengeSpec]:
    return {c.slug: c for track in catalog.tracks for c in track.challenges}
