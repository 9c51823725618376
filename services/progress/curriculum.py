"""Reading the curriculum files (YAML) into a validated catalog; no database here.

Layout (documented in curriculum/README.md):
  <root>/badges.yaml
  <root>/tracks/<track-slug>/track.yaml
  <root>/tracks/<track-slug>/challenges/<challenge-slug>/challenge.yaml
Unknown keys are ignored so the format can grow (datasets, starter code, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
METRICS = frozenset({"accuracy", "precision", "recall", "f1_score", "r2", "rmse", "mae"})
BADGE_COUNTERS = frozenset({"runs", "successful_runs", "improved_runs"})


class CurriculumError(ValueError):
    """A curriculum file is missing, malformed or inconsistent; names the file and field."""


@dataclass(frozen=True)
class UnlockRule:
    after_track: str
    min_passed: int


@dataclass(frozen=True)
class ChallengeSpec:
    slug: str
    title: str
    summary: str
    lesson: str
    metric: str
    pass_threshold: float
    position: int


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


def _challenge(path: Path, root: Path) -> ChallengeSpec:
    doc = _read(path, root)
    metric = doc.text("metric")
    if metric not in METRICS:
        raise doc.fail("metric", f"must be one of {', '.join(sorted(METRICS))}")
    return ChallengeSpec(
        slug=_slug(path.parent, doc.where),
        title=doc.text("title"),
        summary=doc.text("summary"),
        lesson=doc.text("lesson"),
        metric=metric,
        pass_threshold=doc.number("pass_threshold"),
        position=doc.integer("position"),
    )


def _track(directory: Path, root: Path) -> TrackSpec:
    doc = _read(directory / "track.yaml", root)
    slug = _slug(directory, doc.where)
    unlock = None
    rule = doc.optional_mapping("unlock")
    if rule is not None:
        unlock = UnlockRule(
            after_track=rule.text("after_track"), min_passed=rule.integer("min_passed", minimum=1)
        )
        if unlock.after_track == slug:
            raise rule.fail("after_track", "cannot name its own track")
    challenges_dir = directory / "challenges"
    challenges = (
        [
            _challenge(child / "challenge.yaml", root)
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
        if len(criterion.data) != 1 or next(iter(criterion.data)) not in BADGE_COUNTERS:
            raise item.fail(
                "criterion", f"must have exactly one of {', '.join(sorted(BADGE_COUNTERS))}"
            )
        counter = next(iter(criterion.data))
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
        if rule is not None and rule.after_track not in by_slug:
            raise CurriculumError(
                f"{track_file}: field 'unlock.after_track' names unknown track {rule.after_track!r}"
            )
        if rule is not None and rule.min_passed > len(by_slug[rule.after_track].challenges):
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
    badges = _badges(root / "badges.yaml", root)
    if len({badge.slug for badge in badges}) != len(badges):
        raise CurriculumError(f"{root.name}/badges.yaml: field 'slug' must be unique")
    return Catalog(tracks=tracks, badges=badges)
