"""Reading and validating the curriculum files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from services.progress.config import default_curriculum_dir
from services.progress.curriculum import CurriculumError, load_catalog


@pytest.fixture
def curriculum(tmp_path: Path) -> Path:
    """A private copy of the demo curriculum to edit."""
    root = tmp_path / "curriculum"
    shutil.copytree(default_curriculum_dir(), root)
    return root


def edit(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text())
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(yaml.safe_dump(data))


def test_demo_curriculum_has_four_tracks_in_order_and_beginner_challenges() -> None:
    catalog = load_catalog(default_curriculum_dir())
    assert [t.slug for t in catalog.tracks] == [
        "beginner",
        "intermediate",
        "advanced",
        "production",
    ]
    beginner = catalog.tracks[0]
    assert beginner.unlock is None
    assert len(beginner.challenges) >= 2
    assert all(c.lesson and c.metric and c.pass_threshold > 0 for c in beginner.challenges)
    for previous, track in zip(catalog.tracks, catalog.tracks[1:], strict=False):
        assert track.unlock is not None
        # Each track opens after the previous one — or, for Advanced, as the seed says, after
        # "successfully deploying 3+ models" (issue 16), the Intermediate track's exit.
        assert track.unlock.after_track == previous.slug or (
            track.slug == "advanced" and track.unlock.deployed_models == 3
        )
    assert "first-run" in {b.slug for b in catalog.badges}


def test_missing_challenge_field_names_file_and_field(curriculum: Path) -> None:
    target = curriculum / "tracks/beginner/challenges/wine-scaling/challenge.yaml"
    edit(target, metric=None)
    with pytest.raises(CurriculumError) as err:
        load_catalog(curriculum)
    message = str(err.value)
    assert "curriculum/tracks/beginner/challenges/wine-scaling/challenge.yaml" in message
    assert "'metric'" in message


def test_missing_track_field_names_file_and_field(curriculum: Path) -> None:
    edit(curriculum / "tracks/advanced/track.yaml", title=None)
    with pytest.raises(CurriculumError, match=r"tracks/advanced/track\.yaml.*'title'"):
        load_catalog(curriculum)


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"pass_threshold": "high"}, r"'pass_threshold' must be a number"),
        ({"metric": "vibes"}, r"'metric' must be one of"),
        ({"position": -1}, r"'position' must be an integer"),
    ],
)
def test_invalid_challenge_values(
    curriculum: Path, changes: dict[str, object], pattern: str
) -> None:
    edit(curriculum / "tracks/beginner/challenges/first-classifier/challenge.yaml", **changes)
    with pytest.raises(CurriculumError, match=pattern):
        load_catalog(curriculum)


def test_unlock_rule_must_name_a_track_and_be_reachable(curriculum: Path) -> None:
    track = curriculum / "tracks/intermediate/track.yaml"
    edit(track, unlock={"after_track": "nowhere", "min_passed": 1})
    with pytest.raises(CurriculumError, match=r"'unlock.after_track' names unknown track"):
        load_catalog(curriculum)
    edit(track, unlock={"after_track": "beginner", "min_passed": 99})
    with pytest.raises(CurriculumError, match=r"'unlock.min_passed' exceeds"):
        load_catalog(curriculum)
    edit(track, unlock={"after_track": "beginner"})
    with pytest.raises(CurriculumError, match=r"track\.yaml: unlock: missing required field"):
        load_catalog(curriculum)


def test_badge_criterion_is_validated(curriculum: Path) -> None:
    path = curriculum / "badges.yaml"
    data = yaml.safe_load(path.read_text())
    data["badges"][0]["criterion"] = {"lucky_runs": 1}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(CurriculumError, match=r"badges\.yaml: badges\[0\].*'criterion'"):
        load_catalog(curriculum)


def test_unknown_keys_are_ignored_so_the_format_can_grow(curriculum: Path) -> None:
    target = curriculum / "tracks/beginner/challenges/first-classifier/challenge.yaml"
    edit(target, difficulty=3, estimated_minutes=20)
    assert load_catalog(curriculum).tracks[0].challenges[0].slug == "first-classifier"
