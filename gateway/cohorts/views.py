"""Views of the cohorts domain: cohorts (with the join code only for those who run them),
a cohort's assignments and members, a new assignment, and the cohort board."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from gateway.views import NOT_BLANK, FieldsSchema, View, checked


class CohortCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # `flows.NAME_MAX`.
    name: str = Field(max_length=100, json_schema_extra=checked(pattern=NOT_BLANK))


class CohortJoin(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # Spaces and dashes are only how a code is written (`flows.join_key`).
    code: str = Field(max_length=64, json_schema_extra=checked(pattern=r"[^\s-]"))


class AssignmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    challenge: str = Field(max_length=100)
    # A date (due at its end, UTC) or an ISO 8601 date-time.
    dueAt: str = Field(max_length=40)


class Sparse(FieldsSchema, View):
    """A view whose optional parts are left out of the JSON unless set: what a learner may
    not see is absent (not null), as the API has always answered."""

    @model_serializer(mode="wrap")
    def _only_set(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        optional = {
            name for name, field in type(self).model_fields.items() if not field.is_required()
        }
        for name in optional - self.model_fields_set:
            data.pop(name, None)
        return data


class CohortView(Sparse):
    id: str
    name: str
    createdAt: str
    isInstructor: bool
    # Only for the cohort's instructor (and admins).
    joinCode: str | None = None


class AssignmentView(Sparse):
    challenge: str
    dueAt: str
    overdue: bool
    # The instructor's view: how many members passed it (None: progress could not say).
    doneCount: int | None = None
    # A learner's view: whether they passed it (None: progress could not say).
    done: bool | None = None
    title: str


class MemberView(View):
    id: str
    name: str
    done: list[str]


class CohortDetailView(CohortView):
    assignments: list[AssignmentView]
    memberCount: int
    # Only for the cohort's instructor (and admins).
    members: list[MemberView] | None = None


class AssignedView(View):
    cohortId: str
    challenge: str
    title: str
    dueAt: str | None


class CohortBoardEntryView(View):
    # Entries arrive ranked on the whole board; the cohort rank is their order.
    rank: int
    boardRank: int
    name: str
    isYou: bool
    publicScore: float
    privateScore: float | None
    submissions: int
    submittedAt: str | None


class CohortBoardView(View):
    """The challenge board restricted to the cohort's members, ranked among them."""

    cohortId: str
    cohort: str
    challenge: str
    title: str
    metric: str
    lowerIsBetter: bool
    hidden: bool
    entries: list[CohortBoardEntryView]
