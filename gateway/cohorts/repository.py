"""Every query of the cohort tables (kept beside `repository.py`, same rules: callers own
the unit of work)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Cohort, CohortAssignment, CohortMember, User


def get_cohort(session: Session, cohort_id: str) -> Cohort | None:
    return session.get(Cohort, cohort_id)


def find_by_code(session: Session, code: str) -> Cohort | None:
    return session.execute(select(Cohort).where(Cohort.join_code == code)).scalar_one_or_none()


def code_taken(session: Session, code: str) -> bool:
    return find_by_code(session, code) is not None


def add(session: Session, row: Cohort | CohortMember | CohortAssignment) -> None:
    session.add(row)
    session.flush()


def is_member(session: Session, cohort_id: str, user_id: str) -> bool:
    return session.get(CohortMember, (cohort_id, user_id)) is not None


def cohorts_of_instructor(session: Session, instructor_id: str) -> list[Cohort]:
    query = select(Cohort).where(Cohort.instructor_id == instructor_id)
    return list(session.scalars(query.order_by(Cohort.created_at.desc())))


def all_cohorts(session: Session) -> list[Cohort]:
    return list(session.scalars(select(Cohort).order_by(Cohort.created_at.desc())))


def cohorts_of_member(session: Session, user_id: str) -> list[Cohort]:
    query = (
        select(Cohort)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.user_id == user_id)
        .order_by(CohortMember.joined_at.desc())
    )
    return list(session.scalars(query))


def members(session: Session, cohort_id: str) -> list[tuple[str, str]]:
    """(user id, public name) of the members, by that name: a learner who chose a display
    name is shown by it, to their instructor too (see `auth.set_display_name`)."""
    query = (
        select(User.id, User.username, User.display_name)
        .join(CohortMember, CohortMember.user_id == User.id)
        .where(CohortMember.cohort_id == cohort_id)
    )
    rows = [(str(uid), str(display or name)) for uid, name, display in session.execute(query)]
    return sorted(rows, key=lambda row: row[1].casefold())


def assignments(session: Session, cohort_id: str) -> list[CohortAssignment]:
    query = select(CohortAssignment).where(CohortAssignment.cohort_id == cohort_id)
    return list(session.scalars(query.order_by(CohortAssignment.due_at)))


def get_assignment(session: Session, cohort_id: str, slug: str) -> CohortAssignment | None:
    return session.get(CohortAssignment, (cohort_id, slug))
