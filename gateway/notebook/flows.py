"""Multi-step orchestration shared by the JSON API and the HTML pages.

Sessions and datasets live in the gateway's tables; runs go through execution (and are then
read back from the leaderboard); "Improve with AI" asks the coach and runs its experiment
at once. Routes only translate HTTP to these calls and back.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import uuid
from dataclasses import dataclass, field

import pandas as pd
from ascent.coach.v1 import coach_service_pb2 as coach_pb
from ascent.events.v1 import gateway_pb2
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.types.v1 import run_pb2
from google.protobuf.message import DecodeError
from sqlalchemy.orm import Session

from gateway import datasets, quotas
from gateway.accounts.views import UserInfo
from gateway.clients import OnOutput, ResultTooLarge
from gateway.context import Gateway
from gateway.datasets import parse_dataset
from gateway.models import NotebookSession, SessionDataset
from gateway.notebook.repository import NotebookRepository
from gateway.notebook.views import (
    AutoImproveView,
    ExperimentView,
    ImprovementView,
    RoundView,
    RunView,
    StepView,
    UploadView,
    dataset_label,
    dataset_names,
)
from services.common import events
from services.common.autoimprove import Round, auto_improve, comparable_score
from services.common.datasets import COLUMNAR_MIN_ROWS
from services.common.db import utcnow
from services.common.errors import AscentError
from services.common.ml.scoring import ranking_score
from services.common.outbox import enqueue
from services.common.templates import STARTER_TEMPLATE as STARTER_CODE

log = logging.getLogger(__name__)

PRODUCER = "gateway"


# -- sessions ---------------------------------------------------------------------------------
def _owned(session: Session, user: UserInfo, notebook_id: str) -> NotebookSession:
    notebook = NotebookRepository(session).get_notebook(notebook_id)
    # Someone else's notebook answers exactly like a missing one: existence is not revealed.
    if notebook is None or notebook.owner_id != user.id:
        raise AscentError("not_found", "Session not found.")
    return notebook


def as_typed(code: str) -> str:
    """The code with the learner's own line endings: a browser's form submission (the
    autosave's multipart body, a textarea) turns every newline into CRLF."""
    return code.replace("\r\n", "\n").replace("\r", "\n")


def check_code(code: str, gw: Gateway) -> None:
    limit = gw.settings.max_code_chars
    if len(code) > limit:
        raise AscentError("invalid_argument", f"The code is too long (limit {limit:,} characters).")


def _new_notebook(session: Session, user: UserInfo, name: str | None) -> NotebookSession:
    now = utcnow()
    notebook = NotebookRepository(session).add_notebook(
        NotebookSession(
            id=str(uuid.uuid4()),
            owner_id=user.id,
            name=(name or "").strip() or f"Notebook {now:%Y-%m-%d %H:%M}",
            code=STARTER_CODE,
            run_count=0,
            created_at=now,
            updated_at=now,
        ),
    )
    enqueue(
        session,
        PRODUCER,
        events.SESSION_CREATED,
        gateway_pb2.SessionCreated(session_id=notebook.id, owner_id=user.id),
    )
    return notebook


async def create_session(gw: Gateway, user: UserInfo, name: str | None = None) -> NotebookSession:
    notebook = await gw.work(lambda s: _new_notebook(s, user, name))
    gw.relay.wake()
    return notebook


async def latest_or_new_session(gw: Gateway, user: UserInfo) -> NotebookSession:
    created: list[bool] = []

    def pick(session: Session) -> NotebookSession:
        latest = NotebookRepository(session).latest_notebook(user.id)
        if latest is not None:
            return latest
        created.append(True)
        return _new_notebook(session, user, None)

    notebook = await gw.work(pick)
    if created:
        gw.relay.wake()
    return notebook


async def get_session(gw: Gateway, user: UserInfo, notebook_id: str) -> NotebookSession:
    return await gw.work(lambda s: _owned(s, user, notebook_id))


async def list_sessions(gw: Gateway, user: UserInfo) -> list[NotebookSession]:
    return await gw.work(lambda s: NotebookRepository(s).list_notebooks(user.id))


@dataclass
class SessionRuns:
    notebook: NotebookSession
    runs: list[run_pb2.Run]
    # Set when the leaderboard could not be asked: the notebook itself is still usable.
    runs_error: str | None = None
    # Run id -> its rank among the session's runs on the same dataset (the leaderboard's).
    ranks: dict[str, int] = field(default_factory=dict)
    # Dataset hash -> the name the board shows ("" = no CSV).
    dataset_names: dict[str, str] = field(default_factory=dict)

    def views(self) -> list[RunView]:
        return [
            RunView.of(
                run,
                rank=self.ranks.get(run.id),
                dataset_name=self.dataset_names.get(run.dataset_sha256)
                or dataset_label(run.dataset_sha256),
            )
            for run in self.runs
        ]


# The filter values of a session's runs that are not a dataset hash.
CURRENT_DATASET, ALL_DATASETS, NO_DATASET = "current", "all", "none"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def dataset_filter(notebook: NotebookSession, choice: str | None) -> str | None:
    """The dataset hash a runs filter means ("" = runs without a dataset; None = all):
    `current` (the session's dataset now), `none`, `all`, or a dataset's sha256."""
    if choice is None or choice == ALL_DATASETS:
        return None
    if choice == CURRENT_DATASET:
        return notebook.dataset_sha256 or ""
    if choice == NO_DATASET:
        return ""
    if not _SHA256.fullmatch(choice):
        raise AscentError(
            "invalid_argument",
            "dataset is 'current', 'all', 'none' or a dataset's sha256 (64 hex digits).",
        )
    return choice


async def session_runs(
    gw: Gateway, user: UserInfo, notebook_id: str, dataset: str | None = None
) -> SessionRuns:
    """The session with its runs (only `dataset`'s when given, see `dataset_filter`), their
    ranks per dataset and the names of the datasets it has had."""
    notebook = await get_session(gw, user, notebook_id)
    known = await gw.work(lambda s: NotebookRepository(s).datasets_of(notebook.id))
    names = dataset_names(known)
    try:
        runs, ranks = await gw.clients.ranked_runs(notebook.id, dataset_filter(notebook, dataset))
    except AscentError as err:
        if err.code == "invalid_argument":
            raise
        return SessionRuns(notebook=notebook, runs=[], runs_error=err.message, dataset_names=names)
    return SessionRuns(notebook=notebook, runs=runs, ranks=ranks, dataset_names=names)


class CodeConflict(AscentError):
    """A save started from an older version of the code: another tab or client saved since.
    Carries what is stored now, so the learner can choose (keep theirs, keep both)."""

    def __init__(self, current: NotebookSession) -> None:
        super().__init__(
            "conflict",
            f"The code was changed elsewhere (now version {current.code_version}) since the "
            "version this save started from; nothing was overwritten.",
        )
        # Copied now: the unit of work rolls back and the row is gone from the session.
        self.code = current.code
        self.version = current.code_version
        self.updated_at = current.updated_at


def _store_code(notebook: NotebookSession, code: str, expected_version: int | None) -> bool:
    """Puts `code` on the notebook when it started from the stored version (or names none:
    last writer wins, as API clients had it). The same text again is no conflict. Returns
    whether the code changed (its version then goes up by one)."""
    if notebook.code == code:
        return False
    if expected_version is not None and expected_version != notebook.code_version:
        raise CodeConflict(notebook)
    notebook.code = code
    notebook.code_version = (notebook.code_version or 1) + 1
    notebook.updated_at = utcnow()
    return True


async def save_code(
    gw: Gateway,
    user: UserInfo,
    notebook_id: str,
    code: str,
    name: str = "",
    expected_version: int | None = None,
) -> NotebookSession:
    """Stores the code as typed; `name`, when given, renames the notebook too. With
    `expected_version`, refuses (CodeConflict) a save started from an older version."""
    code = as_typed(code)
    check_code(code, gw)

    def save(session: Session) -> NotebookSession:
        notebook = _owned(session, user, notebook_id)
        _store_code(notebook, code, expected_version)
        if name.strip():
            notebook.name = name.strip()[:200]
        notebook.updated_at = utcnow()
        return notebook

    return await gw.work(save)


async def copy_session(gw: Gateway, user: UserInfo, notebook_id: str, code: str) -> NotebookSession:
    """ "Keep both" after a conflict: `code` goes to a new notebook on the same dataset, named
    after this one; this one keeps what the other tab saved."""
    code = as_typed(code)
    check_code(code, gw)

    def copy(session: Session) -> NotebookSession:
        source = _owned(session, user, notebook_id)
        notebook = _new_notebook(session, user, f"{source.name[:190]} (copy)")
        notebook.code = code
        for column in (
            "dataset_sha256",
            "dataset_filename",
            "dataset_rows",
            "dataset_columns",
            "dataset_target",
        ):
            setattr(notebook, column, getattr(source, column))
        if source.dataset_sha256:
            NotebookRepository(session).remember_dataset(
                SessionDataset(
                    session_id=notebook.id,
                    dataset_sha256=source.dataset_sha256,
                    filename=source.dataset_filename or "dataset.csv",
                    target=source.dataset_target,
                    rows=source.dataset_rows,
                    attached_at=utcnow(),
                )
            )
        return notebook

    notebook = await gw.work(copy)
    gw.relay.wake()
    return notebook


# -- datasets ---------------------------------------------------------------------------------
async def upload_dataset(
    gw: Gateway,
    user: UserInfo,
    notebook_id: str,
    filename: str,
    content: bytes,
    *,
    delimiter: str = "auto",
    encoding: str = "auto",
    target: str | None = None,
    decimal: str = "auto",
) -> UploadView:
    await get_session(gw, user, notebook_id)
    await gw.work(lambda s: quotas.upload(s, gw.settings, user.id, len(content)))
    parsed = await asyncio.to_thread(
        parse_dataset,
        content,
        gw.settings.max_dataset_rows,
        delimiter=delimiter,
        encoding=encoding,
        target=target,
        decimal=decimal,
    )
    digest = await asyncio.to_thread(gw.datasets.put, parsed.content)
    if parsed.frame is not None and parsed.rows >= COLUMNAR_MIN_ROWS:
        columnar = await asyncio.to_thread(datasets.columnar_copy, parsed.frame)
        if columnar is not None:
            await asyncio.to_thread(gw.datasets.put_columnar, digest, columnar)
    # Stored for every execution host before the session points at it (nothing is recorded
    # when this fails: the learner uploads again).
    await gw.datasets.publish(digest)
    if parsed.frame is not None:
        await asyncio.to_thread(_save_card, gw, digest, parsed.target, parsed.frame)

    def record(session: Session) -> None:
        notebook = _owned(session, user, notebook_id)
        NotebookRepository(session).remember_dataset(
            SessionDataset(
                session_id=notebook.id,
                dataset_sha256=digest,
                filename=filename[:255],
                target=parsed.target,
                rows=parsed.rows,
                attached_at=utcnow(),
            )
        )
        notebook.dataset_sha256 = digest
        notebook.dataset_filename = filename
        notebook.dataset_rows = parsed.rows
        notebook.dataset_columns = len(parsed.columns)
        notebook.dataset_target = parsed.target
        notebook.updated_at = utcnow()
        enqueue(
            session,
            PRODUCER,
            events.DATASET_UPLOADED,
            gateway_pb2.DatasetUploaded(
                session_id=notebook.id,
                owner_id=user.id,
                dataset_sha256=digest,
                rows=parsed.rows,
                columns=len(parsed.columns),
                filename=filename,
            ),
        )

    await gw.work(record)
    gw.relay.wake()
    return UploadView.of(filename, digest, parsed)


async def dataset_bytes(gw: Gateway, notebook: NotebookSession) -> bytes | None:
    if not notebook.dataset_sha256:
        return None
    path = await gw.datasets.fetch(notebook.dataset_sha256)
    return await asyncio.to_thread(path.read_bytes)


async def choose_target(gw: Gateway, user: UserInfo, notebook_id: str, target: str) -> UploadView:
    """Moves `target` to the last column of the session's dataset (a new stored version)."""
    notebook = await get_session(gw, user, notebook_id)
    content = await dataset_bytes(gw, notebook)
    if content is None:
        raise AscentError("unprocessable", "Upload a CSV first, then choose its target column.")
    return await upload_dataset(
        gw,
        user,
        notebook_id,
        notebook.dataset_filename or "dataset.csv",
        content,
        delimiter="comma",
        encoding="utf-8",
        target=target,
        # The stored CSV is already normalised: decimal points only.
        decimal="point",
    )


def _save_card(gw: Gateway, digest: str, target: str, frame: pd.DataFrame) -> None:
    card = datasets.summarize(frame, target, "", gw.settings.card_sample_rows)
    gw.cards.save(digest, target, card.model_dump_json())


async def dataset_summary(gw: Gateway, notebook: NotebookSession) -> datasets.DatasetCardView:
    """The dashboard's dataset card: the uploaded CSV's (computed once, gateway/cards.py),
    else the Iris fallback."""
    digest = notebook.dataset_sha256
    if not digest:
        return await asyncio.to_thread(datasets.iris_summary)
    source = notebook.dataset_filename or "dataset.csv"
    target = notebook.dataset_target or ""
    cached = await asyncio.to_thread(gw.cards.load, digest, target)
    if cached is not None:
        card = datasets.DatasetCardView.model_validate_json(cached)
        return card.model_copy(update={"source": source})
    path = await gw.datasets.fetch(digest)
    card = await asyncio.to_thread(
        datasets.summarize_file, path, target or None, "", gw.settings.card_sample_rows
    )
    await asyncio.to_thread(gw.cards.save, digest, target, card.model_dump_json())
    return card.model_copy(update={"source": source})


# -- runs -------------------------------------------------------------------------------------
async def session_run(gw: Gateway, user: UserInfo, notebook_id: str, run_id: str) -> run_pb2.Run:
    """One whole run of the learner's session (a list has only summaries)."""
    notebook = await get_session(gw, user, notebook_id)
    run = await _find_run(gw, notebook, run_id, wait_ms=0)
    if run is None:
        raise AscentError("not_found", "Run not found in this session.")
    run.stdout = await full_output(gw, run)
    return run


async def full_output(gw: Gateway, run: run_pb2.Run) -> str:
    """The run's whole stdout: the ledger keeps excerpts of a long one (its notices say so),
    the gateway kept it whole when the run finished (gateway/outputs.py)."""
    whole = await asyncio.to_thread(gw.outputs.load, run.id)
    return whole if whole is not None else run.stdout


async def whole_runs(
    gw: Gateway, notebook: NotebookSession, runs: list[run_pb2.Run], ids: set[str]
) -> list[run_pb2.Run]:
    """`runs` with the summaries named in `ids` replaced by the whole runs (what a page shows
    in full: the console's run, the coach's last answer); a summary stays when the
    leaderboard cannot be asked."""
    wanted = [run for run in runs if run.summary and run.id in ids]

    async def whole(run: run_pb2.Run) -> run_pb2.Run:
        try:
            return await _find_run(gw, notebook, run.id, wait_ms=0) or run
        except AscentError:
            return run

    found = {run.id: run for run in await asyncio.gather(*(whole(run) for run in wanted))}
    return [found.get(run.id, run) for run in runs]


async def run_code(
    gw: Gateway,
    user: UserInfo,
    notebook_id: str,
    code: str,
    name: str | None = None,
    *,
    is_improved: bool = False,
    parent_run_id: str = "",
    save_code: bool = True,
    on_item: OnOutput | None = None,
    challenge_slug: str = "",
    practice: bool = False,
    code_version: int | None = None,
    scored_by: str = "",
) -> run_pb2.Run:
    """Runs code in the sandbox for a session and returns the finished run. With
    `challenge_slug`, the run sees that challenge's files; `practice` then skips grading.
    The code is saved on the session too, unless `code_version` is older than the stored
    code's (another tab saved since): the run then runs without overwriting that."""
    code = as_typed(code)
    check_code(code, gw)
    if not code.strip():
        raise AscentError("invalid_argument", "There is no code to run.")

    def prepare(session: Session) -> tuple[str, int]:
        notebook = _owned(session, user, notebook_id)
        quotas.start_run(session, gw.settings, user.id)
        if save_code:
            try:
                _store_code(notebook, code, code_version)
            except CodeConflict:
                # The editor keeps its text and shows the conflict on its next save.
                log.info("run on a stale code version", extra={"session_id": notebook_id})
        return notebook.dataset_sha256 or "", notebook.run_count

    dataset_sha256, run_count = await gw.work(prepare)
    run_name = (name or "").strip() or ("Baseline" if run_count == 0 else f"Run {run_count + 1}")
    request = execution_pb.ExecuteRequest(
        run_id=str(uuid.uuid4()),
        session_id=notebook_id,
        owner_id=user.id,
        name=run_name[:200],
        code=code,
        dataset_sha256=dataset_sha256,
        is_improved=is_improved,
        parent_run_id=parent_run_id,
        challenge_slug=challenge_slug,
        practice=practice,
        scored_by=scored_by,
    )
    key = (user.id, notebook_id)
    gw.active_runs.setdefault(key, set()).add(request.run_id)
    try:
        run = await gw.clients.execute(request, on_item)
    except ResultTooLarge:
        # The run ran (its fact is committed): only its answer did not fit. The ledger has
        # it; retrying would run it a second time.
        run = await _stored_run(gw, request.run_id)
    finally:
        running = gw.active_runs.get(key, set())
        running.discard(request.run_id)
        if not running:
            gw.active_runs.pop(key, None)

    def record(session: Session) -> None:
        notebook = _owned(session, user, notebook_id)
        # What the leaderboard keeps of this run, roughly: its serialized size.
        quotas.record_output(session, user.id, run.ByteSize())
        notebook.run_count += 1
        notebook.last_run_id = run.id or request.run_id
        notebook.updated_at = utcnow()

    await gw.work(record)
    # The ledger keeps excerpts of a long output; "Download full output" reads this copy.
    await asyncio.to_thread(gw.outputs.save, run.id or request.run_id, run.stdout)
    try:
        # The run reaches the leaderboard through an event; waiting here means the next
        # GET of the session's runs already lists it.
        await gw.clients.get_run(run.id or request.run_id, wait_ms=gw.settings.leaderboard_wait_ms)
    except AscentError as err:
        log.warning(
            "run not yet on the leaderboard", extra={"run_id": request.run_id, "error": err.message}
        )
    return run


async def _stored_run(gw: Gateway, run_id: str) -> run_pb2.Run:
    try:
        run = await gw.clients.get_run(run_id, wait_ms=gw.settings.leaderboard_wait_ms)
    except AscentError as err:
        raise AscentError(
            "internal",
            "The run finished, but its result was too large to deliver; it will appear "
            "in the session's runs (do not run it again).",
        ) from err
    run.notices.append(
        "The whole result of this run was too large to deliver; it is shown as stored "
        "(figures left out)."
    )
    return run


async def stop_runs(gw: Gateway, user: UserInfo, notebook_id: str) -> int:
    """Cancels the learner's runs in flight in this notebook (Jupyter's interrupt); how many
    execution still had. Only runs this gateway started for this owner are reachable."""
    await get_session(gw, user, notebook_id)
    stopped = 0
    for run_id in list(gw.active_runs.get((user.id, notebook_id), ())):
        if await gw.clients.cancel(run_id):
            stopped += 1
    return stopped


# -- improve with AI --------------------------------------------------------------------------
def _metric_of(run: run_pb2.Run) -> str | None:
    scored = ranking_score(run.outcome)
    return scored.metric if scored is not None else None


def _before(parent: tuple[str | None, float | None] | None, metric: str | None) -> float | None:
    if parent is None or parent[0] != metric:
        return None
    return parent[1]


SOCRATIC = "socratic"


@dataclass
class Improvement:
    proposal: coach_pb.ImproveResponse
    parent: run_pb2.Run
    # None while a Socratic answer is still hidden: nothing was run yet.
    improved: run_pb2.Run | None
    # Auto-improve: every round (proposal, run, gain) and why the loop stopped; the fields
    # above then describe the best round (or the last one when none gained).
    rounds: list[Round[coach_pb.ImproveResponse]] = field(default_factory=list)
    stopped: str = ""
    # The run the loop started from (auto-improve only): "before" of its first round; and
    # the run the loop kept (the start run itself when no round beat it).
    start: run_pb2.Run | None = None
    kept_run_id: str = ""

    @property
    def pending(self) -> bool:
        """A Socratic proposal whose answer the learner has not asked for yet."""
        return self.improved is None

    def view(self) -> ImprovementView:
        experiment = self.proposal.improved_experiment
        if self.improved is None:
            # Questions and hints only: the diagnosis, the code and the answer step stay
            # with the gateway until the learner asks (`reveal_answer`).
            return ImprovementView(
                mode=self.proposal.mode or SOCRATIC,
                steps=[
                    StepView(kind=s.kind, text=s.text)
                    for s in self.proposal.steps
                    if s.kind != "answer"
                ],
                notice=self.proposal.notice,
                diagnosis="",
                suggestions=[],
                improvedExperiment=ExperimentView(name="", code="", rationale=""),
                improvedRun=None,
                parentRun=RunView.of(self.parent),
                proposalId=self.proposal.proposal_id,
                engine=self.proposal.engine,
                answerPending=True,
            )
        auto: AutoImproveView | None = None
        if self.rounds:
            # Each round improves on the best run so far: its "before" is its parent's score.
            # A "before" measured by another metric (the starter's accuracy on a regression
            # target, then R²) is no "before": scores of different metrics never compare.
            scores = {r.run.id: (_metric_of(r.run), r.score) for r in self.rounds}
            if self.start is not None:
                scores[self.start.id] = (
                    _metric_of(self.start),
                    comparable_score(self.start, None),
                )
            auto = AutoImproveView(
                rounds=[
                    RoundView(
                        experimentName=r.proposal.improved_experiment.name,
                        runId=r.run.id,
                        parentRunId=r.run.parent_run_id,
                        metric=_metric_of(r.run),
                        before=_before(scores.get(r.run.parent_run_id), _metric_of(r.run)),
                        score=r.score,
                        improved=r.improved,
                        kept=r.run.id == self.kept_run_id,
                        cvScore=r.cv_score,
                        decidedBy=r.decided_by,
                    )
                    for r in self.rounds
                ],
                stopped=self.stopped,
                startRunId=self.start.id if self.start is not None else "",
            )
        return ImprovementView(
            mode=self.proposal.mode or "answer",
            steps=[StepView(kind=s.kind, text=s.text) for s in self.proposal.steps],
            notice=self.proposal.notice,
            autoImprove=auto,
            diagnosis=self.proposal.diagnosis,
            suggestions=list(self.proposal.suggestions),
            improvedExperiment=ExperimentView(
                name=experiment.name, code=experiment.code, rationale=experiment.rationale
            ),
            improvedRun=RunView.of(self.improved),
            parentRun=RunView.of(self.parent),
            proposalId=self.proposal.proposal_id,
            engine=self.proposal.engine,
        )


async def _find_run(
    gw: Gateway, notebook: NotebookSession, run_id: str, wait_ms: int
) -> run_pb2.Run | None:
    """The whole run (never a list's summary: the coach reads its output too)."""
    try:
        run = await gw.clients.get_run(run_id, wait_ms=wait_ms)
    except AscentError as err:
        if err.code == "not_found":
            return None
        raise
    return run if run.session_id == notebook.id else None


async def improve(
    gw: Gateway,
    user: UserInfo,
    notebook_id: str,
    run_id: str | None = None,
    mode: str = "",
    rounds: int = 1,
) -> Improvement:
    """Asks the coach to improve a run (default: the latest) and runs its experiment; with
    `rounds` > 1, repeats on the best run so far until a round brings no gain.

    Socratic mode runs nothing: the learner gets the questions and hints, and the
    experiment is run (and put on the board) only when they ask for the answer
    (`reveal_answer`); auto-improve rounds do not apply to it."""
    notebook = await get_session(gw, user, notebook_id)
    history = await gw.clients.list_runs(notebook.id)
    target: run_pb2.Run | None
    if run_id:
        target = await _find_run(gw, notebook, run_id, wait_ms=0)
        if target is None:
            raise AscentError("not_found", "Run not found in this session.")
    else:
        target = None
        if notebook.last_run_id:
            target = await _find_run(
                gw, notebook, notebook.last_run_id, gw.settings.leaderboard_wait_ms
            )
        if target is None and history:
            latest = max(history, key=lambda r: (r.created_at.seconds, r.created_at.nanos))
            target = await _find_run(gw, notebook, latest.id, wait_ms=0) or latest
        if target is None:
            raise AscentError("unprocessable", "Run your code first: there is no run to improve.")
    others = [run for run in history if run.id != target.id]

    async def propose(best: run_pb2.Run, runs: list[run_pb2.Run]) -> coach_pb.ImproveResponse:
        proposal = await gw.clients.improve(best, [r for r in runs if r.id != best.id], mode)
        if not proposal.improved_experiment.code.strip():
            raise AscentError("unavailable", "The coach did not propose runnable code; try again.")
        return proposal

    async def execute(proposal: coach_pb.ImproveResponse, parent: run_pb2.Run) -> run_pb2.Run:
        return await _run_proposal(gw, user, notebook.id, proposal, parent)

    if mode.strip().lower() == SOCRATIC:
        proposal = await propose(target, others)
        pending = Improvement(proposal=proposal, parent=target, improved=None)
        await _remember_improvement(gw, user, notebook.id, pending)
        return pending
    if rounds <= 1:
        proposal = await propose(target, others)
        improved = await execute(proposal, target)
        answer = Improvement(proposal=proposal, parent=target, improved=improved)
        await _remember_improvement(gw, user, notebook.id, answer, taken="answer")
        return answer
    loop = await auto_improve(target, others, propose, execute, rounds)
    chosen = next((r for r in loop.rounds if r.run is loop.best), loop.rounds[-1])
    parent = next((r.run for r in loop.rounds if r.run.id == chosen.run.parent_run_id), target)
    answer = Improvement(
        proposal=chosen.proposal,
        parent=parent,
        improved=chosen.run,
        rounds=loop.rounds,
        stopped=loop.stopped,
        start=target,
        kept_run_id=loop.best.id,
    )
    await _remember_improvement(gw, user, notebook.id, answer, taken="answer")
    return answer


async def _run_proposal(
    gw: Gateway,
    user: UserInfo,
    notebook_id: str,
    proposal: coach_pb.ImproveResponse,
    parent: run_pb2.Run,
) -> run_pb2.Run:
    experiment = proposal.improved_experiment
    return await run_code(
        gw,
        user,
        notebook_id,
        experiment.code,
        experiment.name or "AI improvement",
        is_improved=True,
        parent_run_id=parent.id,
        save_code=False,
        # Only a program the coach wrote whole computes its own score; an edit of the
        # learner's code prints whatever that code prints.
        scored_by="coach" if proposal.platform_code else "",
    )


async def reveal_answer(
    gw: Gateway, user: UserInfo, notebook_id: str, proposal_id: str
) -> Improvement:
    """The learner asks for the Socratic answer: the proposal is run now (and only now
    reaches the runs board). Asking again for an answer already shown shows it again."""
    notebook = await get_session(gw, user, notebook_id)
    runs = await gw.clients.list_runs(notebook.id)
    answer = last_improvement(notebook, runs)
    if answer is None or answer.proposal.proposal_id != proposal_id.strip():
        raise AscentError(
            "not_found", "That advice is no longer the coach's latest here: ask it again."
        )
    if answer.improved is not None:
        return answer
    improved = await _run_proposal(gw, user, notebook.id, answer.proposal, answer.parent)
    shown = Improvement(proposal=answer.proposal, parent=answer.parent, improved=improved)
    await _remember_improvement(gw, user, notebook.id, shown, taken=SOCRATIC)
    return shown


async def _remember_improvement(
    gw: Gateway, user: UserInfo, notebook_id: str, answer: Improvement, taken: str = ""
) -> None:
    """Keeps the answer's proposal and run ids on the session (the runs stay the execution
    service's): a reload of the page shows it again (`last_improvement`). `taken`: the
    learner took the coach's full answer ("answer" or "socratic"); in a challenge's notebook
    that is staged as gateway.answer.taken.v1 in the same transaction."""
    stored = json.dumps(
        {
            "proposal": base64.b64encode(answer.proposal.SerializeToString()).decode("ascii"),
            "parentRunId": answer.parent.id,
            "improvedRunId": answer.improved.id if answer.improved is not None else "",
        }
    )

    def record(session: Session) -> None:
        _owned(session, user, notebook_id).last_improvement = stored
        slug = (
            NotebookRepository(session).challenge_of_session(user.id, notebook_id) if taken else ""
        )
        if slug:
            enqueue(
                session,
                PRODUCER,
                events.ANSWER_TAKEN,
                gateway_pb2.AnswerTaken(
                    learner_id=user.id,
                    challenge_slug=slug,
                    session_id=notebook_id,
                    proposal_id=answer.proposal.proposal_id,
                    mode=taken,
                ),
            )

    await gw.work(record)


def last_improvement(notebook: NotebookSession, runs: list[run_pb2.Run]) -> Improvement | None:
    """The coach's last answer in this notebook, if its two runs are still listed."""
    if not notebook.last_improvement:
        return None
    try:
        stored = json.loads(notebook.last_improvement)
        proposal = coach_pb.ImproveResponse.FromString(base64.b64decode(stored["proposal"]))
        by_id = {run.id: run for run in runs}
        parent = by_id.get(str(stored["parentRunId"]))
        improved_id = str(stored["improvedRunId"])
        improved = by_id.get(improved_id) if improved_id else None
    except (ValueError, KeyError, TypeError, DecodeError):
        # A page that cannot restore the answer still shows everything else.
        log.warning("unreadable last improvement", extra={"session_id": notebook.id})
        return None
    if parent is None or (improved is None and (improved_id or proposal.mode != SOCRATIC)):
        return None
    return Improvement(proposal=proposal, parent=parent, improved=improved)


# Thumbs in the notebook are the two ends of the coach's 1-5 scale.
THUMBS_RATING = {"up": 5, "down": 1}


async def rate_proposal(
    gw: Gateway,
    user: UserInfo,
    notebook_id: str,
    proposal_id: str,
    rating: int = 0,
    verdict: str = "",
) -> None:
    """Feedback on a proposal made in this notebook goes to the coach (`Rate`), whose
    coach.proposal.rated.v1 event is what the recommender learns from."""
    if not proposal_id.strip() or len(proposal_id) > 64:
        raise AscentError("invalid_argument", "Which advice? The proposal id is missing.")
    await get_session(gw, user, notebook_id)
    await gw.clients.rate_proposal(proposal_id, user.id, rating, verdict)


async def import_code(
    gw: Gateway, user: UserInfo, notebook_id: str, code: str, title: str = ""
) -> NotebookSession:
    """A confirmed .ipynb import: its code replaces the session's, its title (if any) names it."""
    return await save_code(gw, user, notebook_id, code, name=title)
