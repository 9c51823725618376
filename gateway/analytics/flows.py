"""Dashboards in the gateway: who may see which analytics, the JSON the pages and API share,
and CSV export of each table. Numbers come from the analytics service (fed only by events);
track order and titles come from progress at render time.

Rules: learners see no dashboard (403); an instructor sees the dashboards of their own
cohorts only; an admin sees every cohort, all learners at once, and the platform view.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from ascent.analytics.v1 import analytics_service_pb2 as analytics_pb
from sqlalchemy.orm import Session

from gateway.accounts.views import UserInfo
from gateway.analytics.views import DashboardView, PlatformView
from gateway.cohorts.repository import CohortsRepository
from gateway.context import Gateway
from gateway.policy import Action, may, require, runs_cohort
from services.common.errors import AscentError


def _optional(message: Any, field: str) -> float | None:
    return float(getattr(message, field)) if message.HasField(field) else None


async def _cohort_for(gw: Gateway, user: UserInfo, cohort_id: str) -> dict[str, str] | None:
    require(user, Action.VIEW_DASHBOARDS)
    if not cohort_id:
        if may(user, Action.VIEW_ALL_COHORTS):
            return None
        raise AscentError("invalid_argument", "Choose one of your cohorts.")

    def lookup(session: Session) -> dict[str, str]:
        cohort = CohortsRepository(session).get_cohort(cohort_id) if len(cohort_id) <= 36 else None
        if cohort is None:
            raise AscentError("not_found", "Cohort not found.")
        if not runs_cohort(user, cohort.instructor_id):
            raise AscentError("forbidden", "You can only see the dashboards of your own cohorts.")
        return {"id": cohort.id, "name": cohort.name}

    return await gw.work(lookup)


async def dashboard(
    gw: Gateway, user: UserInfo, cohort_id: str, challenge: str, from_day: str, to_day: str
) -> DashboardView:
    cohort = await _cohort_for(gw, user, cohort_id)
    request = analytics_pb.DashboardFilter(
        cohort_id=cohort_id, challenge_slug=challenge, from_day=from_day, to_day=to_day
    )
    response = await gw.clients.dashboard(request)
    try:
        tracks = await gw.clients.list_tracks(user.id)
    except AscentError:
        tracks = []  # the numbers still show, with slugs for titles
    titles = {c.slug: c.title for t in tracks for c in t.challenges}
    coach = response.coach
    ratings = list(coach.rating_counts) or [0] * 5
    funnel_counts = {f.challenge_slug: f for f in response.funnel}
    funnel: list[dict[str, Any]] = []
    placed: set[str] = set()
    for track in sorted(tracks, key=lambda t: t.position):
        for item in sorted(track.challenges, key=lambda c: c.position):
            step = funnel_counts.get(item.slug)
            placed.add(item.slug)
            funnel.append(
                {
                    "track": track.slug,
                    "trackTitle": track.title,
                    "challenge": item.slug,
                    "title": item.title,
                    "attempted": step.learners_attempted if step else 0,
                    "passed": step.learners_passed if step else 0,
                }
            )
    for slug, step in sorted(funnel_counts.items()):
        if slug not in placed:  # a challenge no track lists (any more)
            funnel.append(
                {
                    "track": "",
                    "trackTitle": "",
                    "challenge": slug,
                    "title": slug,
                    "attempted": step.learners_attempted,
                    "passed": step.learners_passed,
                }
            )
    return DashboardView.model_validate(
        {
            "filter": {"cohort": cohort_id, "challenge": challenge, "from": from_day, "to": to_day},
            "cohort": cohort,
            "learners": response.learners,
            "eventsLogged": response.events_logged,
            "activity": [
                {"day": a.day, "activeLearners": a.active_learners, "runs": a.runs}
                for a in response.activity
            ],
            "challenges": [
                {
                    "challenge": c.challenge_slug,
                    "title": titles.get(c.challenge_slug, c.challenge_slug),
                    "runs": c.runs,
                    "graded": c.graded,
                    "passing": c.passing,
                    "passRate": _optional(c, "pass_rate"),
                    "learners": c.learners,
                    "learnersPassed": c.learners_passed,
                    "medianSecondsToPass": _optional(c, "median_seconds_to_pass"),
                    "medianAttemptsToPass": _optional(c, "median_attempts_to_pass"),
                }
                for c in response.challenges
            ],
            "funnel": funnel,
            "errors": [{"type": e.error_type, "count": e.count} for e in response.errors],
            "coach": {
                "proposals": coach.proposals,
                "withVerdict": coach.with_verdict,
                "accepted": coach.accepted,
                "acceptanceRate": _optional(coach, "acceptance_rate"),
                "rated": coach.rated,
                "averageRating": _optional(coach, "average_rating"),
                "adviceHelpful": coach.advice_helpful,
                "adviceUnhelpful": coach.advice_unhelpful,
                "improvedRuns": coach.improved_runs,
                "scoredPairs": coach.scored_pairs,
                "averageScoreGain": _optional(coach, "average_score_gain"),
                "hits": coach.hits,
                "hitRate": _optional(coach, "hit_rate"),
            },
            "selfImprovement": _self_improvement(response.self_improvement),
            "instruction": _instruction(response.instruction, tracks, titles),
            "ratings": [{"rating": i + 1, "count": n} for i, n in enumerate(ratings)],
            "apps": [
                {
                    "app": a.app_slug,
                    "started": a.started,
                    "completed": a.completed,
                    "failed": a.failed,
                    "cancelled": a.cancelled,
                    "applied": a.applied,
                    "dismissed": a.dismissed,
                    "learners": a.learners,
                }
                for a in response.apps
            ],
        }
    )


INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1


async def platform(gw: Gateway, user: UserInfo, window_minutes: int) -> PlatformView:
    require(user, Action.VIEW_PLATFORM)
    # The RPC's field is an int32: a larger query value would not even encode. Clamped, it
    # reaches analytics, which refuses any window out of its range with its own message.
    window_minutes = max(INT32_MIN, min(window_minutes, INT32_MAX))
    response = await gw.clients.platform(window_minutes)
    return PlatformView.model_validate(
        {
            "windowMinutes": response.window_minutes,
            "eventsLogged": response.events_logged,
            "streamMessages": response.stream_messages,
            "lagError": response.lag_error or None,
            "throughput": [
                {
                    "subject": t.subject,
                    "producer": t.producer,
                    "events": t.events,
                    "perMinute": round(t.per_minute, 3),
                }
                for t in response.throughput
            ],
            "timeline": [{"minute": p.minute, "events": p.events} for p in response.timeline],
            "consumers": [
                {
                    "durable": c.durable,
                    "filterSubject": c.filter_subject,
                    "numPending": c.num_pending,
                    "numAckPending": c.num_ack_pending,
                    "numRedelivered": c.num_redelivered,
                    "deliveredSeq": c.delivered_stream_seq,
                    "ackFloorSeq": c.ack_floor_stream_seq,
                }
                for c in response.consumers
            ],
        }
    )


def _instruction(
    instruction: analytics_pb.Instruction, tracks: list[Any], titles: dict[str, str]
) -> dict[str, Any]:
    """Tracks in the curriculum's order (then any the curriculum no longer lists)."""
    order = {t.slug: (t.position, t.title) for t in tracks}
    seen = {t.track_slug for t in instruction.tracks}
    # Every track of the curriculum is a row (zeros until its first event).
    listed = [
        *instruction.tracks,
        *(analytics_pb.TrackProgress(track_slug=s) for s in order if s not in seen),
    ]
    rows = sorted(
        listed,
        key=lambda t: (
            t.track_slug not in order,
            order.get(t.track_slug, (0, ""))[0],
            t.track_slug,
        ),
    )
    first, velocity = instruction.first_model, instruction.velocity
    return {
        "tracks": [
            {
                "track": t.track_slug,
                "title": order.get(t.track_slug, (0, ""))[1] or t.track_title or t.track_slug,
                "unlocked": t.unlocked,
                "passedOne": t.passed_one,
                "completed": t.completed,
            }
            for t in rows
        ],
        "badges": [
            {"badge": b.badge_slug, "name": b.badge_name or b.badge_slug, "awarded": b.awarded}
            for b in instruction.badges
        ],
        "help": [
            {
                "challenge": h.challenge_slug,
                "title": titles.get(h.challenge_slug, h.challenge_slug),
                "learners": h.learners,
                "hintLearners": h.hint_learners,
                "hintShare": _optional(h, "hint_share"),
                "meanHints": _optional(h, "mean_hints"),
                "answerLearners": h.answer_learners,
                "answerShare": _optional(h, "answer_share"),
            }
            for h in instruction.help
        ],
        "firstModel": {
            "learnersWithRuns": first.learners_with_runs,
            "learnersSucceeded": first.learners_succeeded,
            "medianSeconds": _optional(first, "median_seconds"),
            "distribution": [
                {"label": b.label, "learners": b.learners} for b in first.distribution
            ],
        },
        "velocity": {
            "learners": velocity.learners,
            "medianPassesPerActiveWeek": _optional(velocity, "median_passes_per_active_week"),
            "meanPassesPerActiveWeek": _optional(velocity, "mean_passes_per_active_week"),
            "medianXpPerActiveDay": _optional(velocity, "median_xp_per_active_day"),
            "meanXpPerActiveDay": _optional(velocity, "mean_xp_per_active_day"),
            "distribution": [
                {"label": b.label, "learners": b.learners} for b in velocity.distribution
            ],
        },
    }


def _measures(section: dict[str, Any]) -> list[dict[str, Any]]:
    """A summary section as (measure, value) rows, then its distribution as bucket rows."""
    rows = [{"measure": k, "value": v} for k, v in section.items() if k != "distribution"]
    rows += [
        {"measure": f"learners: {b['label']}", "value": b["learners"]}
        for b in section["distribution"]
    ]
    return rows


def _self_improvement(learning: Any) -> dict[str, Any]:
    return {
        "predictionsScored": learning.predictions_scored,
        "predictionMae": _optional(learning, "prediction_mae"),
        "predictionsWithin005": _optional(learning, "predictions_within_005"),
        "proposals": learning.proposals,
        "explorationRate": _optional(learning, "exploration_rate"),
        "proposalAcceptanceRate": _optional(learning, "proposal_acceptance_rate"),
        "appSuggestionAcceptanceRate": _optional(learning, "app_suggestion_acceptance_rate"),
        "learnerDatasets": learning.learner_datasets,
        "reachedGoodModel": learning.reached_good_model,
        "medianSecondsToGood": _optional(learning, "median_seconds_to_good"),
        "medianRunsToGood": _optional(learning, "median_runs_to_good"),
        "meanImprovementOverBaseline": _optional(learning, "mean_improvement_over_baseline"),
        "baselinePairs": learning.baseline_pairs,
        "meanGainOverStaticDefault": _optional(learning, "mean_gain_over_static_default"),
        "staticDefaultPairs": learning.static_default_pairs,
        "proposalsBySource": dict(sorted(learning.proposals_by_source.items())),
        "knowledgeObservations": learning.knowledge_observations,
        "knowledgeGrowth": [{"day": d.day, "count": d.count} for d in learning.knowledge_growth],
    }


# -- CSV --------------------------------------------------------------------------------------
def _coach_rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"measure": k, "value": v} for k, v in data["coach"].items()]


# table name -> (columns, rows of the JSON above)
DASHBOARD_TABLES: dict[str, tuple[list[str], Callable[[dict[str, Any]], list[dict[str, Any]]]]] = {
    "activity": (["day", "activeLearners", "runs"], lambda d: d["activity"]),
    "challenges": (
        [
            "challenge",
            "title",
            "runs",
            "graded",
            "passing",
            "passRate",
            "learners",
            "learnersPassed",
            "medianSecondsToPass",
            "medianAttemptsToPass",
        ],
        lambda d: d["challenges"],
    ),
    "funnel": (
        ["track", "trackTitle", "challenge", "title", "attempted", "passed"],
        lambda d: d["funnel"],
    ),
    "errors": (["type", "count"], lambda d: d["errors"]),
    "coach": (["measure", "value"], _coach_rows),
    "learning": (
        ["measure", "value"],
        lambda d: (
            [
                {"measure": k, "value": v}
                for k, v in d["selfImprovement"].items()
                if k not in ("proposalsBySource", "knowledgeGrowth")
            ]
            + [
                {"measure": f"proposals from {source}", "value": n}
                for source, n in d["selfImprovement"]["proposalsBySource"].items()
            ]
        ),
    ),
    "ratings": (["rating", "count"], lambda d: d["ratings"]),
    "tracks": (
        ["track", "title", "unlocked", "passedOne", "completed"],
        lambda d: d["instruction"]["tracks"],
    ),
    "badges": (["badge", "name", "awarded"], lambda d: d["instruction"]["badges"]),
    "help": (
        [
            "challenge",
            "title",
            "learners",
            "hintLearners",
            "hintShare",
            "meanHints",
            "answerLearners",
            "answerShare",
        ],
        lambda d: d["instruction"]["help"],
    ),
    "first-model": (["measure", "value"], lambda d: _measures(d["instruction"]["firstModel"])),
    "velocity": (["measure", "value"], lambda d: _measures(d["instruction"]["velocity"])),
    "apps": (
        ["app", "started", "completed", "failed", "cancelled", "applied", "dismissed", "learners"],
        lambda d: d["apps"],
    ),
}

PLATFORM_TABLES: dict[str, tuple[list[str], Callable[[dict[str, Any]], list[dict[str, Any]]]]] = {
    "throughput": (["subject", "producer", "events", "perMinute"], lambda d: d["throughput"]),
    "timeline": (["minute", "events"], lambda d: d["timeline"]),
    "consumers": (
        [
            "durable",
            "filterSubject",
            "numPending",
            "numAckPending",
            "numRedelivered",
            "deliveredSeq",
            "ackFloorSeq",
        ],
        lambda d: d["consumers"],
    ),
}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    # A spreadsheet would run a text cell starting with these as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def table_csv(
    tables: dict[str, tuple[list[str], Callable[[dict[str, Any]], list[dict[str, Any]]]]],
    name: str,
    view: DashboardView | PlatformView,
) -> str:
    if name not in tables:
        raise AscentError("not_found", f"No table {name!r}; one of: {', '.join(tables)}.")
    columns, rows = tables[name]
    data = view.model_dump()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows(data):
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()
