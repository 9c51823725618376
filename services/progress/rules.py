"""Pure progress rules: XP (with diminishing returns), levels, streaks, unlocks and badge
criteria. No database here: the service feeds facts in, so the rules are easy to test and
the same facts always give the same answer (which is what makes a replay exact)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from services.common.curriculum import UnlockRule

XP_PER_LEVEL = 100
XP_RUN_OK = 10
XP_RUN_FAILED = 2
XP_IMPROVED_BONUS = 15
# Runs on one UTC day: the first FULL_RUNS pay in full, the next HALF_RUNS pay half, the
# rest nothing — spamming Run earns little.
FULL_RUNS = 10
HALF_RUNS = 10
XP_PASS = {"beginner": 50, "intermediate": 75, "advanced": 100, "production": 100}
XP_PASS_DEFAULT = 50
# A new personal best on a challenge: 10, 5, 2, 1, 1, … (halving per improvement).
XP_IMPROVEMENT_FIRST = 10


def level_for(xp: int) -> int:
    return 1 + xp // XP_PER_LEVEL


def level_bounds(xp: int) -> tuple[int, int]:
    """XP where the current level starts and where the next one starts."""
    floor = (level_for(xp) - 1) * XP_PER_LEVEL
    return floor, floor + XP_PER_LEVEL


def run_factor(nth_run_today: int) -> float:
    if nth_run_today <= FULL_RUNS:
        return 1.0
    if nth_run_today <= FULL_RUNS + HALF_RUNS:
        return 0.5
    return 0.0


def xp_for_run(
    successful: bool, is_improved: bool, nth_run_today: int = 1
) -> list[tuple[int, str]]:
    """XP ledger entries (amount, reason) one run earns; zero amounts are left out."""
    factor = run_factor(nth_run_today)
    if not successful:
        awards = [(XP_RUN_FAILED, "Run attempted")]
    else:
        awards = [(XP_RUN_OK, "Run finished")]
        # The bonus rewards acting on the coach's advice, so only when the improved run works.
        if is_improved:
            awards.append((XP_IMPROVED_BONUS, "AI-improved run"))
    scaled = [(int(amount * factor), reason) for amount, reason in awards]
    return [(amount, reason) for amount, reason in scaled if amount > 0]


def run_fingerprint(code: str, dataset_sha256: str, challenge_slug: str, successful: bool) -> str:
    """What makes a run new for run XP: its code (line endings and trailing blanks aside, so
    an autosave's CRLF or a stray newline is not "new code"), the data it ran on (a
    challenge's data is the challenge) and whether it finished (a fixed error is a new result).
    The same fingerprint earns run XP once per learner."""
    lines = [line.rstrip() for line in code.replace("\r\n", "\n").split("\n")]
    normalised = "\n".join(lines).strip("\n")
    parts = (normalised, dataset_sha256, challenge_slug, "ok" if successful else "failed")
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def podium_counts(metric: str, public_score: float, pass_threshold: float) -> bool:
    """A board place counts for rank badges ("On the podium") only with a passing score: a
    top-3 place among few entrants with a failing 0.33 is no achievement."""
    from services.common.ml.scoring import meets

    return meets(metric, public_score, pass_threshold)


def xp_for_pass(level: str) -> int:
    return XP_PASS.get(level, XP_PASS_DEFAULT)


def xp_for_improvement(nth_improvement: int) -> int:
    return max(1, XP_IMPROVEMENT_FIRST >> max(0, nth_improvement - 1))


@dataclass(frozen=True)
class DeployedScore:
    """One deployed version as progress learnt it from serving.deployment.created.v1."""

    deployment_id: str
    metric: str
    score: float | None
    source: str  # "platform" | "reported" | ""
    run_id: str = ""


SCORE_PLATFORM = "platform"


@dataclass(frozen=True)
class LearnerFacts:
    """What unlock rules look at: per challenge, the learner's best public score; and the
    learner's deployed versions with their scores."""

    best: Mapping[str, float]
    passed: frozenset[str]
    deployed: tuple[DeployedScore, ...] = ()


def meets_bar(bar: Mapping[str, float], version: DeployedScore) -> bool:
    """A deployed version meets a bar when the platform scored it (on its challenge's hidden
    rows: a metric the run printed is the learner's claim, not evidence) with a metric the
    bar names, at or above that metric's threshold."""
    from services.common.ml.scoring import meets

    if version.source != SCORE_PLATFORM or version.score is None or version.metric not in bar:
        return False
    return meets(version.metric, version.score, bar[version.metric])


def deployed_meeting_bar(bar: Mapping[str, float], versions: Iterable[DeployedScore]) -> int:
    """Deployments (not versions: a model redeployed five times is one model) with at least
    one version that meets the bar — and never more than the distinct runs those versions
    came from, so deploying one run three times is one model, not three."""
    meeting = [v for v in versions if meets_bar(bar, v)]
    deployments = {v.deployment_id for v in meeting}
    runs = {v.run_id or v.deployment_id for v in meeting}
    return min(len(deployments), len(runs))


def deployment_passes(
    max_p50_ms: float, version: DeployedScore, metric: str, passed: bool, p50_ms: float
) -> bool:
    """A challenge judged on a deployment passes when the platform scored the deployed model
    with the challenge's own metric, its pass rule held (on every hidden row, as a
    submission's does) and the platform's benchmark measured a p50 within the latency bar."""
    return (
        version.source == SCORE_PLATFORM
        and version.metric == metric
        and passed
        and 0 < p50_ms <= max_p50_ms
    )


def describe_bar(bar: Mapping[str, float]) -> str:
    from services.common.ml.scoring import metric_label

    return ", ".join(f"{metric_label(m)} ≥ {v:g}" for m, v in sorted(bar.items()))


@dataclass(frozen=True)
class ChallengeInfo:
    slug: str
    track_slug: str
    metric: str
    pass_threshold: float
    tags: tuple[str, ...]
    requires: tuple[str, ...]


def _counted(
    rule: UnlockRule, challenges: Iterable[ChallengeInfo], facts: LearnerFacts
) -> tuple[int, int]:
    """(challenges of the rule's track at min_quality, passed challenges with the tag)."""
    from services.common.ml.scoring import meets

    in_track = tagged = 0
    for challenge in challenges:
        score = facts.best.get(challenge.slug)
        if (
            rule.after_track
            and challenge.track_slug == rule.after_track
            and score is not None
            and meets(challenge.metric, score, challenge.pass_threshold, rule.min_quality)
        ):
            in_track += 1
        if rule.tag and rule.tag in challenge.tags and challenge.slug in facts.passed:
            tagged += 1
    return in_track, tagged


def is_unlocked(
    rule: UnlockRule | None,
    passed_by_track: Mapping[str, int] | None = None,
    challenges: Iterable[ChallengeInfo] = (),
    facts: LearnerFacts | None = None,
) -> bool:
    """A track without a rule is open. With facts, quality and tag conditions apply; with only
    `passed_by_track` (counts of passed challenges), the track condition alone."""
    if rule is None:
        return True
    if facts is None:
        return (passed_by_track or {}).get(rule.after_track or "", 0) >= rule.min_passed
    in_track, tagged = _counted(rule, list(challenges), facts)
    return (
        (not rule.after_track or in_track >= rule.min_passed)
        and (not rule.tag or tagged >= rule.min_tagged)
        and (
            not rule.deployed_models
            or deployed_meeting_bar(dict(rule.deployed_bar), facts.deployed) >= rule.deployed_models
        )
    )


def describe_rule(rule: UnlockRule | None, titles: Mapping[str, str]) -> str:
    if rule is None:
        return ""
    parts = []
    if rule.after_track:
        noun = "challenge" if rule.min_passed == 1 else "challenges"
        track = titles.get(rule.after_track, rule.after_track)
        if rule.min_quality < 1:
            parts.append(
                f"Reach {rule.min_quality:.0%} of the target in {rule.min_passed} {noun} of {track}"
            )
        else:
            parts.append(f"Pass {rule.min_passed} {noun} in {track}")
    if rule.tag:
        noun = "challenge" if rule.min_tagged == 1 else "challenges"
        parts.append(f"pass {rule.min_tagged} {rule.tag} {noun}")
    if rule.deployed_models:
        noun = "model" if rule.deployed_models == 1 else "models"
        parts.append(
            f"deploy {rule.deployed_models} {noun} that meet the bar "
            f"({describe_bar(dict(rule.deployed_bar))}, scored by the platform on a "
            "challenge's hidden test rows)"
        )
    text = " and ".join(parts)
    return text[:1].upper() + text[1:]


def unlock_progress(
    rule: UnlockRule | None,
    titles: Mapping[str, str],
    challenges: Iterable[ChallengeInfo],
    facts: LearnerFacts,
) -> str:
    """What the rule still needs, with the learner's counts: the "why" on a locked card."""
    if rule is None:
        return ""
    in_track, tagged = _counted(rule, list(challenges), facts)
    parts = []
    if rule.after_track:
        track = titles.get(rule.after_track, rule.after_track)
        quality = f" at ≥{rule.min_quality:.0%} of target" if rule.min_quality < 1 else " passed"
        parts.append(
            f"{min(in_track, rule.min_passed)} of {rule.min_passed} {track} challenges{quality}"
        )
    if rule.tag:
        parts.append(
            f"{min(tagged, rule.min_tagged)} of {rule.min_tagged} {rule.tag} challenges passed"
        )
    if rule.deployed_models:
        meeting = deployed_meeting_bar(dict(rule.deployed_bar), facts.deployed)
        parts.append(
            f"{min(meeting, rule.deployed_models)} of {rule.deployed_models} deployed models "
            "meet the bar"
        )
    return "; ".join(parts)


def challenge_open(challenge: ChallengeInfo, track_open: bool, passed: frozenset[str]) -> bool:
    return track_open and all(slug in passed for slug in challenge.requires)


def streaks(days: Iterable[str]) -> tuple[int, int]:
    """(current, best) runs of consecutive active days; "current" ends at the latest day."""
    ordered = sorted({date.fromisoformat(d) for d in days})
    if not ordered:
        return 0, 0
    best = current = 1
    for previous, day in itertools.pairwise(ordered):
        current = current + 1 if day - previous == timedelta(days=1) else 1
        best = max(best, current)
    return current, best


def badge_holds(kind: str, value: int, counters: Mapping[str, int]) -> bool:
    """Whether a badge criterion holds; `leaderboard_top` is a rank to reach (lower is better)."""
    if kind == "leaderboard_top":
        rank = counters.get("leaderboard_top", 0)
        return 0 < rank <= value
    return counters.get(kind, 0) >= value


def criterion_holds(conditions: Mapping[str, int], counters: Mapping[str, int]) -> bool:
    """A several-key criterion holds when every one of its conditions does."""
    return all(badge_holds(kind, value, counters) for kind, value in conditions.items())
