"""Leaderboard logic: recording runs, scoring, ranking and detecting a board's new best."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from ascent.events.v1 import leaderboard_pb2
from ascent.leaderboard.v1 import leaderboard_service_pb2 as lb
from ascent.types.v1 import run_pb2
from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.ml.scoring import ranking_score
from services.common.outbox import enqueue
from services.leaderboard.models import (
    ChallengeBoard,
    ChallengeEntry,
    ChallengeSubmission,
    FinalSelection,
    RunRecord,
)
from services.leaderboard.repository import ChallengeRepository, RunRepository

PRODUCER = "leaderboard"
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# ListRuns pages (README, "Limits"): runs per page, the output tail a summary keeps, and
# the size a page stops before — far below the gRPC message limit of services.common.rpc,
# whatever the runs printed.
LIST_DEFAULT_LIMIT = 100
SUMMARY_OUTPUT_CHARS = 2_000
LIST_BUDGET_BYTES = 2 << 20
# Final submissions a learner may select per challenge board (Kaggle's default); with none
# selected, their FINAL_SUBMISSIONS best by public score count.
FINAL_SUBMISSIONS = 2


@dataclass(frozen=True)
class RecordResult:
    recorded: bool
    best: bool = False


def aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# Within one dataset, runs scored by accuracy are listed before those scored by R² (a
# starter's accuracy on a regression target, then R² runs): the two are ranked apart.
METRIC_ORDER = {"accuracy": 0, "r2": 1}


def rank_key(record: RunRecord) -> tuple[int, int, float, float, str]:
    """Best score first; score ties by earliest run; unscored runs last, newest first."""
    created = aware(record.created_at).timestamp()
    if record.score is None:
        return (1, 0, 0.0, -created, record.id)
    metric = METRIC_ORDER.get(record.metric or "", len(METRIC_ORDER))
    return (0, metric, -record.score, created, record.id)


def ranked_by_dataset(records: list[RunRecord]) -> list[tuple[RunRecord, int]]:
    """A board's runs with their rank among the runs on the same dataset and metric (0 =
    unranked). Runs on different data are never ranked together: 100 % on a CSV says
    nothing against 97 % on Iris. Datasets come most recently run first, each best first."""
    groups: dict[str, list[RunRecord]] = {}
    for record in records:
        groups.setdefault(record.dataset_sha256 or "", []).append(record)
    latest = {
        key: max(aware(r.created_at).timestamp() for r in members)
        for key, members in groups.items()
    }
    ranked: list[tuple[RunRecord, int]] = []
    for key in sorted(groups, key=lambda k: (-latest[k], k)):
        places: dict[str, int] = {}
        for record in sorted(groups[key], key=rank_key):
            if record.score is None:
                ranked.append((record, 0))
                continue
            metric = record.metric or ""
            places[metric] = places.get(metric, 0) + 1
            ranked.append((record, places[metric]))
    return ranked


def _timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(aware(value))
    return stamp


def _optional(outcome: run_pb2.RunOutcome, field: str) -> float | None:
    return getattr(outcome, field) if outcome.HasField(field) else None


def _created_at(run: run_pb2.Run, fallback: Timestamp | None) -> datetime:
    if run.HasField("created_at"):
        return run.created_at.ToDatetime(tzinfo=UTC)
    if fallback is not None and (fallback.seconds or fallback.nanos):
        return fallback.ToDatetime(tzinfo=UTC)
    return utcnow()


def to_record(run: run_pb2.Run, occurred_at: Timestamp | None = None) -> RunRecord:
    outcome = run.outcome
    scored = ranking_score(outcome)
    return RunRecord(
        id=run.id,
        session_id=run.session_id,
        owner_id=run.owner_id,
        name=run.name,
        code=run.code,
        accuracy=_optional(outcome, "accuracy"),
        precision=_optional(outcome, "precision"),
        recall=_optional(outcome, "recall"),
        f1_score=_optional(outcome, "f1_score"),
        rmse=_optional(outcome, "rmse"),
        mae=_optional(outcome, "mae"),
        r2=_optional(outcome, "r2"),
        model_type=outcome.model_type,
        dataset_info_json=outcome.dataset_info_json,
        confusion_matrix_json=outcome.confusion_matrix_json,
        pipeline_json=outcome.pipeline_json,
        task_type=outcome.task_type,
        stdout=run.stdout,
        stderr=run.stderr,
        error_type=run.error.type,
        error_message=run.error.message,
        error_traceback_json=json.dumps(list(run.error.traceback)),
        has_error=run.has_error,
        is_improved=run.is_improved,
        parent_run_id=run.parent_run_id,
        dataset_sha256=run.dataset_sha256,
        status=run.status,
        duration_ms=run.duration_ms,
        peak_memory_kb=run.peak_memory_kb,
        created_at=_created_at(run, occurred_at),
        recorded_at=utcnow(),
        score=scored.value if scored else None,
        metric=scored.metric if scored else None,
        challenge_slug=run.challenge_slug,
        challenge_version=run.challenge_version,
        unranked_reason=outcome.unranked_reason,
        display_json=json_format.MessageToJson(run.display) if run.HasField("display") else "",
        notices_json=json.dumps(list(run.notices)) if run.notices else "",
        app_slug=run.app_slug,
    )


def to_proto(record: RunRecord) -> run_pb2.Run:
    outcome = run_pb2.RunOutcome(
        model_type=record.model_type,
        dataset_info_json=record.dataset_info_json,
        confusion_matrix_json=record.confusion_matrix_json,
        pipeline_json=record.pipeline_json,
        task_type=record.task_type,
        unranked_reason=record.unranked_reason or "",
    )
    for field in ("accuracy", "precision", "recall", "f1_score", "rmse", "mae", "r2"):
        value = getattr(record, field)
        if value is not None:
            setattr(outcome, field, value)
    run = run_pb2.Run(
        id=record.id,
        session_id=record.session_id,
        owner_id=record.owner_id,
        name=record.name,
        code=record.code,
        outcome=outcome,
        stdout=record.stdout,
        stderr=record.stderr,
        has_error=record.has_error,
        is_improved=record.is_improved,
        parent_run_id=record.parent_run_id,
        dataset_sha256=record.dataset_sha256,
        status=record.status,
        duration_ms=record.duration_ms,
        peak_memory_kb=record.peak_memory_kb,
        created_at=_timestamp(record.created_at),
        challenge_slug=record.challenge_slug or "",
        challenge_version=record.challenge_version or 0,
        app_slug=record.app_slug or "",
    )
    if record.display_json:
        json_format.Parse(record.display_json, run.display)
    if record.notices_json:
        run.notices.extend(str(notice) for notice in json.loads(record.notices_json))
    if record.error_type or record.error_message:
        run.error.CopyFrom(
            run_pb2.RunError(
                type=record.error_type,
                message=record.error_message,
                traceback=json.loads(record.error_traceback_json or "[]"),
            )
        )
    return run


def record_run(
    session: Session, run: run_pb2.Run, occurred_at: Timestamp | None = None
) -> RecordResult:
    """Store a completed run once; enqueue BestAchieved when it strictly beats the board."""
    if not run.id or not run.session_id:
        raise AscentError("invalid_argument", "A run needs an id and a session id.")
    repo = RunRepository(session)
    if repo.get(run.id) is not None:
        return RecordResult(recorded=False)
    record = to_record(run, occurred_at)
    # A new best beats the board's runs on the same dataset and of the same metric (shared
    # scoring rule: scores of different metrics never compare; the starter's accuracy on a
    # regression target is no bar for an R², and Iris's 97 % none for a CSV's first run).
    previous = repo.best_of_board(run.session_id, record.metric, record.dataset_sha256)
    repo.add(record)
    record_submission(session, run, record.created_at)
    if record.score is None:
        return RecordResult(recorded=True)
    # best_of_board only returns scored runs, so previous.score is set.
    previous_score = previous.score if previous is not None else None
    if previous_score is not None and record.score <= previous_score:
        return RecordResult(recorded=True)
    enqueue(
        session,
        PRODUCER,
        events.BEST_ACHIEVED,
        leaderboard_pb2.BestAchieved(
            board_id=record.session_id,
            run_id=record.id,
            owner_id=record.owner_id,
            score=record.score,
            previous_score=previous_score or 0.0,
            previous_run_id=previous.id if previous is not None else "",
            dataset_sha256=record.dataset_sha256,
        ),
    )
    return RecordResult(recorded=True, best=True)


def list_runs(session: Session, session_id: str, dataset: str | None = None) -> list[run_pb2.Run]:
    return [run for run, _ in ranked_runs(session, session_id, dataset)]


def ranked_runs(
    session: Session, session_id: str, dataset: str | None = None
) -> list[tuple[run_pb2.Run, int]]:
    """The session's runs (only `dataset`'s when given) with their rank within their dataset
    (0 = unranked), in `ranked_by_dataset` order."""
    if not session_id:
        raise AscentError("invalid_argument", "session_id is required.")
    records = RunRepository(session).list_for_session(session_id, dataset)
    return [(to_proto(record), rank) for record, rank in ranked_by_dataset(records)]


def summary_of(run: run_pb2.Run) -> run_pb2.Run:
    """A run as a list shows it: the tail of its output (the whole run: GetRun)."""
    summary = run_pb2.Run()
    summary.CopyFrom(run)
    summary.stdout = run.stdout[-SUMMARY_OUTPUT_CHARS:]
    summary.stderr = run.stderr[-SUMMARY_OUTPUT_CHARS:]
    del summary.figures[:]
    summary.summary = True
    return summary


def list_page(
    session: Session,
    session_id: str,
    limit: int = 0,
    offset: int = 0,
    dataset: str | None = None,
) -> lb.ListRunsResponse:
    """One page of the session's runs (only `dataset`'s when given; `ranked_runs` order) as
    summaries with their rank within their dataset; a page ends early rather than grow past
    LIST_BUDGET_BYTES, and says where the next one starts."""
    if limit < 0 or offset < 0:
        raise AscentError("invalid_argument", "limit and offset must not be negative.")
    limit = min(limit or LIST_DEFAULT_LIMIT, MAX_LIMIT)
    ranked = ranked_runs(session, session_id, dataset)
    response = lb.ListRunsResponse(total=len(ranked))
    size = 0
    for index in range(offset, min(offset + limit, len(ranked))):
        run, rank = ranked[index]
        summary = summary_of(run)
        size += summary.ByteSize() + 8
        if response.runs and size > LIST_BUDGET_BYTES:
            response.next_offset = index
            return response
        response.runs.append(summary)
        if rank:
            response.dataset_ranks[run.id] = rank
    end = offset + len(response.runs)
    response.next_offset = end if end < len(ranked) else 0
    return response


def find_run(session: Session, run_id: str) -> run_pb2.Run | None:
    record = RunRepository(session).get(run_id)
    return to_proto(record) if record is not None else None


def get_run(session: Session, run_id: str) -> run_pb2.Run:
    if not run_id:
        raise AscentError("invalid_argument", "run_id is required.")
    run = find_run(session, run_id)
    if run is None:
        raise AscentError("not_found", "Run not found.")
    return run


def leaderboard(
    session: Session, board_id: str, limit: int, dataset: str | None = None
) -> lb.GetLeaderboardResponse:
    """Scored runs of a board, ranked per dataset (only `dataset`'s when given); unscored
    runs have no rank and are left out."""
    if not board_id:
        raise AscentError("invalid_argument", "board_id is required.")
    if limit < 0:
        raise AscentError("invalid_argument", "limit must not be negative.")
    limit = min(limit or DEFAULT_LIMIT, MAX_LIMIT)
    records = RunRepository(session).list_for_session(board_id, dataset)
    ranked = [(record, rank) for record, rank in ranked_by_dataset(records) if rank][:limit]
    response = lb.GetLeaderboardResponse(board_id=board_id)
    # The board's metric is the one its (first listed dataset's) leader is measured by.
    if ranked:
        response.metric = ranked[0][0].metric or ""
    for record, rank in ranked:
        response.entries.append(
            lb.LeaderboardEntry(
                rank=rank,
                run_id=record.id,
                name=record.name,
                owner_id=record.owner_id,
                score=record.score or 0.0,
                model_type=record.model_type,
                is_improved=record.is_improved,
                dataset_sha256=record.dataset_sha256,
                metric=record.metric or "",
            )
        )
    return response


# -- challenge boards ---------------------------------------------------------------------------
def board_key(challenge_slug: str, version: int) -> str:
    """The board of a challenge version. Curriculum challenges (version 0) and an authored
    challenge's first version use the slug itself; later authored versions get their own
    board `<slug>@v<N>`, so scores graded on different data are never ranked together and
    an old version's board stays as it was."""
    return challenge_slug if version <= 1 else f"{challenge_slug}@v{version}"


def _challenge_key(entry: ChallengeEntry) -> tuple[float, float, str]:
    score = entry.public_score if entry.lower_is_better else -entry.public_score
    return (score, aware(entry.submitted_at).timestamp(), entry.learner_id)


def _public_key(sub: ChallengeSubmission) -> tuple[float, float, str]:
    score = sub.public_score if sub.lower_is_better else -sub.public_score
    return (score, aware(sub.submitted_at).timestamp(), sub.run_id)


def final_of(
    submissions: list[ChallengeSubmission], selected: set[str]
) -> list[ChallengeSubmission]:
    """The submissions that count for a learner's final standing: those they selected, else
    their FINAL_SUBMISSIONS best by public score (ties by the earliest)."""
    chosen = [sub for sub in submissions if sub.run_id in selected]
    return chosen or sorted(submissions, key=_public_key)[:FINAL_SUBMISSIONS]


def final_score(final: list[ChallengeSubmission]) -> ChallengeSubmission | None:
    """The final submission that ranks the learner: the best private score among the final
    ones only — never their best private over all submissions, which would leak the private
    score through what the board shows (ties by the earliest)."""
    scored = [sub for sub in final if sub.private_score is not None]
    if not scored:
        return None

    def key(sub: ChallengeSubmission) -> tuple[float, float, str]:
        value = sub.private_score if sub.private_score is not None else 0.0
        return (
            value if sub.lower_is_better else -value,
            aware(sub.submitted_at).timestamp(),
            sub.run_id,
        )

    return min(scored, key=key)


@dataclass(frozen=True)
class FinalStanding:
    learner_id: str
    private_score: float | None
    submitted_at: datetime
    selected: bool


def final_standings(
    entries: list[ChallengeEntry],
    submissions: list[ChallengeSubmission],
    selections: list[FinalSelection],
) -> list[FinalStanding]:
    """The private board: each learner by the best private score among their final
    submissions, direction from the grade's metric, ties by the earlier submission, learners
    without a private score last."""
    by_learner: dict[str, list[ChallengeSubmission]] = {}
    for sub in submissions:
        by_learner.setdefault(sub.learner_id, []).append(sub)
    chosen: dict[str, set[str]] = {}
    for pick in selections:
        chosen.setdefault(pick.learner_id, set()).add(pick.run_id)
    standings: list[FinalStanding] = []
    for entry in entries:
        mine = by_learner.get(entry.learner_id, [])
        picked = chosen.get(entry.learner_id, set())
        best = final_score(final_of(mine, picked)) if mine else None
        if best is None and not mine:
            # A board entry from before every submission was kept: its one known submission.
            standings.append(
                FinalStanding(entry.learner_id, entry.private_score, entry.submitted_at, False)
            )
            continue
        standings.append(
            FinalStanding(
                entry.learner_id,
                best.private_score if best is not None else None,
                best.submitted_at if best is not None else entry.submitted_at,
                bool(picked & {sub.run_id for sub in mine}),
            )
        )
    lower = bool(entries and entries[0].lower_is_better)

    def key(standing: FinalStanding) -> tuple[int, float, float, str]:
        if standing.private_score is None:
            return (1, 0.0, 0.0, standing.learner_id)
        value = standing.private_score if lower else -standing.private_score
        return (0, value, aware(standing.submitted_at).timestamp(), standing.learner_id)

    return sorted(standings, key=key)


def ranked_entries(session: Session, challenge_slug: str) -> list[ChallengeEntry]:
    stmt = select(ChallengeEntry).where(ChallengeEntry.challenge_slug == challenge_slug)
    return sorted(session.scalars(stmt), key=_challenge_key)


def record_submission(session: Session, run: run_pb2.Run, at: datetime) -> bool:
    """Keep a learner's best graded submission per challenge; publish their new rank when it
    improves. Ungraded submissions (no predictions, wrong length…) never reach a board."""
    grade = run.grade
    # Practice runs of a challenge are never graded and never ranked.
    if run.practice or not run.challenge_slug or grade.status != "graded":
        return False
    if not grade.HasField("public_score"):
        return False
    key = board_key(run.challenge_slug, run.challenge_version or grade.challenge_version)
    entry = session.get(ChallengeEntry, (key, run.owner_id))
    score = grade.public_score
    private = grade.private_score if grade.HasField("private_score") else None
    if session.get(ChallengeSubmission, run.id) is None:
        session.add(
            ChallengeSubmission(
                run_id=run.id,
                challenge_slug=key,
                learner_id=run.owner_id,
                public_score=score,
                private_score=private,
                metric=grade.metric,
                lower_is_better=grade.lower_is_better,
                submitted_at=at,
            )
        )
    if entry is None:
        entry = ChallengeEntry(
            challenge_slug=key,
            learner_id=run.owner_id,
            run_id=run.id,
            public_score=score,
            private_score=private,
            metric=grade.metric,
            lower_is_better=grade.lower_is_better,
            submitted_at=at,
            submissions=1,
        )
        session.add(entry)
    else:
        entry.submissions += 1
        improved = (
            score < entry.public_score if entry.lower_is_better else score > entry.public_score
        )
        if not improved:
            return False
        entry.run_id, entry.public_score, entry.private_score = run.id, score, private
        entry.submitted_at = at
    session.flush()
    ranked = ranked_entries(session, key)
    rank = next(i for i, e in enumerate(ranked, start=1) if e.learner_id == run.owner_id)
    enqueue(
        session,
        PRODUCER,
        events.CHALLENGE_RANKED,
        leaderboard_pb2.ChallengeRanked(
            challenge_slug=run.challenge_slug,
            learner_id=run.owner_id,
            run_id=run.id,
            public_score=score,
            rank=rank,
            entrants=len(ranked),
            challenge_version=run.challenge_version or grade.challenge_version,
        ),
    )
    return True


def _board(session: Session, challenge_slug: str) -> ChallengeBoard:
    return session.get(ChallengeBoard, challenge_slug) or ChallengeBoard(
        challenge_slug=challenge_slug, hidden=False, private_revealed=False
    )


def challenge_board(
    session: Session, challenge_slug: str, limit: int, include_private: bool, version: int = 0
) -> lb.GetChallengeBoardResponse:
    if not challenge_slug:
        raise AscentError("invalid_argument", "challenge_slug is required.")
    slug, challenge_slug = challenge_slug, board_key(challenge_slug, version)
    if limit < 0:
        raise AscentError("invalid_argument", "limit must not be negative.")
    limit = min(limit or DEFAULT_LIMIT, MAX_LIMIT)
    board = _board(session, challenge_slug)
    entries = ranked_entries(session, challenge_slug)
    response = lb.GetChallengeBoardResponse(
        challenge_slug=slug,
        hidden=bool(board.hidden),
        private_revealed=bool(board.private_revealed),
    )
    if entries:
        response.metric = entries[0].metric
        response.lower_is_better = entries[0].lower_is_better
    repo = ChallengeRepository(session)
    standings = final_standings(
        entries, repo.submissions(challenge_slug), repo.selections(challenge_slug)
    )
    private_ranks = {s.learner_id: i for i, s in enumerate(standings, 1)}
    final = {s.learner_id: s for s in standings}
    show_private = include_private or bool(board.private_revealed)
    for rank, entry in enumerate(entries[:limit], start=1):
        item = lb.ChallengeBoardEntry(
            rank=rank,
            learner_id=entry.learner_id,
            run_id=entry.run_id,
            public_score=entry.public_score,
            submissions=entry.submissions,
            submitted_at=_timestamp(entry.submitted_at),
            final_selected=final[entry.learner_id].selected,
        )
        private = final[entry.learner_id].private_score
        if show_private and private is not None:
            item.private_score = private
            item.private_rank = private_ranks[entry.learner_id]
        response.entries.append(item)
    return response


def set_challenge_board(
    session: Session, challenge_slug: str, hidden: bool, reveal_private: bool, version: int = 0
) -> lb.SetChallengeBoardResponse:
    if not challenge_slug:
        raise AscentError("invalid_argument", "challenge_slug is required.")
    board = _board(session, board_key(challenge_slug, version))
    board.hidden, board.private_revealed = hidden, reveal_private
    session.add(board)
    return lb.SetChallengeBoardResponse(
        challenge_slug=challenge_slug, hidden=hidden, private_revealed=reveal_private
    )


def final_submissions(
    session: Session, challenge_slug: str, version: int, learner_id: str, include_private: bool
) -> lb.FinalSubmissionsResponse:
    """A learner's graded submissions of a board, newest first, marked final or not."""
    if not challenge_slug or not learner_id:
        raise AscentError("invalid_argument", "challenge_slug and learner_id are required.")
    key = board_key(challenge_slug, version)
    board = _board(session, key)
    repo = ChallengeRepository(session)
    mine = repo.submissions(key, learner_id)
    picked = {pick.run_id for pick in repo.selections(key, learner_id)}
    final = {sub.run_id for sub in final_of(mine, picked)}
    show_private = include_private or bool(board.private_revealed)
    response = lb.FinalSubmissionsResponse(
        challenge_slug=challenge_slug,
        selected=bool(picked & {sub.run_id for sub in mine}),
        max_final=FINAL_SUBMISSIONS,
        locked=bool(board.private_revealed),
    )
    if mine:
        response.metric, response.lower_is_better = mine[0].metric, mine[0].lower_is_better
    newest = sorted(mine, key=lambda sub: (-aware(sub.submitted_at).timestamp(), sub.run_id))
    for sub in newest:
        item = lb.ChallengeSubmission(
            run_id=sub.run_id,
            public_score=sub.public_score,
            submitted_at=_timestamp(sub.submitted_at),
            final=sub.run_id in final,
            selected=sub.run_id in picked,
        )
        if show_private and sub.private_score is not None:
            item.private_score = sub.private_score
        response.submissions.append(item)
    return response


def select_final(
    session: Session,
    challenge_slug: str,
    version: int,
    learner_id: str,
    run_ids: list[str],
    include_private: bool,
) -> lb.FinalSubmissionsResponse:
    """Replace the learner's final selection: their own graded submissions of this board,
    at most FINAL_SUBMISSIONS ([] = the default rule). Closed once the private standing is
    revealed: choosing after seeing private scores would be choosing by them."""
    if not challenge_slug or not learner_id:
        raise AscentError("invalid_argument", "challenge_slug and learner_id are required.")
    wanted = list(dict.fromkeys(run_ids))
    if len(wanted) > FINAL_SUBMISSIONS:
        raise AscentError(
            "invalid_argument", f"Select at most {FINAL_SUBMISSIONS} final submissions."
        )
    key = board_key(challenge_slug, version)
    if _board(session, key).private_revealed:
        raise AscentError(
            "unprocessable",
            "The final standing is revealed: final submissions can no longer change.",
        )
    repo = ChallengeRepository(session)
    own = {sub.run_id for sub in repo.submissions(key, learner_id)}
    unknown = [run_id for run_id in wanted if run_id not in own]
    if unknown:
        # An id that names nothing for this learner, as any other id of someone else's.
        raise AscentError(
            "not_found",
            f"Not one of your graded submissions of this challenge: {', '.join(unknown)}.",
        )
    repo.replace_selection(key, learner_id, wanted, utcnow())
    return final_submissions(session, challenge_slug, version, learner_id, include_private)
