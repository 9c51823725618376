"""Every query of the analytics service."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from services.analytics.models import (
    AdviceFact,
    AppUseFact,
    AssignmentFact,
    BadgeFact,
    CohortFact,
    CohortMember,
    DailyRollup,
    EventLog,
    FeedbackFact,
    HelpFact,
    MinuteCount,
    ProposalFact,
    RunFact,
    SubjectCount,
    TrackEventFact,
    XpFact,
)
from services.common.db import table_of

# Bound parameters per IN (...) list: well below SQLite's and PostgreSQL's limits.
_CHUNK = 500


def _chunks(values: Sequence[Any]) -> list[Sequence[Any]]:
    return [values[i : i + _CHUNK] for i in range(0, len(values), _CHUNK)]


class DashboardScope:
    """Which learners, challenge and days a dashboard query covers."""

    def __init__(self, cohort_id: str, challenge_slug: str, from_day: str, to_day: str) -> None:
        self.cohort_id = cohort_id
        self.challenge_slug = challenge_slug
        self.from_day = from_day
        self.to_day = to_day

    def learners(self, column: Any) -> list[ColumnElement[bool]]:
        if not self.cohort_id:
            return []
        members = select(CohortMember.learner_id).where(CohortMember.cohort_id == self.cohort_id)
        return [column.in_(members)]

    def days(self, column: Any) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.from_day:
            conditions.append(column >= self.from_day)
        if self.to_day:
            conditions.append(column <= self.to_day)
        return conditions

    def challenge(self, column: Any) -> list[ColumnElement[bool]]:
        return [column == self.challenge_slug] if self.challenge_slug else []


class AnalyticsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.proposals_table: Table = table_of(ProposalFact)
        self.feedback_table: Table = table_of(FeedbackFact)
        self.advice_table: Table = table_of(AdviceFact)
        self.cohorts_table: Table = table_of(CohortFact)
        self.app_uses_table: Table = table_of(AppUseFact)
        self.track_events_table: Table = table_of(TrackEventFact)
        self.badges_table: Table = table_of(BadgeFact)
        self.help_table: Table = table_of(HelpFact)
        self.xp_table: Table = table_of(XpFact)

    # -- writes ---------------------------------------------------------------------------------
    def _insert(self, table: Table) -> Any:
        """INSERT with the dialect's ON CONFLICT support (SQLite and PostgreSQL share it)."""
        dialect = self.session.get_bind().dialect.name
        module = postgresql if dialect == "postgresql" else sqlite
        return module.insert(table)

    def _add_counts(
        self, table: Table, keys: Sequence[str], rows: list[dict[str, Any]], columns: Sequence[str]
    ) -> None:
        """Upsert that adds the row's counters to existing ones (commutative, so order-free)."""
        if not rows:
            return
        # A stable order keeps concurrent writers from deadlocking on PostgreSQL.
        rows.sort(key=lambda row: tuple(str(row[k]) for k in keys))
        for chunk in _chunks(rows):
            statement = self._insert(table).values(list(chunk))
            statement = statement.on_conflict_do_update(
                index_elements=list(keys),
                set_={c: table.c[c] + statement.excluded[c] for c in columns},
            )
            self.session.execute(statement)

    def logged_event_ids(self, event_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(event_ids):
            found.update(
                self.session.scalars(select(EventLog.event_id).where(EventLog.event_id.in_(chunk)))
            )
        return found

    def log_events(self, rows: list[dict[str, Any]]) -> None:
        self.session.execute(insert(EventLog), rows)

    def add_subject_counts(self, counts: Counter[str]) -> None:
        rows = [{"subject": s, "count": n} for s, n in counts.items()]
        self._add_counts(table_of(SubjectCount), ["subject"], rows, ["count"])

    def add_minute_counts(self, counts: Counter[tuple[datetime, str, str]]) -> None:
        rows = [
            {"minute": minute, "subject": subject, "producer": producer, "count": n}
            for (minute, subject, producer), n in counts.items()
        ]
        self._add_counts(
            table_of(MinuteCount),
            ["minute", "subject", "producer"],
            rows,
            ["count"],
        )

    def known_run_ids(self, run_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(run_ids):
            found.update(
                self.session.scalars(select(RunFact.run_id).where(RunFact.run_id.in_(chunk)))
            )
        return found

    def add_runs(self, rows: list[dict[str, Any]]) -> None:
        self.session.execute(insert(RunFact), rows)

    def add_daily(self, deltas: Mapping[tuple[str, str, str], Counter[str]]) -> None:
        columns = ("runs", "graded", "passing", "errors")
        rows = [
            {
                "day": day,
                "learner_id": learner,
                "challenge_slug": slug,
                **{c: delta[c] for c in columns},
            }
            for (day, learner, slug), delta in deltas.items()
        ]
        self._add_counts(
            table_of(DailyRollup),
            ["day", "learner_id", "challenge_slug"],
            rows,
            columns,
        )

    def insert_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(table), rows)

    def add_new(self, table: Table, rows: dict[str, dict[str, Any]]) -> None:
        """Insert rows whose single-column key is not there yet (first fact wins)."""
        if not rows:
            return
        key = next(iter(table.primary_key.columns))
        existing: set[str] = set()
        for chunk in _chunks(list(rows)):
            existing.update(self.session.scalars(select(key).where(key.in_(chunk))))
        self.insert_rows(table, [row for k, row in rows.items() if k not in existing])

    def add_members(self, rows: dict[tuple[str, str], dict[str, Any]]) -> None:
        if not rows:
            return
        statement = self._insert(table_of(CohortMember)).values(list(rows.values()))
        # The earliest join wins, whatever order the events arrive in (SQLite's two-argument
        # min() is PostgreSQL's least()).
        earliest = func.least if self.session.get_bind().dialect.name == "postgresql" else func.min
        statement = statement.on_conflict_do_update(
            index_elements=["cohort_id", "learner_id"],
            set_={"joined_at": earliest(CohortMember.joined_at, statement.excluded.joined_at)},
        )
        self.session.execute(statement)

    def upsert_assignment(
        self, cohort_id: str, slug: str, due_at: datetime | None, occurred_at: datetime
    ) -> None:
        row = self.session.get(AssignmentFact, (cohort_id, slug))
        if row is None:
            self.session.add(
                AssignmentFact(
                    cohort_id=cohort_id, challenge_slug=slug, due_at=due_at, occurred_at=occurred_at
                )
            )
            self.session.flush()
            return
        # A late, older assignment event must not undo a newer due date.
        if _aware(row.occurred_at) < occurred_at:
            row.due_at, row.occurred_at = due_at, occurred_at

    # -- reads ----------------------------------------------------------------------------------
    def counts(self) -> list[SubjectCount]:
        return list(self.session.scalars(select(SubjectCount).order_by(SubjectCount.subject)))

    def events_logged(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(EventLog)) or 0)

    def cohort_size(self, cohort_id: str) -> int:
        query = select(func.count()).where(CohortMember.cohort_id == cohort_id)
        return int(self.session.scalar(query) or 0)

    def distinct_learners(self, scope: DashboardScope) -> int:
        query = select(func.count(func.distinct(DailyRollup.learner_id))).where(
            *scope.days(DailyRollup.day), *scope.challenge(DailyRollup.challenge_slug)
        )
        return int(self.session.scalar(query) or 0)

    def daily_activity(self, scope: DashboardScope) -> list[tuple[str, int, int]]:
        query = (
            select(
                DailyRollup.day,
                func.count(func.distinct(DailyRollup.learner_id)),
                func.sum(DailyRollup.runs),
            )
            .where(
                DailyRollup.runs > 0,
                *scope.learners(DailyRollup.learner_id),
                *scope.days(DailyRollup.day),
                *scope.challenge(DailyRollup.challenge_slug),
            )
            .group_by(DailyRollup.day)
            .order_by(DailyRollup.day)
        )
        return [(str(d), int(n), int(r or 0)) for d, n, r in self.session.execute(query)]

    def challenge_totals(self, scope: DashboardScope) -> list[tuple[str, int, int, int, int]]:
        """(slug, runs, graded, passing, learners) per challenge."""
        query = (
            select(
                DailyRollup.challenge_slug,
                func.sum(DailyRollup.runs),
                func.sum(DailyRollup.graded),
                func.sum(DailyRollup.passing),
                func.count(func.distinct(DailyRollup.learner_id)),
            )
            .where(
                DailyRollup.challenge_slug != "",
                *scope.learners(DailyRollup.learner_id),
                *scope.days(DailyRollup.day),
                *scope.challenge(DailyRollup.challenge_slug),
            )
            .group_by(DailyRollup.challenge_slug)
            .order_by(DailyRollup.challenge_slug)
        )
        return [
            (str(s), int(r or 0), int(g or 0), int(p or 0), int(n))
            for s, r, g, p, n in self.session.execute(query)
        ]

    def graded_runs(
        self, scope: DashboardScope, challenge: bool
    ) -> list[tuple[str, str, datetime, bool]]:
        """(learner, challenge, occurred_at, passed) of graded runs up to the range's end."""
        query = select(
            RunFact.learner_id, RunFact.challenge_slug, RunFact.occurred_at, RunFact.passed
        ).where(
            RunFact.graded.is_(True),
            *scope.learners(RunFact.learner_id),
            *([RunFact.day <= scope.to_day] if scope.to_day else []),
            *(scope.challenge(RunFact.challenge_slug) if challenge else []),
        )
        return [(str(a), str(b), _aware(c), bool(d)) for a, b, c, d in self.session.execute(query)]

    def error_counts(self, scope: DashboardScope) -> list[tuple[str, int]]:
        query = (
            select(RunFact.error_type, func.count())
            .where(
                RunFact.error_type != "",
                *scope.learners(RunFact.learner_id),
                *scope.days(RunFact.day),
                *scope.challenge(RunFact.challenge_slug),
            )
            .group_by(RunFact.error_type)
            .order_by(func.count().desc(), RunFact.error_type)
        )
        return [(str(t), int(n)) for t, n in self.session.execute(query)]

    def app_uses(self, scope: DashboardScope) -> list[tuple[str, str, int]]:
        """(app, action, events) in scope."""
        query = (
            select(AppUseFact.app_slug, AppUseFact.action, func.count())
            .where(*scope.learners(AppUseFact.learner_id), *scope.days(AppUseFact.day))
            .group_by(AppUseFact.app_slug, AppUseFact.action)
        )
        return [(str(a), str(b), int(n)) for a, b, n in self.session.execute(query)]

    def app_learners(self, scope: DashboardScope) -> dict[str, int]:
        """Distinct learners who started each app, in scope."""
        query = (
            select(AppUseFact.app_slug, func.count(func.distinct(AppUseFact.learner_id)))
            .where(
                AppUseFact.action == "started",
                *scope.learners(AppUseFact.learner_id),
                *scope.days(AppUseFact.day),
            )
            .group_by(AppUseFact.app_slug)
        )
        return {str(a): int(n) for a, n in self.session.execute(query)}

    def proposal_count(self, scope: DashboardScope) -> int:
        query = select(func.count()).where(
            *scope.learners(ProposalFact.learner_id), *scope.days(ProposalFact.day)
        )
        return int(self.session.scalar(query) or 0)

    def feedback_of_proposals(
        self, scope: DashboardScope
    ) -> list[tuple[str, int, str, datetime, str]]:
        """Every rating event of proposals made in range: (proposal, rating, verdict, at, event)."""
        proposals = select(ProposalFact.proposal_id).where(
            *scope.learners(ProposalFact.learner_id), *scope.days(ProposalFact.day)
        )
        query = select(
            FeedbackFact.proposal_id,
            FeedbackFact.rating,
            FeedbackFact.verdict,
            FeedbackFact.occurred_at,
            FeedbackFact.event_id,
        ).where(FeedbackFact.proposal_id.in_(proposals))
        return [
            (str(p), int(r), str(v), _aware(at), str(e))
            for p, r, v, at, e in self.session.execute(query)
        ]

    def advice(self, scope: DashboardScope) -> list[tuple[str, str, bool, datetime, str]]:
        query = select(
            AdviceFact.learner_id,
            AdviceFact.proposal_id,
            AdviceFact.helpful,
            AdviceFact.occurred_at,
            AdviceFact.event_id,
        ).where(*scope.learners(AdviceFact.learner_id), *scope.days(AdviceFact.day))
        return [
            (str(a), str(b), bool(c), _aware(d), str(e))
            for a, b, c, d, e in self.session.execute(query)
        ]

    def improved_pairs(self, scope: DashboardScope) -> tuple[int, list[tuple[float, float, bool]]]:
        """AI-improved runs in range, and (score, parent score, lower_is_better) of those
        whose parent is known and both scored on the same kind of metric."""
        conditions = [
            RunFact.is_improved.is_(True),
            *scope.learners(RunFact.learner_id),
            *scope.days(RunFact.day),
        ]
        total = int(self.session.scalar(select(func.count()).where(*conditions)) or 0)
        parent = aliased(RunFact)
        query = (
            select(RunFact.score, parent.score, RunFact.lower_is_better)
            .join(parent, parent.run_id == RunFact.parent_run_id)
            .where(
                *conditions,
                RunFact.score.is_not(None),
                parent.score.is_not(None),
                parent.lower_is_better == RunFact.lower_is_better,
            )
        )
        # The query excludes NULL scores; the check narrows the column types for the checker.
        pairs = [
            (float(a), float(b), bool(c))
            for a, b, c in self.session.execute(query)
            if a is not None and b is not None
        ]
        return total, pairs

    # -- the platform's learning (issue 20 §4) ---------------------------------------------------
    def scored_dataset_runs(self, scope: DashboardScope) -> list[tuple[str, str, datetime, float]]:
        """(learner, dataset key, occurred_at, score) of scored notebook and app runs in scope
        (challenge submissions have their own funnel)."""
        query = select(
            RunFact.learner_id, RunFact.dataset_key, RunFact.occurred_at, RunFact.score
        ).where(
            RunFact.dataset_key != "",
            RunFact.score.is_not(None),
            RunFact.lower_is_better.is_(False),
            *scope.learners(RunFact.learner_id),
            *scope.days(RunFact.day),
        )
        return [
            (str(learner), str(key), at, float(score))
            for learner, key, at, score in self.session.execute(query)
            if score is not None
        ]

    def best_scores(self, dataset_keys: Sequence[str]) -> dict[str, float]:
        """The best score known of each dataset: every learner's runs, any day."""
        best: dict[str, float] = {}
        for chunk in _chunks(list(dataset_keys)):
            query = (
                select(RunFact.dataset_key, func.max(RunFact.score))
                .where(RunFact.dataset_key.in_(chunk), RunFact.lower_is_better.is_(False))
                .group_by(RunFact.dataset_key)
            )
            for key, score in self.session.execute(query):
                if score is not None:
                    best[str(key)] = float(score)
        return best

    def proposals_in_scope(
        self, scope: DashboardScope
    ) -> list[tuple[str, str, datetime, float | None, str, bool]]:
        """(proposal, parent run, occurred_at, predicted score, source, explored)."""
        query = select(
            ProposalFact.proposal_id,
            ProposalFact.run_id,
            ProposalFact.occurred_at,
            ProposalFact.predicted_score,
            ProposalFact.source,
            ProposalFact.explored,
        ).where(*scope.learners(ProposalFact.learner_id), *scope.days(ProposalFact.day))
        return [
            (str(p), str(r), at, (float(v) if v is not None else None), str(src or ""), bool(e))
            for p, r, at, v, src, e in self.session.execute(query)
        ]

    def improved_runs_of(self, parent_ids: Sequence[str]) -> list[tuple[str, datetime, float]]:
        """(parent run, occurred_at, score) of the scored AI-improved runs of these parents."""
        rows: list[tuple[str, datetime, float]] = []
        for chunk in _chunks(list(parent_ids)):
            query = select(RunFact.parent_run_id, RunFact.occurred_at, RunFact.score).where(
                RunFact.is_improved.is_(True),
                RunFact.parent_run_id.in_(chunk),
                RunFact.score.is_not(None),
            )
            rows.extend(
                (str(parent), at, float(score))
                for parent, at, score in self.session.execute(query)
                if score is not None
            )
        return rows

    def static_default_pairs(self, scope: DashboardScope) -> list[tuple[float, float]]:
        """(improved score, parent score) of AI-improved runs in scope whose parent ran the
        starter code unchanged (higher-is-better scores only)."""
        parent = aliased(RunFact)
        query = (
            select(RunFact.score, parent.score)
            .join(parent, parent.run_id == RunFact.parent_run_id)
            .where(
                RunFact.is_improved.is_(True),
                parent.is_starter.is_(True),
                RunFact.score.is_not(None),
                parent.score.is_not(None),
                RunFact.lower_is_better.is_(False),
                parent.lower_is_better.is_(False),
                *scope.learners(RunFact.learner_id),
                *scope.days(RunFact.day),
            )
        )
        return [
            (float(a), float(b))
            for a, b in self.session.execute(query)
            if a is not None and b is not None
        ]

    def subject_per_day(self, subject: str, scope: DashboardScope) -> tuple[int, dict[str, int]]:
        """Events of `subject` ever, and per UTC day (of occurred_at) in the scope's days."""
        total = self.session.scalar(
            select(SubjectCount.count).where(SubjectCount.subject == subject)
        )
        days: dict[str, int] = {}
        query = select(MinuteCount.minute, MinuteCount.count).where(MinuteCount.subject == subject)
        for minute, count in self.session.execute(query):
            moment = minute if minute.tzinfo else minute.replace(tzinfo=UTC)
            day = moment.astimezone(UTC).strftime("%Y-%m-%d")
            if (not scope.from_day or day >= scope.from_day) and (
                not scope.to_day or day <= scope.to_day
            ):
                days[day] = days.get(day, 0) + int(count)
        return int(total or 0), dict(sorted(days.items()))

    # -- analytics for instructors (issue 17) ----------------------------------------------------
    def track_events(self, scope: DashboardScope) -> list[tuple[str, str, str, str, bool]]:
        """(learner, track, title, kind, completed) of track events in scope."""
        query = select(
            TrackEventFact.learner_id,
            TrackEventFact.track_slug,
            TrackEventFact.track_title,
            TrackEventFact.kind,
            TrackEventFact.completed,
        ).where(*scope.learners(TrackEventFact.learner_id), *scope.days(TrackEventFact.day))
        return [
            (str(a), str(b), str(c), str(d), bool(e))
            for a, b, c, d, e in self.session.execute(query)
        ]

    def badge_counts(self, scope: DashboardScope) -> list[tuple[str, str, int]]:
        """(badge, name, awards) in scope, most awarded first."""
        query = (
            select(BadgeFact.badge_slug, func.max(BadgeFact.badge_name), func.count())
            .where(*scope.learners(BadgeFact.learner_id), *scope.days(BadgeFact.day))
            .group_by(BadgeFact.badge_slug)
            .order_by(func.count().desc(), BadgeFact.badge_slug)
        )
        return [(str(a), str(b or ""), int(n)) for a, b, n in self.session.execute(query)]

    def help_events(self, scope: DashboardScope) -> list[tuple[str, str, str, int]]:
        """(learner, challenge, kind, hints shown) of hint and answer events in scope."""
        query = select(
            HelpFact.learner_id, HelpFact.challenge_slug, HelpFact.kind, HelpFact.hints
        ).where(
            *scope.learners(HelpFact.learner_id),
            *scope.days(HelpFact.day),
            *scope.challenge(HelpFact.challenge_slug),
        )
        return [(str(a), str(b), str(c), int(d)) for a, b, c, d in self.session.execute(query)]

    def challenge_workers(self, scope: DashboardScope) -> list[tuple[str, str]]:
        """Distinct (learner, challenge) with a run of the challenge (practice or submission)
        in scope."""
        query = (
            select(DailyRollup.learner_id, DailyRollup.challenge_slug)
            .where(
                DailyRollup.challenge_slug != "",
                DailyRollup.runs > 0,
                *scope.learners(DailyRollup.learner_id),
                *scope.days(DailyRollup.day),
                *scope.challenge(DailyRollup.challenge_slug),
            )
            .distinct()
        )
        return [(str(a), str(b)) for a, b in self.session.execute(query)]

    def first_runs(self, scope: DashboardScope) -> dict[str, datetime]:
        """Each learner's first run ever (up to the range's end), in scope's learners."""
        query = (
            select(RunFact.learner_id, func.min(RunFact.occurred_at))
            .where(
                *scope.learners(RunFact.learner_id),
                *([RunFact.day <= scope.to_day] if scope.to_day else []),
            )
            .group_by(RunFact.learner_id)
        )
        return {str(a): _aware(b) for a, b in self.session.execute(query) if b is not None}

    def first_passes(self, scope: DashboardScope) -> dict[str, datetime]:
        """Each learner's first passing graded submission ever (up to the range's end)."""
        query = (
            select(RunFact.learner_id, func.min(RunFact.occurred_at))
            .where(
                RunFact.passed.is_(True),
                *scope.learners(RunFact.learner_id),
                *([RunFact.day <= scope.to_day] if scope.to_day else []),
            )
            .group_by(RunFact.learner_id)
        )
        return {str(a): _aware(b) for a, b in self.session.execute(query) if b is not None}

    def runs_in_scope(self, scope: DashboardScope) -> list[tuple[str, datetime]]:
        """(learner, occurred_at) of every run in scope (all challenges and notebooks)."""
        query = select(RunFact.learner_id, RunFact.occurred_at).where(
            *scope.learners(RunFact.learner_id), *scope.days(RunFact.day)
        )
        return [(str(a), _aware(b)) for a, b in self.session.execute(query)]

    def xp_per_learner(self, scope: DashboardScope) -> dict[str, int]:
        query = (
            select(XpFact.learner_id, func.sum(XpFact.amount))
            .where(*scope.learners(XpFact.learner_id), *scope.days(XpFact.day))
            .group_by(XpFact.learner_id)
        )
        return {str(a): int(n or 0) for a, n in self.session.execute(query)}

    def throughput(self, since: datetime) -> list[tuple[datetime, str, str, int]]:
        query = select(
            MinuteCount.minute, MinuteCount.subject, MinuteCount.producer, MinuteCount.count
        ).where(MinuteCount.minute >= since)
        return [(_aware(m), str(s), str(p), int(n)) for m, s, p, n in self.session.execute(query)]


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored is UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
