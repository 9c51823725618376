"""Cohorts: an instructor's class. Instructors create them and assign challenges with due
dates; learners join with a code; members see assignments, whether they are done (from
progress) and a cohort leaderboard per assigned challenge (the challenge board filtered to
members). Shared by the JSON API (`gateway.cohorts.api`) and the pages (`gateway.cohorts.pages`).

Each change is staged as an event in the same transaction (outbox): analytics learns who is
in which cohort only from `gateway.cohort.*` events.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import uuid
from datetime import UTC, datetime, time
from typing import Any

from ascent.events.v1 import gateway_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session

from gateway.accounts.views import UserInfo
from gateway.cohorts.repository import CohortsRepository
from gateway.cohorts.views import (
    AssignedView,
    AssignmentView,
    CohortBoardEntryView,
    CohortBoardView,
    CohortDetailView,
    CohortView,
)
from gateway.context import Gateway
from gateway.curriculum import flows as challenges
from gateway.models import Cohort, CohortAssignment, CohortMember
from gateway.policy import Action, may, require, runs_cohort
from gateway.views import datetime_iso, timestamp_iso
from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.outbox import enqueue

PRODUCER = "gateway"
NAME_MAX = 100
# No 0/O or 1/I: codes are read aloud and typed from a slide.
_CODE_SEPARATORS = re.compile(r"[\s-]")
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Done/not-done for the instructor asks progress once per member; beyond this it is skipped.
MAX_MEMBERS_FOR_STATUS = 200
# The board is read whole (the leaderboard caps it) and filtered to members here.
BOARD_LIMIT = 500
_NOT_FOUND = "Cohort not found."


def _new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


def parse_due(value: str) -> datetime:
    """A date (due at its end, UTC) or an ISO 8601 date-time."""
    text = value.strip()
    if not text:
        raise AscentError("invalid_argument", "Give a due date, e.g. 2026-12-31.")
    try:
        if len(text) == 10:
            return datetime.combine(datetime.fromisoformat(text).date(), time(23, 59, 59), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise AscentError(
            "invalid_argument", "The due date must look like 2026-12-31 or 2026-12-31T17:00Z."
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _cohort_fields(cohort: Cohort, user: UserInfo) -> dict[str, Any]:
    owner = runs_cohort(user, cohort.instructor_id)
    data: dict[str, Any] = {
        "id": cohort.id,
        "name": cohort.name,
        "createdAt": datetime_iso(cohort.created_at),
        "isInstructor": owner,
    }
    if owner:
        data["joinCode"] = cohort.join_code
    return data


def _cohort_view(cohort: Cohort, user: UserInfo) -> CohortView:
    return CohortView.model_validate(_cohort_fields(cohort, user))


# -- create / join / list -------------------------------------------------------------------
async def create(gw: Gateway, user: UserInfo, name: str) -> CohortView:
    require(user, Action.MANAGE_COHORTS)
    name = " ".join(name.split())
    if not name or len(name) > NAME_MAX:
        raise AscentError("invalid_argument", f"A cohort name has 1 to {NAME_MAX} characters.")

    def work(session: Session) -> CohortView:
        code = _new_code()
        while CohortsRepository(session).code_taken(code):
            code = _new_code()
        cohort = Cohort(
            id=str(uuid.uuid4()),
            name=name,
            instructor_id=user.id,
            join_code=code,
            created_at=utcnow(),
        )
        CohortsRepository(session).add(cohort)
        enqueue(
            session,
            PRODUCER,
            events.COHORT_CREATED,
            gateway_pb2.CohortCreated(cohort_id=cohort.id, name=name, instructor_id=user.id),
        )
        return _cohort_view(cohort, user)

    created = await gw.work(work)
    gw.relay.wake()
    return created


def join_key(code: str) -> str:
    """A join code as stored: spaces and dashes are only how it is written."""
    return _CODE_SEPARATORS.sub("", code).upper()


async def join(gw: Gateway, user: UserInfo, code: str) -> CohortView:
    key = join_key(code)
    if not key:
        raise AscentError("invalid_argument", "Enter the join code your instructor gave you.")

    def work(session: Session) -> tuple[CohortView, bool]:
        cohort = CohortsRepository(session).find_by_code(key) if len(key) <= 16 else None
        if cohort is None:
            raise AscentError("not_found", "No cohort has that join code; check it and retry.")
        if cohort.instructor_id == user.id:
            raise AscentError("conflict", "You run this cohort; learners join it.")
        if CohortsRepository(session).is_member(cohort.id, user.id):
            return _cohort_view(cohort, user), False
        CohortsRepository(session).add(
            CohortMember(cohort_id=cohort.id, user_id=user.id, joined_at=utcnow())
        )
        enqueue(
            session,
            PRODUCER,
            events.COHORT_JOINED,
            gateway_pb2.CohortJoined(cohort_id=cohort.id, learner_id=user.id),
        )
        return _cohort_view(cohort, user), True

    joined, fresh = await gw.work(work)
    if fresh:
        gw.relay.wake()
    return joined


async def list_for(gw: Gateway, user: UserInfo) -> list[CohortView]:
    """Admins: every cohort; instructors: theirs; learners: the ones they joined."""

    def work(session: Session) -> list[CohortView]:
        if may(user, Action.VIEW_ALL_COHORTS):
            rows = CohortsRepository(session).all_cohorts()
        elif may(user, Action.MANAGE_COHORTS):
            rows = CohortsRepository(session).cohorts_of_instructor(user.id)
        else:
            rows = CohortsRepository(session).cohorts_of_member(user.id)
        return [_cohort_view(c, user) for c in rows]

    return await gw.work(work)


def _visible(session: Session, user: UserInfo, cohort_id: str) -> Cohort:
    """The cohort if the user runs it, belongs to it or is an admin; else not found."""
    cohort = CohortsRepository(session).get_cohort(cohort_id) if len(cohort_id) <= 36 else None
    if cohort is None:
        raise AscentError("not_found", _NOT_FOUND)
    if runs_cohort(user, cohort.instructor_id):
        return cohort
    if CohortsRepository(session).is_member(cohort.id, user.id):
        return cohort
    raise AscentError("not_found", _NOT_FOUND)


def _owned(session: Session, user: UserInfo, cohort_id: str) -> Cohort:
    cohort = _visible(session, user, cohort_id)
    if not runs_cohort(user, cohort.instructor_id):
        raise AscentError("forbidden", "Only the cohort's instructor can do this.")
    return cohort


# -- detail ---------------------------------------------------------------------------------
async def _passed_by(gw: Gateway, learner_ids: list[str]) -> dict[str, set[str]]:
    """Challenges each learner has passed, from progress."""

    async def one(learner_id: str) -> tuple[str, set[str]]:
        progress = await gw.clients.get_progress(learner_id)
        return learner_id, {r.challenge_slug for r in progress.results if r.passed}

    return dict(await asyncio.gather(*(one(i) for i in learner_ids)))


async def detail(gw: Gateway, user: UserInfo, cohort_id: str) -> CohortDetailView:
    def work(session: Session) -> tuple[Cohort, list[CohortAssignment], list[tuple[str, str]]]:
        cohort = _visible(session, user, cohort_id)
        return (
            cohort,
            CohortsRepository(session).assignments(cohort.id),
            CohortsRepository(session).members(cohort.id),
        )

    cohort, assignments, members = await gw.work(work)
    staff_view = runs_cohort(user, cohort.instructor_id)
    ids = [i for i, _ in members] if staff_view else [user.id]
    status_known = len(ids) <= MAX_MEMBERS_FOR_STATUS
    passed: dict[str, set[str]] = {}
    if status_known:
        try:
            passed = await _passed_by(gw, ids)
        except AscentError:
            # Progress is down: the page still shows assignments, with status unknown.
            status_known = False
    now = utcnow()
    titles = await _titles(gw, user)
    rows: list[dict[str, Any]] = []
    for assignment in assignments:
        due = (
            assignment.due_at if assignment.due_at.tzinfo else assignment.due_at.replace(tzinfo=UTC)
        )
        row: dict[str, Any] = {
            "challenge": assignment.challenge_slug,
            "dueAt": datetime_iso(due),
            "overdue": due < now,
            "title": titles.get(assignment.challenge_slug, assignment.challenge_slug),
        }
        if staff_view:
            row["doneCount"] = (
                sum(1 for i in ids if assignment.challenge_slug in passed.get(i, set()))
                if status_known
                else None
            )
        else:
            row["done"] = (
                assignment.challenge_slug in passed.get(user.id, set()) if status_known else None
            )
        rows.append(row)
    data = _cohort_fields(cohort, user)
    data["assignments"] = [AssignmentView.model_validate(row) for row in rows]
    data["memberCount"] = len(members)
    if staff_view:
        data["members"] = [
            {
                "id": i,
                "name": name,
                "done": sorted(passed.get(i, set()) & {a.challenge_slug for a in assignments}),
            }
            for i, name in members
        ]
    return CohortDetailView.model_validate(data)


async def _titles(gw: Gateway, user: UserInfo) -> dict[str, str]:
    try:
        tracks = await gw.clients.list_tracks(user.id)
    except AscentError:
        return {}
    return {c.slug: c.title for t in tracks for c in t.challenges}


# -- assignments and boards -----------------------------------------------------------------
async def assign(gw: Gateway, user: UserInfo, cohort_id: str, slug: str, due: str) -> AssignedView:
    require(user, Action.MANAGE_COHORTS)
    due_at = parse_due(due)
    await gw.work(lambda s: _owned(s, user, cohort_id))
    # The challenge must exist (curriculum or authored): progress is the catalog's owner.
    detail_ = await challenges.challenge(gw, user, slug)
    slug = detail_.challenge.slug

    def work(session: Session) -> AssignedView:
        cohort = _owned(session, user, cohort_id)
        row = CohortsRepository(session).get_assignment(cohort.id, slug)
        if row is None:
            CohortsRepository(session).add(
                CohortAssignment(
                    cohort_id=cohort.id, challenge_slug=slug, due_at=due_at, created_at=utcnow()
                ),
            )
        else:
            row.due_at = due_at
        stamp = Timestamp()
        stamp.FromDatetime(due_at.astimezone(UTC).replace(tzinfo=None))
        enqueue(
            session,
            PRODUCER,
            events.ASSIGNMENT_CREATED,
            gateway_pb2.AssignmentCreated(
                cohort_id=cohort.id, challenge_slug=slug, due_at=stamp, instructor_id=user.id
            ),
        )
        return AssignedView(
            cohortId=cohort.id,
            challenge=slug,
            title=detail_.challenge.title,
            dueAt=timestamp_iso(stamp),
        )

    created = await gw.work(work)
    gw.relay.wake()
    return created


async def leaderboard(gw: Gateway, user: UserInfo, cohort_id: str, slug: str) -> CohortBoardView:
    """The challenge board restricted to the cohort's members, ranked among them."""

    def work(session: Session) -> tuple[Cohort, list[tuple[str, str]]]:
        cohort = _visible(session, user, cohort_id)
        if CohortsRepository(session).get_assignment(cohort.id, slug) is None:
            raise AscentError("not_found", "That challenge is not assigned to this cohort.")
        return cohort, CohortsRepository(session).members(cohort.id)

    cohort, members = await gw.work(work)
    staff_view = runs_cohort(user, cohort.instructor_id)
    detail_ = await challenges.challenge(gw, user, slug)
    response = await gw.clients.challenge_board(
        detail_.challenge.slug, include_private=staff_view, limit=BOARD_LIMIT
    )
    names = dict(members)
    entries = [e for e in response.entries if e.learner_id in names]
    if response.hidden and not staff_view:
        # A hidden board shows a learner only their own line, in a cohort too.
        entries = [e for e in entries if e.learner_id == user.id]
    return CohortBoardView(
        cohortId=cohort.id,
        cohort=cohort.name,
        challenge=detail_.challenge.slug,
        title=detail_.challenge.title,
        metric=detail_.challenge.metric,
        lowerIsBetter=detail_.challenge.lower_is_better,
        hidden=response.hidden,
        entries=[
            CohortBoardEntryView(
                rank=rank,
                boardRank=e.rank,
                name=names[e.learner_id],
                isYou=e.learner_id == user.id,
                publicScore=e.public_score,
                privateScore=e.private_score
                if staff_view and e.HasField("private_score")
                else None,
                submissions=e.submissions,
                submittedAt=timestamp_iso(e.submitted_at),
            )
            for rank, e in enumerate(entries, start=1)
        ],
    )
