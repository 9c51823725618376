"""Analytics logic: the dashboards and the platform view, computed from facts and rollups.

Definitions (also in the README):
- active learner on a day: at least one run whose occurred_at falls on that UTC day;
- pass rate of a challenge: passing graded submissions / graded submissions;
- funnel: per challenge, learners who attempted it (a graded submission by the range's end,
  not passed before the range) and learners whose first pass falls in the range;
- time and attempts to pass: per learner, first graded submission → first passing one
  (attempts = graded submissions up to and including that pass); medians over learners
  whose first pass falls in the range;
- coach acceptance: latest verdict per proposal; rating: latest rating per proposal;
- score gain of an AI improvement: improved run's score minus its parent run's score (the
  other way round for lower-is-better metrics), both from run events;
- recommender hit rate: share of those scored (improved, parent) pairs where the improved
  run beat its parent (a gain > 0);
- the platform's learning (`SelfImprovement`, issue 20 §4; the seed's "Metrics for
  Self-Improvement"), over notebook and app runs with a higher-is-better score:
  - recommendation accuracy: for each proposal the knowledge base predicted a score for, the
    first AI-improved run of its parent after it; |predicted − actual| (mean) and the share
    within 0.05;
  - exploration rate: proposals that were not the top-ranked candidate / proposals;
  - acceptance: the coach's (latest verdict per proposal, as above) and the apps'
    (recommendations applied / applied or dismissed);
  - time to a good model: per (learner, dataset) in scope, the first run to the first run
    within 5 % of the best score any learner reached on that dataset; medians of seconds and
    runs over those who got there;
  - improvement over the learner's baseline: per (learner, dataset) with 2+ runs, (best −
    first) / first, mean (seed target +20 %);
  - recommendations vs static defaults: AI-improved runs whose parent ran the starter code
    unchanged, (improved − parent) / parent, mean (seed target +30 %);
  - knowledge-base growth: recommender.observation.recorded.v1 ever, and per day in range
    (platform-wide).
  Scores are what the runs reported, so a learner printing a fake score moves these too; the
  recommender's own trust rules decide what it learns from (services/recommender/README.md).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ascent.analytics.v1 import analytics_service_pb2 as pb
from ascent.events.v1 import meta_pb2
from sqlalchemy.orm import Session

from services.analytics.ingest import Incoming, ingest
from services.analytics.repository import AnalyticsRepository, DashboardScope
from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError

MAX_WINDOW_MINUTES = 24 * 60


def record_event(session: Session, subject: str, meta: meta_pb2.EventMeta) -> bool:
    """Log one event known only by its meta; False when its id was already logged."""
    occurred = (
        meta.occurred_at.ToDatetime(tzinfo=UTC)
        if meta.occurred_at.seconds or meta.occurred_at.nanos
        else utcnow()
    )
    item = Incoming(subject, meta.event_id, meta.producer, occurred, None)
    return ingest(session, [item]) == 1


def event_counts(session: Session) -> pb.GetEventCountsResponse:
    response = pb.GetEventCountsResponse()
    for row in AnalyticsRepository(session).counts():
        response.counts.append(pb.EventCount(subject=row.subject, count=row.count))
        response.total += row.count
    return response


def _check_day(value: str, name: str) -> str:
    if not value:
        return ""
    try:
        return datetime.strptime(value, "%Y-%m-%d").strftime("%Y-%m-%d")
    except ValueError:
        raise AscentError("invalid_argument", f"{name} must be a date like 2026-01-31.") from None


def scope_of(request: pb.DashboardFilter) -> DashboardScope:
    from_day = _check_day(request.from_day, "from")
    to_day = _check_day(request.to_day, "to")
    if from_day and to_day and from_day > to_day:
        raise AscentError("invalid_argument", "The date range ends before it starts.")
    return DashboardScope(request.cohort_id, request.challenge_slug, from_day, to_day)


@dataclass
class _Passing:
    first_graded: datetime
    first_pass: datetime | None
    attempts: int


def _progress_to_pass(
    runs: list[tuple[str, str, datetime, bool]],
) -> dict[tuple[str, str], _Passing]:
    """Per (learner, challenge): first graded run, first passing run, attempts up to it."""
    ordered: dict[tuple[str, str], list[tuple[datetime, bool]]] = defaultdict(list)
    for learner, slug, at, passed in runs:
        ordered[(learner, slug)].append((at, passed))
    result: dict[tuple[str, str], _Passing] = {}
    for key, attempts in ordered.items():
        # Sorted by occurred_at: a late event takes its true place in the learner's history.
        attempts.sort()
        first_pass = next((at for at, passed in attempts if passed), None)
        count = sum(1 for at, _ in attempts if first_pass is None or at <= first_pass)
        result[key] = _Passing(attempts[0][0], first_pass, count)
    return result


def _in_range(moment: datetime, scope: DashboardScope) -> bool:
    day = moment.astimezone(UTC).strftime("%Y-%m-%d")
    return (not scope.from_day or day >= scope.from_day) and (
        not scope.to_day or day <= scope.to_day
    )


def dashboard(session: Session, request: pb.DashboardFilter) -> pb.GetDashboardResponse:
    scope = scope_of(request)
    repo = AnalyticsRepository(session)
    response = pb.GetDashboardResponse(filter=request, events_logged=repo.events_logged())
    response.learners = (
        repo.cohort_size(scope.cohort_id) if scope.cohort_id else repo.distinct_learners(scope)
    )
    for day, learners, runs in repo.daily_activity(scope):
        response.activity.append(pb.DailyActivity(day=day, active_learners=learners, runs=runs))

    progress = _progress_to_pass(repo.graded_runs(scope, challenge=False))
    per_challenge: dict[str, list[_Passing]] = defaultdict(list)
    attempted: dict[str, int] = defaultdict(int)
    for (_, slug), state in progress.items():
        passed_in_range = state.first_pass is not None and _in_range(state.first_pass, scope)
        if passed_in_range:
            per_challenge[slug].append(state)
        # Working on it or passing it within the range (runs after the range are not read).
        if state.first_pass is None or passed_in_range:
            attempted[slug] += 1
    for slug in sorted(attempted):
        response.funnel.append(
            pb.FunnelStep(
                challenge_slug=slug,
                learners_attempted=attempted[slug],
                learners_passed=len(per_challenge.get(slug, [])),
            )
        )

    for slug, runs, graded, passing, learners in repo.challenge_totals(scope):
        stats = pb.ChallengeStats(
            challenge_slug=slug, runs=runs, graded=graded, passing=passing, learners=learners
        )
        if graded:
            stats.pass_rate = passing / graded
        passes = per_challenge.get(slug, [])
        stats.learners_passed = len(passes)
        if passes:
            stats.median_seconds_to_pass = statistics.median(
                (p.first_pass - p.first_graded).total_seconds()
                for p in passes
                if p.first_pass is not None  # always: only passes are listed
            )
            stats.median_attempts_to_pass = statistics.median(p.attempts for p in passes)
        response.challenges.append(stats)

    for error_type, count in repo.error_counts(scope):
        response.errors.append(pb.ErrorCount(error_type=error_type, count=count))
    response.coach.CopyFrom(_coach(repo, scope))
    response.apps.extend(_apps(repo, scope))
    response.self_improvement.CopyFrom(
        _self_improvement(repo, scope, response.coach, list(response.apps))
    )
    response.instruction.CopyFrom(_instruction(repo, scope, progress))
    return response


# Time to a first successful model, in buckets (upper bounds in seconds; the last is open).
FIRST_MODEL_BUCKETS = (
    ("< 10 min", 600.0),
    ("10-60 min", 3600.0),
    ("1-24 h", 86400.0),
    ("1-7 days", 7 * 86400.0),
    ("> 7 days", float("inf")),
)
# Passes per active week, in buckets (upper bounds inclusive; the last is open).
VELOCITY_BUCKETS = (("0", 0.0), ("up to 1", 1.0), ("1-3", 3.0), ("> 3", float("inf")))


def _bucketed(
    values: list[float], buckets: tuple[tuple[str, float], ...], strict: bool
) -> list[pb.Bucket]:
    counts = dict.fromkeys((label for label, _ in buckets), 0)
    for value in values:
        for label, upper in buckets:
            if (value < upper) if strict else (value <= upper):
                counts[label] += 1
                break
    return [pb.Bucket(label=label, learners=n) for label, n in counts.items()]


def _instruction(
    repo: AnalyticsRepository,
    scope: DashboardScope,
    progress: dict[tuple[str, str], _Passing],
) -> pb.Instruction:
    result = pb.Instruction()
    # Tracks: distinct learners per kind; the title from whichever event carried one.
    unlocked: dict[str, set[str]] = defaultdict(set)
    passed: dict[str, set[str]] = defaultdict(set)
    completed: dict[str, set[str]] = defaultdict(set)
    titles: dict[str, str] = {}
    for learner, track, title, kind, done in repo.track_events(scope):
        if title:
            titles[track] = title
        (unlocked if kind == "unlocked" else passed)[track].add(learner)
        if done:
            completed[track].add(learner)
    for track in sorted({*unlocked, *passed}):
        result.tracks.append(
            pb.TrackProgress(
                track_slug=track,
                track_title=titles.get(track, ""),
                unlocked=len(unlocked.get(track, ())),
                passed_one=len(passed.get(track, ())),
                completed=len(completed.get(track, ())),
            )
        )
    for slug, name, count in repo.badge_counts(scope):
        result.badges.append(pb.BadgeCount(badge_slug=slug, badge_name=name, awarded=count))

    # Hint and answer use per challenge, over learners who worked on it in range.
    workers: dict[str, set[str]] = defaultdict(set)
    for learner, slug in repo.challenge_workers(scope):
        workers[slug].add(learner)
    hints: dict[str, dict[str, int]] = defaultdict(dict)
    answers: dict[str, set[str]] = defaultdict(set)
    for learner, slug, kind, shown in repo.help_events(scope):
        workers[slug].add(learner)
        if kind == "hint":
            hints[slug][learner] = max(shown, hints[slug].get(learner, 0))
        elif kind == "answer":
            answers[slug].add(learner)
    for slug in sorted(workers):
        total = len(workers[slug])
        row = pb.ChallengeHelp(
            challenge_slug=slug,
            learners=total,
            hint_learners=len(hints.get(slug, {})),
            answer_learners=len(answers.get(slug, ())),
        )
        row.hint_share = row.hint_learners / total
        row.answer_share = row.answer_learners / total
        if row.hint_learners:
            row.mean_hints = sum(hints[slug].values()) / row.hint_learners
        result.help.append(row)

    # Time to a first successful model: first run ever -> first passing submission ever.
    first_runs = repo.first_runs(scope)
    first_passes = repo.first_passes(scope)
    seconds = []
    waiting = 0
    for learner, started in first_runs.items():
        success = first_passes.get(learner)
        if success is None:
            waiting += 1
        elif _in_range(success, scope):
            seconds.append(max(0.0, (success - started).total_seconds()))
    first = result.first_model
    first.learners_succeeded = len(seconds)
    first.learners_with_runs = waiting + len(seconds)
    if seconds:
        first.median_seconds = statistics.median(seconds)
    first.distribution.extend(_bucketed(seconds, FIRST_MODEL_BUCKETS, strict=True))

    # Learning velocity, per learner with a run in range.
    weeks: dict[str, set[tuple[int, int]]] = defaultdict(set)
    days: dict[str, set[str]] = defaultdict(set)
    for learner, at in repo.runs_in_scope(scope):
        iso = at.astimezone(UTC).isocalendar()
        weeks[learner].add((iso[0], iso[1]))
        days[learner].add(at.astimezone(UTC).strftime("%Y-%m-%d"))
    passes: dict[str, int] = defaultdict(int)
    for (learner, _), state in progress.items():
        if state.first_pass is not None and _in_range(state.first_pass, scope):
            passes[learner] += 1
    xp = repo.xp_per_learner(scope)
    per_week = [passes.get(learner, 0) / len(weeks[learner]) for learner in sorted(weeks)]
    per_day = [xp.get(learner, 0) / len(days[learner]) for learner in sorted(days)]
    velocity = result.velocity
    velocity.learners = len(weeks)
    if per_week:
        velocity.median_passes_per_active_week = statistics.median(per_week)
        velocity.mean_passes_per_active_week = sum(per_week) / len(per_week)
        velocity.median_xp_per_active_day = statistics.median(per_day)
        velocity.mean_xp_per_active_day = sum(per_day) / len(per_day)
    velocity.distribution.extend(_bucketed(per_week, VELOCITY_BUCKETS, strict=False))
    return result


# A run within this share of the best score known on its dataset is "a good model".
GOOD_MODEL_WITHIN = 0.05
PREDICTION_CLOSE = 0.05


def _self_improvement(
    repo: AnalyticsRepository,
    scope: DashboardScope,
    coach: pb.CoachStats,
    apps: list[pb.AppUsage],
) -> pb.SelfImprovement:
    stats = pb.SelfImprovement()
    proposals = [p for p in repo.proposals_in_scope(scope) if p[4]]
    stats.proposals = len(proposals)
    if proposals:
        stats.exploration_rate = sum(1 for p in proposals if p[5]) / len(proposals)
    for _, _, _, _, source, _ in proposals:
        stats.proposals_by_source[source] += 1
    predicted = [p for p in proposals if p[3] is not None]
    improved: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for parent, at, score in repo.improved_runs_of(sorted({p[1] for p in predicted})):
        improved[parent].append((at, score))
    errors = []
    for _, parent, at, expected, _, _ in predicted:
        later = sorted(run for run in improved.get(parent, []) if run[0] >= at)
        if later and expected is not None:
            errors.append(abs(expected - later[0][1]))
    stats.predictions_scored = len(errors)
    if errors:
        stats.prediction_mae = sum(errors) / len(errors)
        stats.predictions_within_005 = sum(1 for e in errors if e <= PREDICTION_CLOSE) / len(errors)
    if coach.HasField("acceptance_rate"):
        stats.proposal_acceptance_rate = coach.acceptance_rate
    applied = sum(app.applied for app in apps)
    shown = applied + sum(app.dismissed for app in apps)
    if shown:
        stats.app_suggestion_acceptance_rate = applied / shown

    runs: dict[tuple[str, str], list[tuple[datetime, float]]] = defaultdict(list)
    for learner, key, at, score in repo.scored_dataset_runs(scope):
        runs[(learner, key)].append((at, score))
    best = repo.best_scores(sorted({key for _, key in runs}))
    seconds, counts, gains = [], [], []
    for (_, key), history in runs.items():
        history.sort()
        top = best.get(key, max(score for _, score in history))
        good_at = top - GOOD_MODEL_WITHIN * abs(top)
        first_good = next((i for i, (_, score) in enumerate(history) if score >= good_at), None)
        if first_good is not None:
            seconds.append((history[first_good][0] - history[0][0]).total_seconds())
            counts.append(first_good + 1)
        first = history[0][1]
        if len(history) > 1 and first > 0:
            gains.append((max(score for _, score in history) - first) / first)
    stats.learner_datasets = len(runs)
    stats.reached_good_model = len(seconds)
    if seconds:
        stats.median_seconds_to_good = statistics.median(seconds)
        stats.median_runs_to_good = statistics.median(counts)
    stats.baseline_pairs = len(gains)
    if gains:
        stats.mean_improvement_over_baseline = sum(gains) / len(gains)
    total, per_day = repo.subject_per_day(events.RECOMMENDER_OBSERVATION_RECORDED, scope)
    stats.knowledge_observations = total
    for day, count in per_day.items():
        stats.knowledge_growth.append(pb.DailyCount(day=day, count=count))
    defaults = [(a - b) / b for a, b in repo.static_default_pairs(scope) if b > 0]
    stats.static_default_pairs = len(defaults)
    if defaults:
        stats.mean_gain_over_static_default = sum(defaults) / len(defaults)
    return stats


_APP_ACTIONS = ("started", "completed", "failed", "cancelled", "applied", "dismissed")


def _apps(repo: AnalyticsRepository, scope: DashboardScope) -> list[pb.AppUsage]:
    usage: dict[str, pb.AppUsage] = {}
    for app_slug, action, count in repo.app_uses(scope):
        if action in _APP_ACTIONS:
            row = usage.setdefault(app_slug, pb.AppUsage(app_slug=app_slug))
            setattr(row, action, getattr(row, action) + count)
    for app_slug, learners in repo.app_learners(scope).items():
        usage.setdefault(app_slug, pb.AppUsage(app_slug=app_slug)).learners = learners
    return [usage[slug] for slug in sorted(usage)]


def _coach(repo: AnalyticsRepository, scope: DashboardScope) -> pb.CoachStats:
    stats = pb.CoachStats(proposals=repo.proposal_count(scope))
    ratings: dict[str, tuple[datetime, str, int]] = {}
    verdicts: dict[str, tuple[datetime, str, str]] = {}
    for proposal, rating, verdict, at, event_id in repo.feedback_of_proposals(scope):
        # Latest by occurred_at (event id breaks ties), never by arrival.
        if rating and (proposal not in ratings or (at, event_id) > ratings[proposal][:2]):
            ratings[proposal] = (at, event_id, rating)
        if verdict and (proposal not in verdicts or (at, event_id) > verdicts[proposal][:2]):
            verdicts[proposal] = (at, event_id, verdict)
    stats.with_verdict = len(verdicts)
    stats.accepted = sum(1 for _, _, v in verdicts.values() if v == "accepted")
    if verdicts:
        stats.acceptance_rate = stats.accepted / stats.with_verdict
    stats.rated = len(ratings)
    counts = [0] * 5
    for _, _, rating in ratings.values():
        if 1 <= rating <= 5:
            counts[rating - 1] += 1
    stats.rating_counts.extend(counts)
    if ratings:
        stats.average_rating = sum(r for _, _, r in ratings.values()) / len(ratings)

    advice: dict[tuple[str, str], tuple[datetime, str, bool]] = {}
    for learner, proposal, helpful, at, event_id in repo.advice(scope):
        key = (learner, proposal)
        if key not in advice or (at, event_id) > advice[key][:2]:
            advice[key] = (at, event_id, helpful)
    stats.advice_helpful = sum(1 for _, _, h in advice.values() if h)
    stats.advice_unhelpful = len(advice) - stats.advice_helpful

    total, pairs = repo.improved_pairs(scope)
    stats.improved_runs = total
    stats.scored_pairs = len(pairs)
    gains = [(parent - score) if lower else (score - parent) for score, parent, lower in pairs]
    if gains:
        stats.average_score_gain = sum(gains) / len(gains)
        stats.hits = sum(1 for gain in gains if gain > 0)
        stats.hit_rate = stats.hits / len(gains)
    return stats


def platform(
    session: Session, window_minutes: int, now: datetime | None = None
) -> pb.GetPlatformResponse:
    """Throughput per subject and producer over the last `window_minutes` (by occurred_at)."""
    window = window_minutes or 60
    if not 1 <= window <= MAX_WINDOW_MINUTES:
        raise AscentError("invalid_argument", f"The window is 1 to {MAX_WINDOW_MINUTES} minutes.")
    now = (now or utcnow()).replace(second=0, microsecond=0)
    since = now - timedelta(minutes=window - 1)
    repo = AnalyticsRepository(session)
    response = pb.GetPlatformResponse(window_minutes=window, events_logged=repo.events_logged())
    per_key: dict[tuple[str, str], int] = defaultdict(int)
    per_minute: dict[datetime, int] = defaultdict(int)
    for minute, subject, producer, count in repo.throughput(since):
        per_key[(subject, producer)] += count
        per_minute[minute] += count
    for (subject, producer), count in sorted(per_key.items(), key=lambda kv: (-kv[1], kv[0])):
        response.throughput.append(
            pb.Throughput(
                subject=subject, producer=producer, events=count, per_minute=count / window
            )
        )
    for step in range(window):
        minute = since + timedelta(minutes=step)
        response.timeline.append(
            pb.ThroughputPoint(
                minute=minute.isoformat().replace("+00:00", "Z"), events=per_minute.get(minute, 0)
            )
        )
    return response
