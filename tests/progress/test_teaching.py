"""Learning by teaching (issue 17) on a real database: explanations readable only after a
pass, the helpful toggle, ordering, moderation, and pitfalls with a minimum of learners."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from ascent.events.v1 import progress_pb2
from ascent.progress.v1 import progress_service_pb2
from ascent.types.v1 import run_pb2
from sqlalchemy import select

from services.common import events
from services.common.db import Database
from services.common.errors import AscentError
from services.common.outbox import outbox
from services.progress import service, teaching
from services.progress.config import default_curriculum_dir
from services.progress.curriculum import load_catalog

SLUG = "first-classifier"
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TEXT = "I scaled the features and used a logistic regression with C=1.0; cross-validated."


@pytest.fixture
def catalog_db(db: Database) -> Database:
    with db.session() as session:
        service.sync_catalog(session, load_catalog(default_curriculum_dir()))
    return db


def learner() -> str:
    return f"learner-{uuid.uuid4().hex}"


def submission(owner: str, *, score: float | None = 0.99, passed: bool = True) -> run_pb2.Run:
    run_id = f"run-{uuid.uuid4().hex}"
    run = run_pb2.Run(
        id=run_id, owner_id=owner, status="ok", challenge_slug=SLUG, code=f"print('{run_id}')"
    )
    run.grade.challenge_slug = SLUG
    run.grade.status = "graded"
    if score is not None:
        run.grade.public_score = score
    run.grade.passed = passed
    return run


def record(db: Database, run: run_pb2.Run) -> None:
    with db.session() as session:
        service.record_run(session, run, str(uuid.uuid4()), AT)


def passer(db: Database) -> str:
    who = learner()
    record(db, submission(who))
    return who


def post(db: Database, author: str, text: str = TEXT, code: str = "") -> str:
    with db.session() as session:
        return teaching.post_explanation(session, SLUG, author, text, code).id


def listing(
    db: Database, viewer: str, staff: bool = False
) -> progress_service_pb2.ListExplanationsResponse:
    with db.session() as session:
        return teaching.list_explanations(session, SLUG, viewer, staff)


def vote(db: Database, explanation_id: str, voter: str) -> progress_service_pb2.Explanation:
    with db.session() as session:
        return teaching.vote(session, explanation_id, voter)


def moderate(
    db: Database, explanation_id: str, *, validated: bool | None = None, hidden: bool | None = None
) -> None:
    with db.session() as session:
        teaching.moderate(session, explanation_id, "instructor-1", validated, hidden)


def staged(db: Database, subject: str) -> list[bytes]:
    with db.engine.connect() as conn:
        return [
            bytes(p)
            for p in conn.execute(
                select(outbox.c.payload).where(outbox.c.subject == subject)
            ).scalars()
        ]


def test_only_passers_and_staff_read_explanations(catalog_db: Database) -> None:
    author = passer(catalog_db)
    eid = post(catalog_db, author, code="print('my pipeline')")
    outsider = learner()
    locked = listing(catalog_db, outsider)
    assert locked.locked and locked.total == 1 and not locked.explanations
    assert not locked.viewer_passed
    # Not readable through a vote either, and no hint that the id exists.
    with pytest.raises(AscentError) as err:
        vote(catalog_db, eid, outsider)
    assert err.value.code == "not_found"
    # A failing submission unlocks nothing; a pass does.
    record(catalog_db, submission(outsider, score=0.4, passed=False))
    assert listing(catalog_db, outsider).locked
    record(catalog_db, submission(outsider))
    opened = listing(catalog_db, outsider)
    assert not opened.locked and opened.viewer_passed
    assert [e.body_md for e in opened.explanations] == [TEXT]
    assert opened.explanations[0].code == "print('my pipeline')"
    staff = listing(catalog_db, "instructor-1", staff=True)
    assert not staff.locked and len(staff.explanations) == 1


def test_posting_needs_a_pass_and_bounded_text(catalog_db: Database) -> None:
    with pytest.raises(AscentError) as err:
        post(catalog_db, learner())
    assert err.value.code == "forbidden"
    author = passer(catalog_db)
    for bad in ("too short", "x" * (teaching.MAX_BODY_CHARS + 1)):
        with pytest.raises(AscentError) as err:
            post(catalog_db, author, bad)
        assert err.value.code == "invalid_argument"
    with pytest.raises(AscentError):
        post(catalog_db, author, code="x" * (teaching.MAX_CODE_CHARS + 1))
    with pytest.raises(AscentError) as err:
        with catalog_db.session() as session:
            teaching.post_explanation(session, "no-such-challenge", author, TEXT, "")
    assert err.value.code == "not_found"
    # Posting again replaces the text: still one explanation per learner and challenge.
    first = post(catalog_db, author)
    again = post(catalog_db, author, TEXT + " Then I tuned C.")
    assert first == again
    assert [e.body_md for e in listing(catalog_db, author).explanations] == [
        TEXT + " Then I tuned C."
    ]
    posted = [
        progress_pb2.ExplanationPosted.FromString(p)
        for p in staged(catalog_db, events.EXPLANATION_POSTED)
    ]
    assert [p.explanation_id for p in posted if p.author_id == author] == [first, first]


def test_vote_toggles_and_reorders(catalog_db: Database) -> None:
    a, b, c = passer(catalog_db), passer(catalog_db), passer(catalog_db)
    ea, eb = post(catalog_db, a), post(catalog_db, b)
    # Oldest first while votes are equal.
    assert [e.id for e in listing(catalog_db, c).explanations] == [ea, eb]
    voted = vote(catalog_db, eb, c)
    assert voted.votes == 1 and voted.voted
    view = listing(catalog_db, c).explanations
    assert [e.id for e in view] == [eb, ea] and view[0].voted and not view[1].voted
    # The same learner again takes the vote back (one per learner).
    undone = vote(catalog_db, eb, c)
    assert undone.votes == 0 and not undone.voted
    assert [e.id for e in listing(catalog_db, c).explanations] == [ea, eb]
    vote(catalog_db, eb, c)
    vote(catalog_db, eb, a)
    vote(catalog_db, ea, c)
    assert [(e.id, e.votes) for e in listing(catalog_db, c).explanations] == [(eb, 2), (ea, 1)]
    with pytest.raises(AscentError) as err:
        vote(catalog_db, ea, a)
    assert err.value.code == "invalid_argument"
    votes = [
        progress_pb2.ExplanationVoted.FromString(p)
        for p in staged(catalog_db, events.EXPLANATION_VOTED)
    ]
    mine = [(v.helpful, v.votes) for v in votes if v.explanation_id == eb and v.voter_id == c]
    assert mine == [(True, 1), (False, 0), (True, 1)]


def test_validated_first_one_per_challenge_and_hidden_invisible(catalog_db: Database) -> None:
    a, b, c = passer(catalog_db), passer(catalog_db), passer(catalog_db)
    ea, eb, ec = post(catalog_db, a), post(catalog_db, b), post(catalog_db, c)
    vote(catalog_db, eb, a)
    moderate(catalog_db, ec, validated=True)
    assert [e.id for e in listing(catalog_db, a).explanations] == [ec, eb, ea]
    # Validating another moves the single mark.
    moderate(catalog_db, ea, validated=True)
    view = listing(catalog_db, a).explanations
    assert [(e.id, e.validated) for e in view] == [(ea, True), (eb, False), (ec, False)]
    moderate(catalog_db, eb, hidden=True)
    learner_view = listing(catalog_db, c)
    assert [e.id for e in learner_view.explanations] == [ea, ec] and learner_view.total == 2
    assert not any(e.hidden for e in learner_view.explanations)
    with pytest.raises(AscentError) as err:
        vote(catalog_db, eb, c)
    assert err.value.code == "not_found"
    staff = listing(catalog_db, "instructor-1", staff=True).explanations
    assert {e.id: e.hidden for e in staff} == {ea: False, eb: True, ec: False}
    # Hiding the validated one clears its mark; a rewrite by its author does too.
    moderate(catalog_db, ea, hidden=True)
    assert not any(e.validated for e in listing(catalog_db, "i", staff=True).explanations)
    moderate(catalog_db, ec, validated=True)
    post(catalog_db, c, TEXT + " Rewritten.")
    assert not any(e.validated for e in listing(catalog_db, c).explanations)
    with pytest.raises(AscentError):
        moderate(catalog_db, ec)
    moderated = [
        progress_pb2.ExplanationValidated.FromString(p)
        for p in staged(catalog_db, events.EXPLANATION_VALIDATED)
    ]
    assert [(m.explanation_id, m.validated, m.hidden) for m in moderated][:2] == [
        (ec, True, False),
        (ea, True, False),
    ]


def failed(owner: str, **fields: object) -> run_pb2.Run:
    run_id = f"run-{uuid.uuid4().hex}"
    run = run_pb2.Run(id=run_id, owner_id=owner, challenge_slug=SLUG, code=f"# {run_id}")
    for key, value in fields.items():
        setattr(run, key, value)
    return run


def test_pitfalls_need_enough_distinct_learners(catalog_db: Database) -> None:
    one = learner()
    # One learner failing many times is never shown.
    for _ in range(5):
        run = failed(one, has_error=True, status="error", practice=True)
        run.error.type = "KeyError"
        record(catalog_db, run)
    assert listing(catalog_db, learner()).pitfalls == []
    for _ in range(teaching.MIN_PITFALL_LEARNERS - 1):
        run = failed(learner(), has_error=True, status="error", practice=True)
        run.error.type = "KeyError"
        record(catalog_db, run)
    shown = listing(catalog_db, learner()).pitfalls
    assert [(p.kind, p.learners) for p in shown] == [("error:KeyError", 3)]
    assert "column names" in shown[0].detail


def test_pitfall_kinds_of_submissions() -> None:
    wrong = failed("l", status="ok")
    wrong.grade.status, wrong.grade.predictions, wrong.grade.expected = "invalid", 10, 30
    assert teaching.pitfall_kinds(wrong, 0.9, "accuracy") == ["wrong_count"]
    low = failed("l", status="ok")
    low.grade.status, low.grade.public_score = "graded", 0.5
    assert teaching.pitfall_kinds(low, 0.6, "accuracy") == ["below_baseline"]
    assert teaching.pitfall_kinds(low, 0.4, "accuracy") == []
    # rmse: lower is better, so 0.5 is below a 0.4 starter.
    assert teaching.pitfall_kinds(low, 0.4, "rmse") == ["below_baseline"]
    none = failed("l", status="ok")
    none.grade.status = "no_predictions"
    assert teaching.pitfall_kinds(none, None, "accuracy") == ["no_predictions"]
    slow = failed("l", status="timeout", practice=True)
    assert teaching.pitfall_kinds(slow, None, "accuracy") == ["status:timeout"]
    odd = failed("l", has_error=True, status="error")
    odd.error.type = "<script>alert(1)</script>"
    assert teaching.pitfall_kinds(odd, None, "accuracy") == []
