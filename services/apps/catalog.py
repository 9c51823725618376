"""The app catalog and its unlock rules, read from `curriculum/apps.yaml`.

Format (documented in curriculum/README.md)::

    apps:
      - slug: explorer
        title: Data Explorer
        concept: one line: what it teaches
        summary: a short paragraph
        available: true          # the app is built (false: announced, shown locked)
        unlock: open             # or {challenges_passed: N}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from services.common.errors import AscentError


@dataclass(frozen=True)
class UnlockRule:
    # 0 = open to everyone.
    challenges_passed: int = 0

    @property
    def open(self) -> bool:
        return self.challenges_passed == 0

    def text(self) -> str:
        if self.open:
            return "Open to everyone"
        n = self.challenges_passed
        return f"Unlocks after you pass {n} challenge{'s' if n != 1 else ''}"

    def allows(self, challenges_passed: int) -> bool:
        return challenges_passed >= self.challenges_passed


@dataclass(frozen=True)
class AppSpec:
    slug: str
    title: str
    concept: str
    summary: str
    available: bool
    unlock: UnlockRule


def _rule(raw: Any, slug: str) -> UnlockRule:
    if raw in (None, "open"):
        return UnlockRule()
    if isinstance(raw, dict) and set(raw) == {"challenges_passed"}:
        count = raw["challenges_passed"]
        if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            return UnlockRule(challenges_passed=count)
    raise ValueError(f"app {slug!r}: unlock must be 'open' or {{challenges_passed: N}}")


def load_catalog(path: Path) -> tuple[AppSpec, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    apps = []
    for entry in raw.get("apps", []):
        slug = str(entry["slug"])
        apps.append(
            AppSpec(
                slug=slug,
                title=str(entry["title"]),
                concept=str(entry.get("concept", "")),
                summary=str(entry.get("summary", "")).strip(),
                available=bool(entry.get("available", True)),
                unlock=_rule(entry.get("unlock"), slug),
            )
        )
    if len({app.slug for app in apps}) != len(apps):
        raise ValueError("curriculum/apps.yaml lists an app twice")
    return tuple(apps)


def find(catalog: tuple[AppSpec, ...], slug: str) -> AppSpec:
    for app in catalog:
        if app.slug == slug:
            return app
    raise AscentError("not_found", f"There is no app {slug!r}.")
