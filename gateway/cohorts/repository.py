"""Every query of the cohort tables."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Cohort, CohortAssignment, CohortMember, User


class CohortsRepository:
    """Over the caller's session: the unit of work stays the caller's (route or flow)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_cohort(self, cohort_id: str) -> Cohort | None:
        return self.session.get(Cohort, cohort_id)

    def find_by_code(self, code: str) -> Cohort | None:
        return self.session.execute(
            select(Cohort).where(Cohort.join_code == code)
        ).scalar_one_or_none()

    def code_taken(self, code: str) -> bool:
        return self.find_by_code(code) is not None

    def add(self, row: Cohort | CohortMember | CohortAssignment) -> None:
        self.session.add(row)
        self.session.flush()

    def is_member(self, cohort_id: str, user_id: str) -> bool:
        return self.session.get(CohortMember, (cohort_id, user_id)) is not None

    def cohorts_of_instructor(self, instructor_id: str) -> list[Cohort]:
        query = select(Cohort).where(Cohort.instructor_id == instructor_id)
        return list(self.session.scalars(query.order_by(Cohort.created_at.desc())))

    def all_cohorts(self) -> list[Cohort]:
        return list(self.session.scalars(select(Cohort).order_by(Cohort.created_at.desc())))

    def cohorts_of_member(self, user_id: str) -> list[Cohort]:
        query = (
            select(Cohort)
            .join(CohortMember, CohortMember.cohort_id == Cohort.id)
            .where(CohortMember.user_id == user_id)
            .order_by(CohortMember.joined_at.desc())
        )
        return list(self.session.scalars(query))

    def members(self, cohort_id: str) -> list[tuple[str, str]]:
        """(user id, public name) of the members, by that name: a learner who chose a display
        name is shown by it, to their instructor too (see `auth.set_display_name`)."""
        query = (
            select(User.id, User.username, User.display_name)
            .join(CohortMember, CohortMember.user_id == User.id)
            .where(CohortMember.cohort_id == cohort_id)
        )
        rows = [
            (str(uid), str(display or name)) for uid, name, display in self.session.execute(query)
        ]
        return sorted(rows, key=lambda row: row[1].casefold())

    def assignments(self, cohort_id: str) -> list[CohortAssignment]:
        query = select(CohortAssignment).where(CohortAssignment.cohort_id == cohort_id)
        return list(self.session.scalars(query.order_by(CohortAssignment.due_at)))

    def get_assignment(self, cohort_id: str, slug: str) -> CohortAssignment | None:
        return self.session.get(CohortAssignment, (cohort_id, slug))
