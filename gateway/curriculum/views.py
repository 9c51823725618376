"""Views of the curriculum domain: tracks, challenges, submissions, boards, the profile,
progress and the next-challenge recommendation (JSON of the API, context of the pages)."""

from __future__ import annotations

from typing import Any

from ascent.progress.v1 import progress_service_pb2 as progress_pb
from ascent.recommender.v1 import recommender_service_pb2 as recommender_pb
from ascent.types.v1 import run_pb2

from gateway.markdown import render_markdown
from gateway.views import timestamp_iso


def challenge_summary_json(challenge: progress_pb.Challenge) -> dict[str, Any]:
    return {
        "slug": challenge.slug,
        "title": challenge.title,
        "summary": challenge.summary,
        "metric": challenge.metric,
        "passThreshold": challenge.pass_threshold,
        "lowerIsBetter": challenge.lower_is_better,
        "position": challenge.position,
        "unlocked": challenge.unlocked,
        "lockedReason": challenge.locked_reason,
        "requires": list(challenge.requires),
        "passed": challenge.passed,
        "bestScore": challenge.best_score if challenge.HasField("best_score") else None,
        "source": challenge.source or "curriculum",
        "version": challenge.version,
    }


def track_json(track: progress_pb.Track) -> dict[str, Any]:
    total = len(track.challenges)
    return {
        "slug": track.slug,
        "title": track.title,
        "level": track.level,
        "description": track.description,
        "position": track.position,
        "unlocked": track.unlocked,
        "unlockRule": track.unlock_rule,
        "unlockProgress": track.unlock_progress,
        "passedCount": track.passed_count,
        "challengeCount": total,
        "percent": round(100 * track.passed_count / total) if total else 0,
        "challenges": [challenge_summary_json(c) for c in track.challenges],
    }


def challenge_json(detail: progress_pb.ChallengeDetail) -> dict[str, Any]:
    return {
        **challenge_summary_json(detail.challenge),
        "track": {"slug": detail.track_slug, "title": detail.track_title},
        "lessonMarkdown": detail.lesson_md,
        "lessonHtml": str(render_markdown(detail.lesson_md)),
        "outcomes": list(detail.outcomes),
        "hints": list(detail.hints),
        "starterCode": detail.starter_code,
        "taskType": detail.task_type,
        "target": detail.target,
        "baseline": detail.baseline if detail.HasField("baseline") else None,
        "attempts": detail.attempts,
        "files": ["/data/train.csv", "/data/test_features.csv"],
    }


def submission_json(run: run_pb2.Run) -> dict[str, Any]:
    grade = run.grade
    # The private score stays out: it decides the final standing, not the live feedback.
    return {
        "runId": run.id,
        "sessionId": run.session_id,
        "challenge": run.challenge_slug,
        "challengeVersion": run.challenge_version,
        "status": grade.status,
        "metric": grade.metric,
        "publicScore": grade.public_score if grade.HasField("public_score") else None,
        "passThreshold": grade.pass_threshold,
        "passed": grade.passed,
        "predictions": grade.predictions,
        "expected": grade.expected,
        "stdout": run.stdout[-5000:],
        "durationMs": run.duration_ms,
    }



def profile_json(progress: progress_pb.GetProgressResponse) -> dict[str, Any]:
    return {
        "xp": progress.xp,
        "level": progress.level,
        "levelFloorXp": progress.level_floor_xp,
        "nextLevelXp": progress.next_level_xp,
        "runs": progress.runs,
        "streakDays": progress.streak_days,
        "bestStreakDays": progress.best_streak_days,
        "challengesPassed": progress.challenges_passed,
        "badges": [
            {
                "slug": b.slug,
                "name": b.name,
                "description": b.description,
                "awardedAt": timestamp_iso(b.awarded_at),
            }
            for b in progress.badges
        ],
        "results": [
            {
                "challenge": r.challenge_slug,
                "title": r.title,
                "metric": r.metric,
                "bestScore": r.best_score,
                "attempts": r.attempts,
                "passed": r.passed,
                "passedAt": timestamp_iso(r.passed_at) if r.passed else None,
            }
            for r in progress.results
        ],
        "history": [
            {"amount": h.amount, "reason": h.reason, "at": timestamp_iso(h.at)}
            for h in progress.history
        ],
    }


def progress_json(progress: progress_pb.GetProgressResponse) -> dict[str, Any]:
    return {
        "xp": progress.xp,
        "level": progress.level,
        "runs": progress.runs,
        "badges": [
            {
                "slug": badge.slug,
                "name": badge.name,
                "description": badge.description,
                "awardedAt": timestamp_iso(badge.awarded_at),
            }
            for badge in progress.badges
        ],
        "history": [
            {"amount": entry.amount, "reason": entry.reason, "at": timestamp_iso(entry.at)}
            for entry in progress.history
        ],
    }


def next_challenge_json(response: recommender_pb.RecommendChallengeResponse) -> dict[str, Any]:
    return {
        "challenges": [
            {
                "slug": c.challenge_slug,
                "title": c.title,
                "track": c.track_slug,
                "trackTitle": c.track_title,
                "reason": c.reason,
                "rationale": c.rationale,
                "skills": list(c.skills),
                "metric": c.metric,
                "passThreshold": c.pass_threshold,
                "bestScore": c.best_score if c.HasField("best_score") else None,
                "attempts": c.attempts,
                "url": f"/challenges/{c.challenge_slug}",
            }
            for c in response.challenges
        ],
        "weakSpots": [
            {"skill": w.skill, "label": w.label, "weakness": w.weakness, "evidence": w.evidence}
            for w in response.weak_spots
        ],
        "gradedRuns": response.graded_runs,
        "note": response.note,
    }

