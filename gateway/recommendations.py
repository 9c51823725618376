"""The learner's next challenge, as the recommender ranks it: JSON for the API and the
"Next up" card on the tracks and profile pages."""

from __future__ import annotations

from typing import Any

from ascent.recommender.v1 import recommender_service_pb2 as recommender_pb

from gateway.auth import UserInfo
from gateway.context import Gateway

MAX_SUGGESTIONS = 5


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


async def next_challenge(gw: Gateway, user: UserInfo, limit: int = 3) -> dict[str, Any]:
    limit = max(1, min(limit, MAX_SUGGESTIONS))
    return next_challenge_json(await gw.clients.recommend_challenge(user.id, limit))
