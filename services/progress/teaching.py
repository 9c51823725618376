"""Learning by teaching (issue 17): explanations of passed challenges, helpful votes,
instructor moderation, and the "learners often ..." pitfalls of failed challenge runs.

The rule that matters: a challenge's explanations are readable only by a learner who passed
it (or by staff, as the gateway's policy says). It is enforced here, where the passes are,
so no route or template can leak them by forgetting a check.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from ascent.events.v1 import progress_pb2
from ascent.progress.v1 import progress_service_pb2 as pb
from ascent.types.v1 import run_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session

from services.common import events
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.ml.scoring import better
from services.common.outbox import enqueue
from services.progress.models import Explanation, ExplanationVote, PitfallSighting
from services.progress.repository import CatalogRepository, LearnerRepository, TeachingRepository

PRODUCER = "progress"
# "A few sentences": long enough to say something, short enough to read in a list.
MIN_BODY_CHARS = 20
MAX_BODY_CHARS = 2000
# A shared solution is a short program; a larger paste is refused, not cut.
MAX_CODE_CHARS = 20_000
# A pitfall is shown once this many distinct learners hit it, so no hint describes one
# learner's runs (k-anonymity with k = 3).
MIN_PITFALL_LEARNERS = 3
MAX_PITFALLS = 4

_ERROR_TYPE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,80}$")
# What to look at for the error types learners hit most on tabular challenges.
_ERROR_ADVICE = {
    "KeyError": "check the column names against the header of `/data/train.csv`",
    "ValueError": "check the shapes and that text columns are encoded before fitting",
    "NameError": "check that every name is defined in the cell before it is used",
    "ModuleNotFoundError": "use the libraries the sandbox has (scikit-learn, pandas, numpy)",
    "ImportError": "use the libraries the sandbox has (scikit-learn, pandas, numpy)",
    "TypeError": "check the arguments of the estimator and of ascent_report",
    "IndexError": "check the number of rows and columns they index",
    "AttributeError": "check the object's type (a DataFrame, an array, an estimator)",
    "FileNotFoundError": "read `/data/train.csv` and `/data/test_features.csv`",
}
_STATUS_TEXT = {
    "timeout": "run out of time: sample the data or use a lighter model first",
    "memory": "run out of memory: avoid copying the whole dataset or huge grids",
}


def _timestamp(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    return stamp


# -- visibility --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Viewer:
    learner_id: str
    is_staff: bool
    passed: bool

    @property
    def may_read(self) -> bool:
        return self.is_staff or self.passed


def viewer(session: Session, challenge_slug: str, learner_id: str, is_staff: bool) -> Viewer:
    passed = bool(learner_id) and LearnerRepository(session).has_pass(learner_id, challenge_slug)
    return Viewer(learner_id=learner_id, is_staff=is_staff, passed=passed)


def _challenge(session: Session, slug: str) -> None:
    challenge = CatalogRepository(session).challenge(slug)
    if challenge is None or challenge.archived:
        raise AscentError("not_found", "Challenge not found.")


def _message(row: Explanation, voted: bool, is_staff: bool) -> pb.Explanation:
    return pb.Explanation(
        id=row.id,
        challenge_slug=row.challenge_slug,
        author_id=row.author_id,
        body_md=row.body_md,
        code=row.code or "",
        votes=row.votes,
        validated=row.validated,
        # Only staff learn that something was hidden (learners never receive hidden rows).
        hidden=row.hidden and is_staff,
        voted=voted,
        created_at=_timestamp(row.created_at),
        updated_at=_timestamp(row.updated_at),
    )


def list_explanations(
    session: Session, challenge_slug: str, learner_id: str, is_staff: bool
) -> pb.ListExplanationsResponse:
    _challenge(session, challenge_slug)
    repo = TeachingRepository(session)
    who = viewer(session, challenge_slug, learner_id, is_staff)
    total = repo.count_visible(challenge_slug)
    response = pb.ListExplanationsResponse(
        total=total,
        locked=not who.may_read,
        viewer_passed=who.passed,
        pitfalls=pitfalls(session, challenge_slug),
    )
    if not who.may_read:
        return response
    rows = repo.explanations(challenge_slug, include_hidden=is_staff)
    voted = repo.voted_ids(learner_id, [r.id for r in rows]) if learner_id else set()
    response.explanations.extend(_message(r, r.id in voted, is_staff) for r in rows)
    return response


# -- posting, voting, moderating ------------------------------------------------------------------
def _clean_body(body_md: str) -> str:
    body = (body_md or "").replace("\r\n", "\n").strip()
    if len(body) < MIN_BODY_CHARS:
        raise AscentError(
            "invalid_argument",
            f"Explain your approach in a few sentences (at least {MIN_BODY_CHARS} characters).",
        )
    if len(body) > MAX_BODY_CHARS:
        raise AscentError(
            "invalid_argument",
            f"An explanation is at most {MAX_BODY_CHARS} characters ({len(body)} given): "
            "keep it to a few sentences and share the code separately.",
        )
    if "\x00" in body:
        raise AscentError("invalid_argument", "The explanation contains a NUL character.")
    return body


def _clean_code(code: str) -> str:
    code = (code or "").replace("\r\n", "\n").rstrip()
    if len(code) > MAX_CODE_CHARS:
        raise AscentError(
            "invalid_argument", f"Shared code is at most {MAX_CODE_CHARS} characters."
        )
    if "\x00" in code:
        raise AscentError("invalid_argument", "The code contains a NUL character.")
    return code


def post_explanation(
    session: Session, challenge_slug: str, author_id: str, body_md: str, code: str
) -> pb.Explanation:
    _challenge(session, challenge_slug)
    if not author_id:
        raise AscentError("invalid_argument", "An explanation needs its author.")
    body, shared = _clean_body(body_md), _clean_code(code)
    if not LearnerRepository(session).has_pass(author_id, challenge_slug):
        raise AscentError("forbidden", "Pass the challenge first, then explain your approach.")
    repo = TeachingRepository(session)
    now = utcnow()
    row = repo.explanation_of(challenge_slug, author_id)
    if row is None:
        row = Explanation(
            id=str(uuid.uuid4()),
            challenge_slug=challenge_slug,
            author_id=author_id,
            body_md=body,
            code=shared,
            votes=0,
            validated=False,
            hidden=False,
            created_at=now,
            updated_at=now,
        )
        repo.add(row)
    else:
        # A rewrite is a new text: an instructor's validation was of the old one.
        row.body_md, row.code, row.updated_at, row.validated = body, shared, now, False
    enqueue(
        session,
        PRODUCER,
        events.EXPLANATION_POSTED,
        progress_pb2.ExplanationPosted(
            explanation_id=row.id,
            challenge_slug=challenge_slug,
            author_id=author_id,
            has_code=bool(shared),
            length=len(body),
        ),
    )
    return _message(row, voted=False, is_staff=False)


def _readable(session: Session, explanation_id: str, who_id: str, is_staff: bool) -> Explanation:
    """The explanation if `who_id` may read it; otherwise not found (no existence oracle)."""
    row = TeachingRepository(session).explanation(explanation_id)
    if row is None:
        raise AscentError("not_found", "Explanation not found.")
    who = viewer(session, row.challenge_slug, who_id, is_staff)
    if not who.may_read or (row.hidden and not is_staff):
        raise AscentError("not_found", "Explanation not found.")
    return row


def vote(session: Session, explanation_id: str, voter_id: str) -> pb.Explanation:
    """Toggle the voter's "helpful": a second vote takes it back."""
    if not voter_id:
        raise AscentError("invalid_argument", "A vote needs its voter.")
    row = _readable(session, explanation_id, voter_id, is_staff=False)
    if row.author_id == voter_id:
        raise AscentError("invalid_argument", "You cannot vote for your own explanation.")
    repo = TeachingRepository(session)
    existing = repo.vote(row.id, voter_id)
    if existing is None:
        repo.add_vote(
            ExplanationVote(explanation_id=row.id, voter_id=voter_id, created_at=utcnow())
        )
    else:
        repo.delete_vote(existing)
    # Counted from the vote rows, so the total can never drift from them.
    row.votes = repo.count_votes(row.id)
    helpful = existing is None
    enqueue(
        session,
        PRODUCER,
        events.EXPLANATION_VOTED,
        progress_pb2.ExplanationVoted(
            explanation_id=row.id,
            challenge_slug=row.challenge_slug,
            author_id=row.author_id,
            voter_id=voter_id,
            helpful=helpful,
            votes=row.votes,
        ),
    )
    return _message(row, voted=helpful, is_staff=False)


def moderate(
    session: Session,
    explanation_id: str,
    moderator_id: str,
    validated: bool | None,
    hidden: bool | None,
) -> pb.Explanation:
    """Staff only (the caller's policy decided). One validated explanation per challenge:
    validating one clears the mark elsewhere; a hidden one is never validated."""
    if validated is None and hidden is None:
        raise AscentError("invalid_argument", "Say whether to validate and/or hide it.")
    repo = TeachingRepository(session)
    row = repo.explanation(explanation_id)
    if row is None:
        raise AscentError("not_found", "Explanation not found.")
    if hidden is not None:
        row.hidden = hidden
    if validated is not None:
        row.validated = validated
    if row.hidden:
        row.validated = False
    if row.validated:
        for other in repo.validated_others(row.challenge_slug, row.id):
            other.validated = False
    session.flush()
    enqueue(
        session,
        PRODUCER,
        events.EXPLANATION_VALIDATED,
        progress_pb2.ExplanationValidated(
            explanation_id=row.id,
            challenge_slug=row.challenge_slug,
            author_id=row.author_id,
            moderator_id=moderator_id,
            validated=row.validated,
            hidden=row.hidden,
        ),
    )
    return _message(row, voted=False, is_staff=True)


# -- pitfalls ------------------------------------------------------------------------------------
def pitfall_kinds(run: run_pb2.Run, baseline: float | None, metric: str) -> list[str]:
    """What went wrong in one challenge run, as pitfall kinds (none for a run that went well)."""
    kinds: list[str] = []
    if run.has_error and run.error.type and _ERROR_TYPE.match(run.error.type):
        kinds.append(f"error:{run.error.type.rsplit('.', 1)[-1]}")
    elif run.status in _STATUS_TEXT:
        kinds.append(f"status:{run.status}")
    if run.practice or not run.HasField("grade"):
        return kinds
    grade = run.grade
    if grade.status == "invalid" and grade.expected and grade.predictions != grade.expected:
        kinds.append("wrong_count")
    elif grade.status == "no_predictions":
        kinds.append("no_predictions")
    elif grade.status == "graded" and grade.HasField("public_score"):
        if baseline is not None and better(metric, baseline, grade.public_score):
            kinds.append("below_baseline")
    return kinds


def record_pitfalls(session: Session, run: run_pb2.Run, at: datetime) -> None:
    """Called once per run (progress's run consumer dedups by run id)."""
    slug = run.challenge_slug or run.grade.challenge_slug
    if not slug or not run.owner_id:
        return
    challenge = CatalogRepository(session).challenge(slug)
    if challenge is None:
        return
    repo = TeachingRepository(session)
    for kind in pitfall_kinds(run, challenge.baseline, challenge.metric):
        sighting = repo.sighting(slug, kind, run.owner_id)
        if sighting is None:
            repo.add(
                PitfallSighting(
                    challenge_slug=slug, kind=kind, learner_id=run.owner_id, runs=1, last_at=at
                )
            )
        else:
            sighting.runs += 1
            sighting.last_at = at


def describe_pitfall(kind: str) -> str:
    """The hint's words, after "Learners often ..."."""
    if kind.startswith("error:"):
        error = kind.split(":", 1)[1]
        advice = _ERROR_ADVICE.get(error, "read the last line of the traceback in your code")
        return f"hit a `{error}` here: {advice}."
    if kind.startswith("status:"):
        return _STATUS_TEXT.get(kind.split(":", 1)[1], "see their run stop early") + "."
    return {
        "wrong_count": (
            "submit the wrong number of predictions: predict one value for every row of "
            "`/data/test_features.csv`, in its order."
        ),
        "no_predictions": (
            "forget to send predictions: call `ascent_report.predictions(...)` at the end."
        ),
        "below_baseline": (
            "score below the starter code: compare with the starter's score before tuning "
            "further (a leak-free validation split tells you early)."
        ),
    }.get(kind, "stumble here.")


def pitfalls(session: Session, challenge_slug: str) -> list[pb.Pitfall]:
    counts = TeachingRepository(session).pitfall_counts(challenge_slug, MIN_PITFALL_LEARNERS)
    return [
        pb.Pitfall(kind=kind, detail=describe_pitfall(kind), learners=learners)
        for kind, learners in counts[:MAX_PITFALLS]
    ]
