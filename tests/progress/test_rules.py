"""Pure progress rules: diminishing XP, levels, streaks, unlock conditions, badge criteria."""

from __future__ import annotations

from services.common.curriculum import UnlockRule
from services.common.ml.scoring import better, meets, relative_gain
from services.progress import rules


def test_spamming_run_earns_less_and_then_nothing() -> None:
    paid = [sum(a for a, _ in rules.xp_for_run(True, False, n)) for n in range(1, 26)]
    assert paid[:10] == [10] * 10
    assert paid[10:20] == [5] * 10
    assert paid[20:] == [0] * 5
    assert rules.xp_for_run(False, False, 25) == []


def test_levels_pass_and_improvement_xp() -> None:
    assert rules.level_bounds(250) == (200, 300)
    assert rules.xp_for_pass("beginner") < rules.xp_for_pass("advanced")
    assert [rules.xp_for_improvement(n) for n in range(1, 6)] == [10, 5, 2, 1, 1]


def test_metric_direction() -> None:
    assert better("accuracy", 0.9, 0.8) and not better("accuracy", 0.8, 0.8)
    assert better("mae", 3.0, 4.0)
    assert meets("accuracy", 0.72, 0.9, 0.8) and not meets("accuracy", 0.71, 0.9, 0.8)
    assert meets("mae", 15.0, 12.0, 0.8) and not meets("mae", 15.1, 12.0, 0.8)
    assert round(relative_gain("accuracy", 0.66, 0.6), 3) == 0.1
    assert round(relative_gain("mae", 9.0, 10.0), 3) == 0.1


def test_streaks() -> None:
    assert rules.streaks([]) == (0, 0)
    days = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-05", "2026-01-06"]
    assert rules.streaks(days) == (2, 3)
    assert rules.streaks([*days, "2026-01-06"]) == (2, 3)


def info(
    slug: str, track: str, tags: tuple[str, ...] = (), requires: tuple[str, ...] = ()
) -> rules.ChallengeInfo:
    return rules.ChallengeInfo(slug, track, "accuracy", 0.9, tags, requires)


def test_quality_and_tag_unlock_conditions() -> None:
    challenges = [
        info("a", "beginner"),
        info("b", "beginner"),
        info("p1", "mid", ("packaged-model",)),
        info("p2", "adv", ("packaged-model",), ("p1",)),
    ]
    quality = UnlockRule(after_track="beginner", min_passed=2, min_quality=0.8)
    facts = rules.LearnerFacts(best={"a": 0.95, "b": 0.71}, passed=frozenset({"a"}))
    assert not rules.is_unlocked(quality, None, challenges, facts)
    facts = rules.LearnerFacts(best={"a": 0.95, "b": 0.72}, passed=frozenset({"a"}))
    assert rules.is_unlocked(quality, None, challenges, facts), "80% of 0.9 is enough"
    assert "2 of 2 Beginner" in rules.unlock_progress(
        quality, {"beginner": "Beginner"}, challenges, facts
    )

    tagged = UnlockRule(after_track=None, tag="packaged-model", min_tagged=2)
    one = rules.LearnerFacts(best={"p1": 0.95}, passed=frozenset({"p1"}))
    both = rules.LearnerFacts(best={}, passed=frozenset({"p1", "p2"}))
    assert not rules.is_unlocked(tagged, None, challenges, one)
    assert rules.is_unlocked(tagged, None, challenges, both)
    assert not rules.challenge_open(challenges[3], True, frozenset())
    assert rules.challenge_open(challenges[3], True, frozenset({"p1"}))
    assert not rules.challenge_open(challenges[0], False, frozenset())


def test_badge_criteria() -> None:
    assert rules.badge_holds("challenges_passed", 1, {"challenges_passed": 1})
    assert not rules.badge_holds("leaderboard_top", 3, {"leaderboard_top": 0})
    assert rules.badge_holds("leaderboard_top", 3, {"leaderboard_top": 2})
    assert not rules.badge_holds("leaderboard_top", 3, {"leaderboard_top": 4})
