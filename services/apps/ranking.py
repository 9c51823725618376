"""Ordering recommendations by evidence from similar datasets (the explorer's
self-improvement).

A recommendation's rank is its severity from the program (how bad the issue is) times a
learned weight for its kind in the dataset's meta-feature neighbourhood (the explorer's
`overview.neighbourhood`: task, size, width, missingness and categorical-share buckets):
`weight = 0.5 + P(helpful)`, where P(helpful) is the posterior mean, under a Beta(1, 1) prior,
of "learners who decided applied it and their next run improved" — an applied one whose next
run has not come yet counts half, a dismissal counts against. Weights lie in (0.5, 1.5); with
no evidence every weight is 1.0 and the program's own order (by severity) stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.apps.models import RecommendationOutcome


@dataclass(frozen=True)
class Evidence:
    shown: int = 0
    applied: int = 0
    dismissed: int = 0
    improved: int = 0
    not_improved: int = 0

    @classmethod
    def of(cls, row: RecommendationOutcome | None) -> Evidence:
        if row is None:
            return cls()
        return cls(row.shown, row.applied, row.dismissed, row.improved, row.not_improved)

    @property
    def weight(self) -> float:
        pending = max(0, self.applied - self.improved - self.not_improved)
        helped = self.improved + 0.5 * pending
        decided = self.applied + self.dismissed
        return 0.5 + (helped + 1.0) / (decided + 2.0)

    def summary(self, where: str = "similar datasets") -> str:
        if self.shown == 0 and self.applied + self.dismissed == 0:
            return "no evidence yet"
        return (
            f"on {where}: shown {self.shown}×, applied {self.applied}×, "
            f"helped the next run {self.improved}×, dismissed {self.dismissed}×"
        )


def order(
    recommendations: list[dict[str, Any]],
    evidence: dict[str, Evidence],
    where: str = "similar datasets",
) -> list[dict[str, Any]]:
    """The recommendations, each with `rank_weight` and `evidence`, best first (ties keep the
    program's order)."""
    ranked = []
    for position, item in enumerate(recommendations):
        kind = str(item.get("kind", ""))
        seen = evidence.get(kind, Evidence())
        severity = item.get("severity")
        base = float(severity) if isinstance(severity, int | float) else 0.0
        ranked.append(
            (
                -base * seen.weight,
                position,
                {**item, "rank_weight": round(seen.weight, 3), "evidence": seen.summary(where)},
            )
        )
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return [entry[2] for entry in ranked]
