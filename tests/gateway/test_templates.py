"""Templates live in their domain's package; the loader searches every folder in turn."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from gateway.rendering import GATEWAY, TEMPLATES, env


def test_template_names_are_unique_across_domains() -> None:
    # A second file of the same name would be shadowed without a word by the first folder.
    names = Counter(path.name for folder in TEMPLATES for path in Path(folder).glob("*.html"))
    assert names and all(count == 1 for count in names.values()), names


def test_every_template_folder_is_searched() -> None:
    folders = {path.parent for path in GATEWAY.rglob("templates/*.html")}
    assert folders == set(TEMPLATES)
    for folder in folders:
        for path in folder.glob("*.html"):
            assert env.get_template(path.name).filename == str(path)
