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
import uuid
from dataclasses import dataclass, field

from ascent.coach.v1 import coach_service_pb2 as coach_pb
from ascent.events.v1 import gateway_pb2
from ascent.execution.v1 import execution_service_pb2 as execution_pb
from ascent.types.v1 import run_pb2
from google.protobuf.message import DecodeError
from sqlalchemy.orm import Session

from gateway import datasets, quotas
from gateway.accounts.views import UserInfo
from gateway.clients import OnOutput
from gateway.context import Gateway
from gateway.datasets import parse_dataset
from gateway.models import NotebookSession
from gateway.notebook.repository import NotebookRepository
from gateway.notebook.views import (
    AutoImproveView,
    ExperimentView,
    ImprovementView,
    RoundView,
    RunView,
    StepView,
    UploadView,
)
from services.common import events
from services.common.autoimprove import Round, auto_improve, comparable_score
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


async def session_runs(gw: Gateway, user: UserInfo, notebook_id: str) -> SessionRuns:
    notebook = await get_session(gw, user, notebook_id)
    try:
        runs = await gw.clients.list_runs(notebook.id)
    except AscentError as err:
        return SessionRuns(notebook=notebook, runs=[], runs_error=err.message)
    return SessionRuns(notebook=notebook, runs=runs)


async def save_code(
    gw: Gateway, user: UserInfo, notebook_id: str, code: str, name: str = ""
) -> NotebookSession:
    """Stores the code as typed; `name`, when given, renames the notebook too."""
    code = as_typed(code)
    check_code(code, gw)

    def save(session: Session) -> NotebookSession:
        notebook = _owned(session, user, notebook_id)
        notebook.code = code
        if name.strip():
            notebook.name = name.strip()[:200]
        notebook.updated_at = utcnow()
        return notebook

    return await gw.work(save)


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

    def record(session: Session) -> None:
        notebook = _owned(session, user, notebook_id)
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
            ),
        )

    await gw.work(record)
    gw.relay.wake()
    return UploadView.of(filename, digest, parsed)


async def dataset_bytes(gw: Gateway, notebook: NotebookSession) -> bytes | None:
    if not notebook.dataset_sha256:
        return None
    path = gw.datasets.existing_path(notebook.dataset_sha256)
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


async def dataset_summary(gw: Gateway, notebook: NotebookSession) -> datasets.DatasetCardView:
    """The dashboard's dataset card: the uploaded CSV, else the Iris fallback."""
    content = await dataset_bytes(gw, notebook)
    if content is None:
        return await asyncio.to_thread(datasets.iris_summary)
    return await asyncio.to_thread(
        datasets.summarize_csv,
        content,
        notebook.dataset_target,
        notebook.dataset_filename or "dataset.csv",
    )


# -- runs -------------------------------------------------------------------------------------
async def list_runs(gw: Gateway, user: UserInfo, notebook_id: str) -> list[run_pb2.Run]:
    """The session's runs, best first (the leaderboard's order)."""
    notebook = await get_session(gw, user, notebook_id)
    return await gw.clients.list_runs(notebook.id)


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
) -> run_pb2.Run:
    """Runs code in the sandbox for a session and returns the finished run. With
    `challenge_slug`, the run sees that challenge's files; `practice` then skips grading."""
    code = as_typed(code)
    check_code(code, gw)
    if not code.strip():
        raise AscentError("invalid_argument", "There is no code to run.")

    def prepare(session: Session) -> tuple[str, int]:
        notebook = _owned(session, user, notebook_id)
        quotas.start_run(session, gw.settings, user.id)
        if save_code:
            notebook.code = code
            notebook.updated_at = utcnow()
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
    )
    key = (user.id, notebook_id)
    gw.active_runs.setdefault(key, set()).add(request.run_id)
    try:
        run = await gw.clients.execute(request, on_item)
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
    try:
        # The run reaches the leaderboard through an event; waiting here means the next
        # GET of the session's runs already lists it.
        await gw.clients.get_run(run.id or request.run_id, wait_ms=gw.settings.leaderboard_wait_ms)
    except AscentError as err:
        log.warning(
            "run not yet on the leaderboard", extra={"run_id": request.run_id, "error": err.message}
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


@dataclass
class Improvement:
    proposal: coach_pb.ImproveResponse
    parent: run_pb2.Run
    improved: run_pb2.Run
    # Auto-improve: every round (proposal, run, gain) and why the loop stopped; the fields
    # above then describe the best round (or the last one when none gained).
    rounds: list[Round[coach_pb.ImproveResponse]] = field(default_factory=list)
    stopped: str = ""
    # The run the loop started from (auto-improve only): "before" of its first round; and
    # the run the loop kept (the start run itself when no round beat it).
    start: run_pb2.Run | None = None
    kept_run_id: str = ""

    def view(self) -> ImprovementView:
        experiment = self.proposal.improved_experiment
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
    gw: Gateway, notebook: NotebookSession, run_id: str, history: list[run_pb2.Run], wait_ms: int
) -> run_pb2.Run | None:
    for run in history:
        if run.id == run_id:
            return run
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
    `rounds` > 1, repeats on the best run so far until a round brings no gain."""
    notebook = await get_session(gw, user, notebook_id)
    history = await gw.clients.list_runs(notebook.id)
    target: run_pb2.Run | None
    if run_id:
        target = await _find_run(gw, notebook, run_id, history, wait_ms=0)
        if target is None:
            raise AscentError("not_found", "Run not found in this session.")
    else:
        target = None
        if notebook.last_run_id:
            target = await _find_run(
                gw, notebook, notebook.last_run_id, history, gw.settings.leaderboard_wait_ms
            )
        if target is None and history:
            target = max(history, key=lambda r: (r.created_at.seconds, r.created_at.nanos))
        if target is None:
            raise AscentError("unprocessable", "Run your code first: there is no run to improve.")
    others = [run for run in history if run.id != target.id]

    async def propose(best: run_pb2.Run, runs: list[run_pb2.Run]) -> coach_pb.ImproveResponse:
        proposal = await gw.clients.improve(best, [r for r in runs if r.id != best.id], mode)
        if not proposal.improved_experiment.code.strip():
            raise AscentError("unavailable", "The coach did not propose runnable code; try again.")
        return proposal

    async def execute(proposal: coach_pb.ImproveResponse, parent: run_pb2.Run) -> run_pb2.Run:
        experiment = proposal.improved_experiment
        return await run_code(
            gw,
            user,
            notebook.id,
            experiment.code,
            experiment.name or "AI improvement",
            is_improved=True,
            parent_run_id=parent.id,
            save_code=False,
        )

    if rounds <= 1:
        proposal = await propose(target, others)
        improved = await execute(proposal, target)
        answer = Improvement(proposal=proposal, parent=target, improved=improved)
        await _remember_improvement(gw, user, notebook.id, answer)
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
    await _remember_improvement(gw, user, notebook.id, answer)
    return answer


async def _remember_improvement(
    gw: Gateway, user: UserInfo, notebook_id: str, answer: Improvement
) -> None:
    """Keeps the answer's proposal and run ids on the session (the runs stay the execution
    service's): a reload of the page shows it again (`last_improvement`)."""
    stored = json.dumps(
        {
            "proposal": base64.b64encode(answer.proposal.SerializeToString()).decode("ascii"),
            "parentRunId": answer.parent.id,
            "improvedRunId": answer.improved.id,
        }
    )

    def record(session: Session) -> None:
        _owned(session, user, notebook_id).last_improvement = stored

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
        improved = by_id.get(str(stored["improvedRunId"]))
    except (ValueError, KeyError, TypeError, DecodeError):
        # A page that cannot restore the answer still shows everything else.
        log.warning("unreadable last improvement", extra={"session_id": notebook.id})
        return None
    if parent is None or improved is None:
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
