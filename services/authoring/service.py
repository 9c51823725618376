"""Authoring logic: drafts and versions, datasets, the publish lifecycle, bundles for the
grader and the curriculum-format export. No transport imports; adapters own the unit of work.

Lifecycle: a challenge is `draft` until its first publish, then `published`, and `archived`
when taken out of the tracks. Versions: edits change the latest version while it is a draft;
editing once it is published (or retired) starts a new draft version, so a published version
never changes and every run or board that points at it stays meaningful.
"""

from __future__ import annotations

import io
import json
import math
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from ascent.authoring.v1 import authoring_service_pb2 as pb
from ascent.events.v1 import authoring_pb2
from google.protobuf.json_format import MessageToJson, Parse
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session

from services.authoring.models import AuthoredChallenge, ChallengeVersion
from services.authoring.profiling import Profile, make_split, profile, read_csv, sha256
from services.authoring.repository import AuthoringRepository
from services.common import events
from services.common.challenge_data import labels_csv
from services.common.curriculum import (
    DAILY_SUBMISSIONS,
    MAX_DAILY_SUBMISSIONS,
    METRICS,
    PUBLIC_FRACTION,
    SLUG,
    TASK_TYPES,
    CurriculumError,
    load_challenge,
)
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.ml.scoring import metric_task
from services.common.outbox import enqueue

PRODUCER = "authoring"
MAX_SLUG = 60
MAX_TEXT = 100_000
MAX_HINTS = 10
EXPORT_CSV = "data.csv"
# Bump when the split changes so execution's cached files are rebuilt.
SPLIT_VERSION = 1


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-")[:MAX_SLUG].strip("-")
    return slug or "challenge"


def _stamp(value: object) -> Timestamp:
    stamp = Timestamp()
    if value is not None:
        from datetime import UTC, datetime

        assert isinstance(value, datetime)
        stamp.FromDatetime(value if value.tzinfo is not None else value.replace(tzinfo=UTC))
    return stamp


# -- field checks --
def _text(value: str, name: str, limit: int = MAX_TEXT) -> str:
    if len(value) > limit:
        raise AscentError("invalid_argument", f"{name} is longer than {limit} characters.")
    return value


def apply_fields(version: ChallengeVersion, fields: pb.ChallengeFields) -> None:
    """Copy the set fields onto a draft; each bad value is a clear 400 and nothing changes."""
    if fields.HasField("title"):
        title = fields.title.strip()
        if not title:
            raise AscentError("invalid_argument", "The title must not be empty.")
        version.title = _text(title, "The title", 200)
    if fields.HasField("summary"):
        version.summary = _text(fields.summary.strip(), "The summary", 500)
    if fields.HasField("lesson_md"):
        version.lesson_md = _text(fields.lesson_md, "The lesson")
    if fields.HasField("target"):
        version.target = _text(fields.target.strip(), "The target", 200)
    if fields.HasField("task_type"):
        task = fields.task_type.strip()
        if task and task not in TASK_TYPES:
            raise AscentError(
                "invalid_argument",
                f"The task type must be one of {', '.join(sorted(TASK_TYPES))} (or empty to "
                "infer it from the target).",
            )
        version.task_type = task
        version.task_type_overridden = bool(task)
    if fields.HasField("metric"):
        metric = fields.metric.strip()
        if metric and metric not in METRICS:
            raise AscentError(
                "invalid_argument", f"The metric must be one of {', '.join(sorted(METRICS))}."
            )
        version.metric = metric
    if fields.HasField("pass_threshold"):
        if not math.isfinite(fields.pass_threshold):
            raise AscentError("invalid_argument", "The pass threshold must be a number.")
        version.pass_threshold = fields.pass_threshold
    if fields.HasField("test_fraction"):
        if not 0.1 <= fields.test_fraction <= 0.5:
            raise AscentError(
                "invalid_argument", "The hidden test fraction must be between 0.1 and 0.5."
            )
        version.test_fraction = fields.test_fraction
    if fields.HasField("daily_submissions"):
        if not 1 <= fields.daily_submissions <= MAX_DAILY_SUBMISSIONS:
            raise AscentError(
                "invalid_argument",
                f"The daily submission limit must be between 1 and {MAX_DAILY_SUBMISSIONS}.",
            )
        version.daily_submissions = fields.daily_submissions
    if fields.HasField("starter_code"):
        version.starter_code = _text(fields.starter_code, "The starter code")
    if fields.HasField("solution"):
        version.solution = _text(fields.solution, "The reference solution")
    if fields.hints_set:
        hints = [h.strip() for h in fields.hints if h.strip()]
        if len(hints) > MAX_HINTS:
            raise AscentError("invalid_argument", f"At most {MAX_HINTS} hints.")
        version.hints_json = json.dumps([_text(h, "A hint", 2000) for h in hints])
    if fields.HasField("track_slug"):
        track = fields.track_slug.strip()
        if track and not SLUG.match(track):
            raise AscentError("invalid_argument", f"{track!r} is not a track slug.")
        version.track_slug = track
    if fields.HasField("position"):
        if not 0 <= fields.position <= 10_000:
            raise AscentError("invalid_argument", "The position must be between 0 and 10000.")
        version.position = fields.position


def effective_task_type(version: ChallengeVersion) -> str:
    if version.task_type:
        return version.task_type
    if version.profile_json:
        return str(json.loads(version.profile_json).get("inferredTaskType", ""))
    return ""


# -- views --
def _profile_json(result: Profile) -> str:
    return json.dumps(
        {
            "rows": result.rows,
            "columns": result.columns,
            "inferredTaskType": result.inferred_task_type,
            "classCounts": result.class_counts,
            "problems": [
                {"severity": p.severity, "kind": p.kind, "column": p.column, "message": p.message}
                for p in result.problems
            ],
        }
    )


def _profile_pb(raw: str) -> pb.DatasetProfile:
    if not raw:
        return pb.DatasetProfile()
    data = json.loads(raw)
    message = pb.DatasetProfile(
        rows=data["rows"],
        columns=data["columns"],
        inferred_task_type=data["inferredTaskType"],
        split_method=data.get("splitMethod", ""),
        train_rows=data.get("trainRows", 0),
        test_rows=data.get("testRows", 0),
        public_rows=data.get("publicRows", 0),
    )
    message.class_counts.update(data.get("classCounts", {}))
    for problem in data["problems"]:
        message.problems.append(pb.Problem(**problem))
    return message


def view(
    repo: AuthoringRepository, challenge: AuthoredChallenge, number: int = 0
) -> pb.AuthoredChallenge:
    version = repo.version(challenge.slug, number or challenge.latest_version)
    if version is None:
        raise AscentError("not_found", f"Version {number} of {challenge.slug!r} does not exist.")
    message = pb.AuthoredChallenge(
        slug=challenge.slug,
        owner_id=challenge.owner_id,
        status=challenge.status,
        current_version=challenge.current_version,
        version=version.version,
        version_status=version.status,
        title=version.title,
        summary=version.summary,
        lesson_md=version.lesson_md,
        target=version.target,
        task_type=effective_task_type(version),
        task_type_overridden=version.task_type_overridden,
        metric=version.metric,
        pass_threshold=version.pass_threshold or 0.0,
        test_fraction=version.test_fraction,
        daily_submissions=version.daily_submissions or DAILY_SUBMISSIONS,
        starter_code=version.starter_code,
        hints=json.loads(version.hints_json or "[]"),
        solution=version.solution,
        track_slug=version.track_slug,
        position=version.position,
        dataset_sha256=version.dataset_sha256,
        dataset_filename=version.dataset_filename,
        profile=_profile_pb(version.profile_json),
        updated_at=_stamp(version.updated_at),
    )
    message.editor_ids.extend(repo.editors(challenge.slug))
    if version.validation_json and version.validated_revision == version.revision:
        message.validation.CopyFrom(Parse(version.validation_json, pb.ValidationReport()))
        message.has_validation = True
    for row in repo.versions(challenge.slug):
        info = pb.VersionInfo(version=row.version, status=row.status)
        if row.published_at is not None:
            info.published_at.CopyFrom(_stamp(row.published_at))
        message.versions.append(info)
    return message


# -- who may act --
NOT_YOURS = "Only its author, or an instructor they shared it with, can open or change it."


def may_edit(repo: AuthoringRepository, challenge: AuthoredChallenge, actor: pb.Actor) -> bool:
    """The owner, an editor the owner shared it with, or an actor with edit_any (admins)."""
    if not actor.user_id:
        return False
    if actor.edit_any or actor.user_id == challenge.owner_id:
        return True
    return actor.user_id in repo.editors(challenge.slug)


def require_editor(session: Session, slug: str, actor: pb.Actor) -> None:
    """A 403 unless `actor` may open and change challenge `slug` (404 if there is none)."""
    repo = AuthoringRepository(session)
    if not may_edit(repo, _challenge(repo, slug), actor):
        raise AscentError("forbidden", NOT_YOURS)


def list_for(session: Session, actor: pb.Actor) -> list[pb.AuthoredChallenge]:
    """The challenges `actor` may open (their own, shared with them; every one for edit_any)."""
    repo = AuthoringRepository(session)
    return [view(repo, c) for c in repo.challenges() if may_edit(repo, c, actor)]


def share(
    session: Session, slug: str, actor: pb.Actor, editor_id: str, shared: bool
) -> pb.AuthoredChallenge:
    """The owner (or edit_any) adds or removes an editor; editors cannot share further."""
    repo = AuthoringRepository(session)
    challenge = _challenge(repo, slug)
    if not actor.user_id or not (actor.edit_any or actor.user_id == challenge.owner_id):
        raise AscentError("forbidden", "Only the challenge's author can share it.")
    if not editor_id or editor_id == challenge.owner_id:
        raise AscentError("invalid_argument", "Share it with another instructor.")
    if shared:
        repo.add_editor(slug, editor_id)
    else:
        repo.remove_editor(slug, editor_id)
    return view(repo, challenge)


def _challenge(repo: AuthoringRepository, slug: str) -> AuthoredChallenge:
    challenge = repo.challenge(slug) if slug else None
    if challenge is None:
        raise AscentError("not_found", "Authored challenge not found.")
    return challenge


# -- editing --
def create(session: Session, owner_id: str, fields: pb.ChallengeFields) -> pb.AuthoredChallenge:
    if not owner_id:
        raise AscentError("invalid_argument", "owner_id is required.")
    if not fields.HasField("title") or not fields.title.strip():
        raise AscentError("invalid_argument", "A new challenge needs a title.")
    repo = AuthoringRepository(session)
    base = slugify(fields.title)
    taken = repo.slugs_like(base)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    now = utcnow()
    challenge = AuthoredChallenge(
        slug=slug,
        owner_id=owner_id,
        status="draft",
        current_version=0,
        latest_version=1,
        created_at=now,
        updated_at=now,
    )
    version = ChallengeVersion(
        slug=slug,
        version=1,
        status="draft",
        revision=1,
        title="",
        test_fraction=0.3,
        position=100,
        hints_json="[]",
        split_seed=secrets.randbelow(2**31 - 1),
        validated_revision=0,
        updated_at=now,
    )
    apply_fields(version, fields)
    repo.add(challenge)
    repo.add(version)
    return view(repo, challenge)


def _editable(repo: AuthoringRepository, challenge: AuthoredChallenge) -> ChallengeVersion:
    """The latest version if it is a draft; otherwise a new draft version copied from it."""
    latest = repo.version(challenge.slug, challenge.latest_version)
    assert latest is not None
    if latest.status == "draft":
        latest.revision += 1
        return latest
    copy = ChallengeVersion(
        **{column.key: getattr(latest, column.key) for column in ChallengeVersion.__table__.columns}
    )
    copy.version = latest.version + 1
    copy.status = "draft"
    copy.revision = 1
    copy.validation_json = ""
    copy.validated_revision = 0
    copy.published_at = None
    challenge.latest_version = copy.version
    repo.add(copy)
    return copy


def update(
    session: Session, slug: str, fields: pb.ChallengeFields, actor: pb.Actor | None = None
) -> pb.AuthoredChallenge:
    """`actor` None: an internal caller; the gRPC adapter always passes the request's."""
    repo = AuthoringRepository(session)
    challenge = _challenge(repo, slug)
    if actor is not None and not may_edit(repo, challenge, actor):
        raise AscentError("forbidden", NOT_YOURS)
    version = _editable(repo, challenge)
    apply_fields(version, fields)
    if fields.HasField("target") and version.dataset_csv:
        version.profile_json = _profile_json(
            profile(read_csv(version.dataset_csv), version.target, version.task_type)
        )
    elif fields.HasField("task_type") and version.dataset_csv:
        version.profile_json = _profile_json(
            profile(read_csv(version.dataset_csv), version.target, version.task_type)
        )
    version.updated_at = challenge.updated_at = utcnow()
    session.flush()
    return view(repo, challenge)


def upload_dataset(
    session: Session,
    slug: str,
    content: bytes,
    filename: str,
    target: str,
    max_rows: int,
    actor: pb.Actor | None = None,
) -> pb.AuthoredChallenge:
    repo = AuthoringRepository(session)
    challenge = _challenge(repo, slug)
    if actor is not None and not may_edit(repo, challenge, actor):
        raise AscentError("forbidden", NOT_YOURS)
    frame = read_csv(content)
    if len(frame) > max_rows:
        raise AscentError(
            "invalid_argument", f"The dataset has {len(frame):,} rows; the limit is {max_rows:,}."
        )
    columns = [str(c) for c in frame.columns]
    chosen = target.strip() or columns[-1]
    if chosen not in columns:
        raise AscentError(
            "invalid_argument", f"The target column {chosen!r} is not a column of this CSV."
        )
    version = _editable(repo, challenge)
    version.dataset_csv = content
    version.dataset_sha256 = sha256(content)
    version.dataset_filename = (filename or "dataset.csv")[:200]
    version.target = chosen
    version.profile_json = _profile_json(profile(frame, chosen, version.task_type))
    version.updated_at = challenge.updated_at = utcnow()
    session.flush()
    return view(repo, challenge)


def get(
    session: Session, slug: str, number: int = 0, actor: pb.Actor | None = None
) -> pb.AuthoredChallenge:
    repo = AuthoringRepository(session)
    challenge = _challenge(repo, slug)
    if actor is not None and not may_edit(repo, challenge, actor):
        raise AscentError("forbidden", NOT_YOURS)
    return view(repo, challenge, number)


def list_all(session: Session) -> list[pb.AuthoredChallenge]:
    repo = AuthoringRepository(session)
    return [view(repo, c) for c in repo.challenges()]


# -- validation snapshot --
@dataclass
class Draft:
    """What validation needs of the latest version, read in one unit of work, so the slow
    runs happen without a transaction open."""

    slug: str
    version: int
    revision: int
    status: str
    title: str
    lesson_md: str
    target: str
    task_type: str
    metric: str
    pass_threshold: float | None
    test_fraction: float
    starter_code: str
    hints: list[str]
    solution: str
    track_slug: str
    dataset_csv: bytes | None
    split_seed: int
    messages: list[str] = field(default_factory=list)


def draft_snapshot(session: Session, slug: str) -> Draft:
    repo = AuthoringRepository(session)
    challenge = _challenge(repo, slug)
    version = repo.version(slug, challenge.latest_version)
    assert version is not None
    return Draft(
        slug=slug,
        version=version.version,
        revision=version.revision,
        status=version.status,
        title=version.title,
        lesson_md=version.lesson_md,
        target=version.target,
        task_type=version.task_type,
        metric=version.metric,
        pass_threshold=version.pass_threshold,
        test_fraction=version.test_fraction,
        starter_code=version.starter_code,
        hints=json.loads(version.hints_json or "[]"),
        solution=version.solution,
        track_slug=version.track_slug,
        dataset_csv=version.dataset_csv,
        split_seed=version.split_seed,
    )


def static_checks(draft: Draft, tracks: set[str] | None) -> tuple[list[str], pb.DatasetProfile]:
    """Everything that can be checked without running code: required fields, code syntax,
    metric vs task type, the track, and the dataset profile with its split. Returns the
    blocking messages and the profile."""
    messages: list[str] = []
    required = {
        "title": draft.title,
        "lesson": draft.lesson_md.strip(),
        "target column": draft.target,
        "metric": draft.metric,
        "starter code": draft.starter_code.strip(),
        "reference solution": draft.solution.strip(),
        "track": draft.track_slug,
    }
    messages += [f"The {name} is missing." for name, value in required.items() if not value]
    if draft.pass_threshold is None:
        messages.append("The pass threshold is missing.")
    if not draft.hints:
        messages.append("Add at least one hint.")
    for name, code in (
        ("starter code", draft.starter_code),
        ("reference solution", draft.solution),
    ):
        if code.strip():
            try:
                compile(code, name, "exec")
            except SyntaxError as exc:
                messages.append(f"The {name} is not valid Python (line {exc.lineno}: {exc.msg}).")
    if tracks is not None and draft.track_slug and draft.track_slug not in tracks:
        messages.append(
            f"The track {draft.track_slug!r} does not exist; choose one of "
            f"{', '.join(sorted(tracks))}."
        )
    result = pb.DatasetProfile()
    if not draft.dataset_csv:
        messages.append("Upload a dataset (CSV).")
        return messages, result
    frame = read_csv(draft.dataset_csv)
    checked = profile(frame, draft.target, draft.task_type)
    result = _profile_pb(_profile_json(checked))
    messages += [p.message for p in checked.errors]
    task = draft.task_type or checked.inferred_task_type
    if draft.metric and task and metric_task(draft.metric) != task:
        messages.append(f"The metric {draft.metric!r} does not fit a {task} task.")
    if not checked.errors:
        parts, method = make_split(frame, draft.target, task, draft.test_fraction, draft.split_seed)
        result.split_method = method
        result.train_rows = len(parts.train)
        result.test_rows = len(parts.test_labels)
        result.public_rows = len(parts.public_rows)
    return messages, result


def store_validation(session: Session, draft: Draft, report: pb.ValidationReport) -> None:
    """Keep the report with the revision it checked; a later edit makes it stale."""
    version = AuthoringRepository(session).version(draft.slug, draft.version)
    if version is None or version.revision != draft.revision:
        return
    version.validation_json = MessageToJson(report)
    version.validated_revision = draft.revision


def _published_event(
    challenge: AuthoredChallenge, version: ChallengeVersion
) -> authoring_pb2.ChallengePublished:
    return authoring_pb2.ChallengePublished(
        challenge=authoring_pb2.PublishedChallenge(
            slug=challenge.slug,
            version=version.version,
            title=version.title,
            summary=version.summary or version.title,
            lesson_md=version.lesson_md,
            metric=version.metric,
            pass_threshold=version.pass_threshold or 0.0,
            task_type=effective_task_type(version),
            target=version.target,
            track_slug=version.track_slug,
            position=version.position,
            hints=json.loads(version.hints_json or "[]"),
            starter_code=version.starter_code,
            owner_id=challenge.owner_id,
            daily_submissions=version.daily_submissions or DAILY_SUBMISSIONS,
        )
    )


def publish(session: Session, draft: Draft, report: pb.ValidationReport) -> pb.AuthoredChallenge:
    """Make the validated draft the current version. Only a passing report on the exact
    revision that is still the latest draft publishes; anything else leaves all as it was."""
    repo = AuthoringRepository(session)
    challenge = repo.challenge(draft.slug, lock=True)
    if challenge is None:
        raise AscentError("not_found", "Authored challenge not found.")
    version = repo.version(draft.slug, draft.version)
    if (
        version is None
        or version.status != "draft"
        or version.revision != draft.revision
        or challenge.latest_version != draft.version
    ):
        raise AscentError(
            "conflict", "The challenge was edited while it was validated; validate again."
        )
    if not report.ok:
        raise AscentError("unprocessable", "Validation failed: " + " ".join(report.messages))
    now = utcnow()
    if challenge.current_version:
        previous = repo.version(draft.slug, challenge.current_version)
        if previous is not None:
            previous.status = "retired"
    version.status = "published"
    version.published_at = now
    challenge.current_version = version.version
    challenge.status = "published"
    challenge.updated_at = now
    session.flush()
    enqueue(session, PRODUCER, events.AUTHORED_PUBLISHED, _published_event(challenge, version))
    return view(repo, challenge)


def republish(session: Session, slug: str) -> pb.AuthoredChallenge | None:
    """An archived challenge without a newer draft goes back into its track as it was."""
    repo = AuthoringRepository(session)
    challenge = _challenge(repo, slug)
    latest = repo.version(slug, challenge.latest_version)
    assert latest is not None
    if latest.status == "draft":
        return None
    if challenge.status != "archived":
        raise AscentError(
            "conflict", "Nothing to publish: edit the challenge to start a new draft version."
        )
    current = repo.version(slug, challenge.current_version)
    assert current is not None
    challenge.status = "published"
    challenge.updated_at = utcnow()
    enqueue(session, PRODUCER, events.AUTHORED_PUBLISHED, _published_event(challenge, current))
    return view(repo, challenge)


def archive(session: Session, slug: str, actor: pb.Actor | None = None) -> pb.AuthoredChallenge:
    repo = AuthoringRepository(session)
    challenge = _challenge(repo, slug)
    if actor is not None and not may_edit(repo, challenge, actor):
        raise AscentError("forbidden", NOT_YOURS)
    if challenge.status == "archived":
        raise AscentError("conflict", "The challenge is already archived.")
    was_published = challenge.status == "published"
    challenge.status = "archived"
    challenge.updated_at = utcnow()
    if was_published:
        enqueue(
            session,
            PRODUCER,
            events.AUTHORED_ARCHIVED,
            authoring_pb2.ChallengeArchived(slug=slug, version=challenge.current_version),
        )
    return view(repo, challenge)


# -- the grader's bundle --
def _fingerprint(version: ChallengeVersion, task: str) -> str:
    key = json.dumps(
        [
            SPLIT_VERSION,
            version.dataset_sha256,
            version.target,
            task,
            version.test_fraction,
            version.split_seed,
        ]
    )
    return sha256(key.encode())[:16]


def bundle(
    session: Session, slug: str, number: int, allow_draft: bool, include_data: bool
) -> pb.Bundle:
    """The split of one version, hidden labels included: for the execution service's grader
    only. Version 0 is the current published one; drafts only for validation runs."""
    repo = AuthoringRepository(session)
    challenge = repo.challenge(slug)
    if challenge is None:
        raise AscentError("not_found", f"Unknown challenge {slug!r}.")
    if number == 0:
        if challenge.status != "published":
            raise AscentError("not_found", f"Challenge {slug!r} is not published.")
        number = challenge.current_version
    version = repo.version(slug, number)
    if version is None:
        raise AscentError("not_found", f"Challenge {slug!r} has no version {number}.")
    if version.status == "draft" and not allow_draft:
        raise AscentError("not_found", f"Version {number} of {slug!r} is not published.")
    if not version.dataset_csv or not version.target or not version.metric:
        raise AscentError("unprocessable", f"Version {number} of {slug!r} has no dataset yet.")
    task = effective_task_type(version)
    message = pb.Bundle(
        slug=slug,
        version=version.version,
        fingerprint=_fingerprint(version, task),
        title=version.title,
        metric=version.metric,
        pass_threshold=version.pass_threshold or 0.0,
        task_type=task,
        target=version.target,
    )
    if include_data:
        frame = read_csv(version.dataset_csv)
        if version.target not in frame.columns:
            raise AscentError("unprocessable", f"{version.target!r} is not a dataset column.")
        parts, _ = make_split(
            frame, version.target, task, version.test_fraction, version.split_seed
        )
        message.train_csv = parts.train.to_csv(index=False).encode("utf-8")
        message.test_features_csv = parts.test_features.to_csv(index=False).encode("utf-8")
        message.labels_csv = labels_csv(parts.test_labels)
        message.public_rows.extend(parts.public_rows)
    return message


# -- export / import in the curriculum format --
def export_zip(
    session: Session, slug: str, number: int, actor: pb.Actor | None = None
) -> pb.ExportResponse:
    """A zip of one folder `<slug>/` holding `challenge.yaml` (the curriculum format, dataset
    `csv:data.csv`) and the CSV: it drops into `curriculum/tracks/<track>/challenges/`."""
    repo = AuthoringRepository(session)
    challenge = _challenge(repo, slug)
    if actor is not None and not may_edit(repo, challenge, actor):
        raise AscentError("forbidden", NOT_YOURS)
    version = repo.version(slug, number or challenge.latest_version)
    if version is None:
        raise AscentError("not_found", f"Challenge {slug!r} has no version {number}.")
    if not version.dataset_csv:
        raise AscentError("unprocessable", "Upload a dataset before exporting.")
    document = {
        "title": version.title,
        "summary": version.summary or version.title,
        "position": version.position,
        "track": version.track_slug,
        "outcomes": [],
        "task_type": effective_task_type(version) or "classification",
        "metric": version.metric,
        "pass_threshold": version.pass_threshold,
        "target": version.target,
        "daily_submissions": version.daily_submissions or DAILY_SUBMISSIONS,
        "dataset": {
            "source": f"csv:{EXPORT_CSV}",
            "test_size": version.test_fraction,
            "seed": version.split_seed,
            "public_fraction": PUBLIC_FRACTION,
        },
        "lesson": version.lesson_md,
        "hints": json.loads(version.hints_json or "[]"),
        "starter_code": version.starter_code,
        "solution": version.solution,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_file:
        archive_file.writestr(
            f"{slug}/challenge.yaml",
            yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100),
        )
        archive_file.writestr(f"{slug}/{EXPORT_CSV}", version.dataset_csv)
    return pb.ExportResponse(filename=f"{slug}-v{version.version}.zip", zip=buffer.getvalue())


MAX_ZIP_ENTRIES = 20


def import_zip(
    session: Session, owner_id: str, content: bytes, max_bytes: int
) -> pb.AuthoredChallenge:
    """A zipped challenge folder (as exported, or written by hand) becomes a new draft."""
    try:
        archive_file = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise AscentError("invalid_argument", "The upload is not a zip file.") from None
    with archive_file, tempfile.TemporaryDirectory() as tmp:
        entries = [i for i in archive_file.infolist() if not i.is_dir()]
        if len(entries) > MAX_ZIP_ENTRIES or sum(i.file_size for i in entries) > max_bytes:
            raise AscentError("invalid_argument", "The zip holds too many or too large files.")
        manifests = [i for i in entries if Path(i.filename).name == "challenge.yaml"]
        if len(manifests) != 1:
            raise AscentError(
                "invalid_argument", "The zip must hold exactly one folder with a challenge.yaml."
            )
        folder_name = str(Path(manifests[0].filename).parent)
        root = Path(tmp) / "import"
        for info in entries:
            relative = Path(info.filename)
            if relative.is_absolute() or ".." in relative.parts:
                raise AscentError("invalid_argument", "The zip holds an unsafe path.")
            if str(relative.parent) != folder_name:
                continue
            target = root / relative.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive_file.read(info))
        # The loader wants a slug-named folder; the name comes from the zip.
        name = Path(folder_name).name if folder_name not in ("", ".") else "challenge"
        folder = Path(tmp) / (name if SLUG.match(name) else "imported-challenge")
        root.rename(folder)
        try:
            spec = load_challenge(folder)
        except CurriculumError as err:
            raise AscentError("invalid_argument", f"Not a valid challenge folder: {err}") from None
        assert spec.dataset is not None
        if not spec.dataset.source.startswith("csv:"):
            raise AscentError(
                "invalid_argument",
                "Only challenges with their data as a CSV in the folder (csv:<file>) can be "
                "imported.",
            )
        raw = yaml.safe_load((folder / "challenge.yaml").read_text(encoding="utf-8"))
        data = Path(spec.dataset.path).read_bytes()
    fields = pb.ChallengeFields(
        title=spec.title,
        summary=spec.summary,
        lesson_md=spec.lesson,
        task_type=spec.task_type,
        metric=spec.metric,
        pass_threshold=spec.pass_threshold,
        test_fraction=min(0.5, max(0.1, spec.dataset.test_size)),
        daily_submissions=spec.daily_submissions,
        starter_code=spec.starter_code,
        hints=list(spec.hints),
        hints_set=True,
        solution=spec.solution,
        track_slug=str(raw.get("track") or ""),
        position=spec.position,
    )
    created = create(session, owner_id, fields)
    return upload_dataset(session, created.slug, data, "data.csv", spec.target, 10**9)
