"""The notebook page and its HTMX fragments (`/notebook/...`): editor, dataset upload,
runs (plain and streamed), run detail, compare, dashboard, Improve with AI, feedback and
`.ipynb` import/export. Orchestration lives in `gateway.notebook.flows`."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

from ascent.types.v1 import run_pb2
from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from gateway import datasets
from gateway.accounts.views import UserInfo
from gateway.context import Gateway, GatewayDep
from gateway.datasets import DatasetCardView
from gateway.deps import PageUser
from gateway.live import event_stream, page_stream, run_stream
from gateway.models import NotebookSession
from gateway.notebook import flows, presentation
from gateway.notebook.views import BoardView, DatasetView, RunView, SessionView
from gateway.rendering import is_htmx, redirect, render, render_html
from services.common.errors import AscentError

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)

# The page's regions that show only after an action (an upload, a run, a comparison...):
# absent from the context otherwise, which the strict templates would refuse.
REGIONS: dict[str, Any] = {
    "import_error": None,
    "import_preview": None,
    "saved_at": None,
    "conflict": None,
    "upload_error": None,
    "upload": None,
    "run": None,
    "detail": None,
    "compare": None,
    "improvement": None,
    "diff": None,
    "stats": None,
    "verdict": None,
    "rated": None,
}
RUNS_CHANGED = {"HX-Trigger": "runs-changed"}
DATASET_CHANGED = {"HX-Trigger": "dataset-changed"}


def _latest(runs: list[RunView], last_run_id: str | None) -> RunView | None:
    for run in runs:
        if run.id == last_run_id:
            return run
    dated = [(run.createdAt, run) for run in runs if run.createdAt]
    return max(dated, key=lambda pair: pair[0])[1] if dated else None


async def _notebook_context(gw: Gateway, user: UserInfo, notebook_id: str) -> dict[str, Any]:
    view = await flows.session_runs(gw, user, notebook_id)
    sessions = await flows.list_sessions(gw, user)
    # The list has summaries: the runs the page shows in full are read whole.
    console = _latest([RunView.of(r) for r in view.runs if not r.is_improved], None)
    shown = {console.id} if console is not None else set()
    answer = flows.last_improvement(view.notebook, view.runs)
    if answer is not None:
        # A Socratic answer not asked for yet has no improved run.
        shown |= {run.id for run in (answer.parent, answer.improved) if run is not None}
    view.runs = await flows.whole_runs(gw, view.notebook, view.runs, shown)
    runs = view.views()
    current = _latest(runs, view.notebook.last_run_id)
    return {
        **REGIONS,
        # A reload shows the page as it was left: the console's last run (the coach's runs
        # show in the AI tab, never in the console), the coach's last answer in the AI tab.
        "run": _latest([r for r in runs if not r.isImproved], None),
        **_restored_improvement(view.notebook, view.runs),
        "user": user,
        "session": SessionView.of(view.notebook),
        "dataset": DatasetView.of(view.notebook),
        "runs": runs,
        "board": _board(view, flows.CURRENT_DATASET),
        "runs_error": view.runs_error,
        "sessions": [SessionView.of(notebook) for notebook in sessions],
        "templates": presentation.TEMPLATES,
        "summary": await _summary(gw, view.notebook),
        "current": current,
        "limits": _limits(gw),
        "upload_limits": _upload_limits(gw),
    }


def _board(view: flows.SessionRuns, choice: str) -> BoardView:
    """The runs board: by default the runs on the session's current dataset, ranked within it."""
    flows.dataset_filter(view.notebook, choice)
    return BoardView.of(
        view.views(), view.notebook.dataset_sha256 or "", view.dataset_names, choice
    )


def _restored_improvement(notebook: NotebookSession, runs: list[run_pb2.Run]) -> dict[str, Any]:
    answer = flows.last_improvement(notebook, runs)
    if answer is None:
        return {}
    data = answer.view()
    if answer.pending:
        return {"improvement": data, "diff": [], "stats": None}
    # As after Improve: the diff against what the learner has now.
    diff = presentation.code_diff(notebook.code, data.improvedExperiment.code)
    return {"improvement": data, "diff": diff, "stats": presentation.diff_stats(diff)}


def _limits(gw: Gateway) -> str:
    """What a run may use, shown beside Run: "30 s · 1 GB memory"."""
    wall = gw.settings.run_wall_seconds
    memory = gw.settings.run_memory_mb
    size = f"{memory / 1024:g} GB" if memory >= 1024 else f"{memory} MB"
    return f"{wall:g} s · {size} memory"


def _upload_limits(gw: Gateway) -> str:
    """What an upload may be, shown on the dropzone: "2–1,000,000 rows, ≤ 200 MB"."""
    rows = gw.settings.max_dataset_rows
    megabytes = gw.settings.max_upload_bytes / (1024 * 1024)
    return f"Header row, ≥ 2 columns, 2–{rows:,} rows, ≤ {megabytes:g} MB"


async def _summary(gw: Gateway, notebook: NotebookSession) -> DatasetCardView | None:
    try:
        return await flows.dataset_summary(gw, notebook)
    except Exception:
        # The dashboard is a view: a dataset it cannot summarise must not break the page.
        log.exception("dataset summary failed", extra={"session_id": notebook.id})
        return None


async def _notebook_response(
    request: Request,
    gw: Gateway,
    user: UserInfo,
    notebook_id: str,
    block: str,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The block for HTMX; the whole notebook page (with the block's result) otherwise."""
    if is_htmx(request):
        context: dict[str, Any] = {
            **REGIONS,
            "user": user,
            "session": {"id": notebook_id},
            "upload_limits": _upload_limits(gw),
        }
    else:
        context = await _notebook_context(gw, user, notebook_id)
    context.update(extra or {})
    return render(
        request, "notebook.html", context, block, status_code=status_code, headers=headers
    )


@router.get("/notebook")
async def notebook_home(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    notebook = await flows.latest_or_new_session(gw, user)
    return redirect(request, f"/notebook/{notebook.id}")


@router.post("/notebook/new")
async def notebook_new(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    notebook = await flows.create_session(gw, user)
    return redirect(request, f"/notebook/{notebook.id}")


@router.get("/notebook/{notebook_id}")
async def notebook_page(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
) -> Response:
    context = await _notebook_context(gw, user, notebook_id)
    return render(request, "notebook.html", context, block="notebook")


@router.put("/notebook/{notebook_id}/code")
async def notebook_save_code(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    code: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """The editor's autosave, with the code version it started from: a save over a newer
    version (another tab's) is refused with 409 and the conflict banner (keep mine, take
    theirs, keep both); `X-Code-Version` is the version to send next."""
    try:
        notebook = await flows.save_code(gw, user, notebook_id, code, expected_version=version)
    except flows.CodeConflict as conflict:
        diff = presentation.code_diff(conflict.code, flows.as_typed(code))
        extra = {
            "conflict": {
                "code": conflict.code,
                "version": conflict.version,
                "updated_at": conflict.updated_at,
                "diff": diff,
                "stats": presentation.diff_stats(diff),
            }
        }
        headers = {"X-Code-Version": str(conflict.version)}
        return await _notebook_response(
            request, gw, user, notebook_id, "code_conflict", extra, 409, headers
        )
    return await _notebook_response(
        request,
        gw,
        user,
        notebook_id,
        "save_status",
        {"saved_at": notebook.updated_at},
        headers={"X-Code-Version": str(notebook.code_version)},
    )


@router.post("/notebook/{notebook_id}/code/copy")
async def notebook_copy(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    code: Annotated[str, Form()] = "",
) -> Response:
    """ "Keep both" after a conflict: this text becomes a new notebook (on the same dataset),
    which the page opens; this notebook keeps the other tab's text."""
    if not code.strip():
        raise AscentError("invalid_argument", "There is no code to keep.")
    copy = await flows.copy_session(gw, user, notebook_id, code)
    return redirect(request, f"/notebook/{copy.id}")


async def _dataset_error(
    request: Request, gw: Gateway, user: UserInfo, notebook_id: str, err: AscentError
) -> Response:
    if err.code == "not_found":
        raise err
    notebook = await flows.get_session(gw, user, notebook_id)
    extra = {"dataset": DatasetView.of(notebook), "upload_error": err.message}
    return await _notebook_response(
        request, gw, user, notebook_id, "dataset", extra, status_code=err.http_status
    )


@router.post("/notebook/{notebook_id}/dataset")
async def notebook_upload(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    file: Annotated[UploadFile | None, File()] = None,
    delimiter: Annotated[str, Form()] = "auto",
    encoding: Annotated[str, Form()] = "auto",
    target: Annotated[str, Form()] = "",
    decimal: Annotated[str, Form()] = "auto",
) -> Response:
    try:
        filename, content = await datasets.read_upload(gw, file)
        summary = await flows.upload_dataset(
            gw,
            user,
            notebook_id,
            filename,
            content,
            delimiter=delimiter,
            encoding=encoding,
            target=target or None,
            decimal=decimal,
        )
    except AscentError as err:
        return await _dataset_error(request, gw, user, notebook_id, err)
    extra = {"dataset": summary, "upload": summary}
    return await _notebook_response(
        request, gw, user, notebook_id, "dataset", extra, headers=DATASET_CHANGED
    )


@router.post("/notebook/{notebook_id}/dataset/target")
async def notebook_target(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    target: Annotated[str, Form()] = "",
) -> Response:
    try:
        summary = await flows.choose_target(gw, user, notebook_id, target)
    except AscentError as err:
        return await _dataset_error(request, gw, user, notebook_id, err)
    extra = {"dataset": summary, "upload": summary}
    return await _notebook_response(
        request, gw, user, notebook_id, "dataset", extra, headers=DATASET_CHANGED
    )


@router.get("/notebook/{notebook_id}/dataset.csv")
async def notebook_dataset_download(notebook_id: str, user: PageUser, gw: GatewayDep) -> Response:
    notebook = await flows.get_session(gw, user, notebook_id)
    content = await flows.dataset_bytes(gw, notebook)
    if content is None:
        raise AscentError("not_found", "This session has no uploaded CSV.")
    filename = _ascii_name(notebook.dataset_filename or "dataset.csv", ".csv")
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _ascii_name(name: str, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "notebook"
    return stem if stem.lower().endswith(suffix) else stem + suffix


@router.post("/notebook/{notebook_id}/run")
async def notebook_run(
    request: Request,
    notebook_id: str,
    code: Annotated[str, Form()],
    user: PageUser,
    gw: GatewayDep,
    version: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    run = await flows.run_code(gw, user, notebook_id, code, code_version=version)
    return await _notebook_response(
        request, gw, user, notebook_id, "output", {"run": RunView.of(run)}, headers=RUNS_CHANGED
    )


@router.post("/notebook/{notebook_id}/run/stream")
async def notebook_run_stream(
    request: Request,
    notebook_id: str,
    code: Annotated[str, Form()],
    user: PageUser,
    gw: GatewayDep,
    version: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """Runs code and streams it as Server-Sent Events: `queued`, `output` (one per chunk the
    sandbox writes), then `result` (the rendered output fragment) or `failed`."""
    await flows.get_session(gw, user, notebook_id)
    flows.check_code(code, gw)
    base = {**REGIONS, "user": user, "session": {"id": notebook_id}, "request": request}
    base["csrf"] = getattr(request.state, "csrf", "")

    def result_html(run: Any) -> str:
        return render_html("notebook.html", {**base, "run": RunView.of(run)}, ["output"])

    def failure_html(err: AscentError | None) -> str:
        err = err or AscentError("internal", "Something went wrong on our side.")
        context = {**base, "status": err.http_status, "code": err.code, "message": err.message}
        return render_html("error.html", context, ["error"])

    return run_stream(
        f"run-{notebook_id}",
        lambda on_item: flows.run_code(
            gw, user, notebook_id, code, on_item=on_item, code_version=version
        ),
        result_html,
        failure_html,
    )


@router.post("/notebook/{notebook_id}/run/stop")
async def notebook_run_stop(
    request: Request, notebook_id: str, user: PageUser, gw: GatewayDep
) -> Response:
    """Stop (Jupyter's interrupt): the learner's own run in this notebook ends as "cancelled",
    and its streamed result says so."""
    stopped = await flows.stop_runs(gw, user, notebook_id)
    return Response(status_code=204, headers={"X-Ascent-Stopped": str(stopped)})


@router.get("/notebook/{notebook_id}/events")
async def notebook_events(
    request: Request, notebook_id: str, user: PageUser, gw: GatewayDep
) -> Response:
    """Live facts for an open notebook page: runs landing, new bests, badges."""
    await flows.get_session(gw, user, notebook_id)
    if gw.live is None:
        raise AscentError("unavailable", "Live updates are not running.")

    async def describe_best(event: dict[str, Any]) -> dict[str, Any]:
        try:
            run = RunView.of(await gw.clients.get_run(str(event["runId"])))
        except AscentError:
            # The toast then shows no number rather than a guessed one.
            return event
        return {**event, "scoreLabel": run.scoreLabel, "scoreText": run.scoreText}

    stream = page_stream(
        gw.live, user.id, notebook_id, request.is_disconnected, describe_best=describe_best
    )
    return event_stream(stream)


@router.get("/notebook/{notebook_id}/runs")
async def notebook_runs(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    dataset: Annotated[str, Query(max_length=64)] = flows.CURRENT_DATASET,
) -> Response:
    """The runs board, for one dataset (`current` by default, `all`, `none` or a hash)."""
    view = await flows.session_runs(gw, user, notebook_id)
    extra = {"board": _board(view, dataset), "runs_error": view.runs_error}
    return await _notebook_response(request, gw, user, notebook_id, "runs", extra)


async def _session_run(gw: Gateway, user: UserInfo, notebook_id: str, run_id: str) -> RunView:
    # The list has summaries: the run shown is read whole, with its rank and dataset name.
    view = await flows.session_runs(gw, user, notebook_id)
    view.runs = await flows.whole_runs(gw, view.notebook, view.runs, {run_id})
    for run in view.views():
        if run.id == run_id:
            return run
    if view.runs_error:
        raise AscentError("unavailable", view.runs_error)
    raise AscentError("not_found", "Run not found in this session.")


@router.get("/notebook/{notebook_id}/runs/{run_id}")
async def notebook_run_detail(
    request: Request, notebook_id: str, run_id: str, user: PageUser, gw: GatewayDep
) -> Response:
    run = await _session_run(gw, user, notebook_id, run_id)
    return await _notebook_response(request, gw, user, notebook_id, "run_detail", {"detail": run})


@router.get("/notebook/{notebook_id}/runs/{run_id}/stdout.txt")
async def notebook_run_stdout(
    notebook_id: str, run_id: str, user: PageUser, gw: GatewayDep, download: bool = False
) -> Response:
    """A run's whole output as text: the console shows only its tail."""
    # The whole stored run, with the whole output the gateway kept of a long one.
    run = await flows.session_run(gw, user, notebook_id, run_id)
    headers = {"Cache-Control": "private, no-store"}
    if download:
        filename = _ascii_name(run.name or "output", ".txt")
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(run.stdout, media_type="text/plain; charset=utf-8", headers=headers)


@router.get("/notebook/{notebook_id}/compare")
async def notebook_compare(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    a: str = "",
    b: str = "",
) -> Response:
    if not a or not b or a == b:
        raise AscentError("invalid_argument", "Pick two different runs to compare.")
    left = await _session_run(gw, user, notebook_id, a)
    right = await _session_run(gw, user, notebook_id, b)
    diff = presentation.code_diff(left.code, right.code)
    extra = {
        "compare": {"a": left, "b": right, "diff": diff, "stats": presentation.diff_stats(diff)}
    }
    return await _notebook_response(request, gw, user, notebook_id, "compare", extra)


@router.get("/notebook/{notebook_id}/dashboard")
async def notebook_dashboard(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    run: str = "",
) -> Response:
    view = await flows.session_runs(gw, user, notebook_id)
    runs = [RunView.of(r) for r in view.runs]
    current = next((r for r in runs if r.id == run), None) if run else None
    extra = {
        "summary": await _summary(gw, view.notebook),
        "current": current or _latest(runs, view.notebook.last_run_id),
        "dataset": DatasetView.of(view.notebook),
    }
    return await _notebook_response(request, gw, user, notebook_id, "dashboard", extra)


@router.post("/notebook/{notebook_id}/improve")
async def notebook_improve(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    code: Annotated[str, Form()] = "",
    mode: Annotated[str, Form()] = "answer",
    rounds: Annotated[int, Form(ge=1, le=5)] = 1,
) -> Response:
    improvement = await flows.improve(gw, user, notebook_id, mode=mode, rounds=rounds)
    return await _coach_response(request, gw, user, notebook_id, improvement, code)


@router.post("/notebook/{notebook_id}/improve/answer")
async def notebook_improve_answer(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    proposal_id: Annotated[str, Form(max_length=64)] = "",
    code: Annotated[str, Form()] = "",
) -> Response:
    """Socratic mode: the learner asks for the answer; only now is the experiment run."""
    improvement = await flows.reveal_answer(gw, user, notebook_id, proposal_id)
    return await _coach_response(request, gw, user, notebook_id, improvement, code)


async def _coach_response(
    request: Request,
    gw: Gateway,
    user: UserInfo,
    notebook_id: str,
    improvement: flows.Improvement,
    code: str,
) -> Response:
    data = improvement.view()
    if improvement.pending:
        # Nothing ran: no diff to show, and the runs board has nothing new.
        extra: dict[str, Any] = {"improvement": data, "diff": [], "stats": None}
        return await _notebook_response(request, gw, user, notebook_id, "coach", extra)
    # The diff is against what the learner has in the editor now (else the improved run's
    # parent), so "accept" shows exactly what would change.
    current = code if code.strip() else data.parentRun.code
    diff = presentation.code_diff(current, data.improvedExperiment.code)
    extra = {"improvement": data, "diff": diff, "stats": presentation.diff_stats(diff)}
    return await _notebook_response(
        request, gw, user, notebook_id, "coach", extra, headers=RUNS_CHANGED
    )


@router.post("/notebook/{notebook_id}/rating")
async def notebook_rating(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    proposal_id: Annotated[str, Form()] = "",
    rating: Annotated[str, Form()] = "",
) -> Response:
    if rating not in flows.THUMBS_RATING:
        raise AscentError("invalid_argument", "Rate the advice with 'up' or 'down'.")
    await flows.rate_proposal(
        gw, user, notebook_id, proposal_id, rating=flows.THUMBS_RATING[rating]
    )
    return await _notebook_response(request, gw, user, notebook_id, "rating", {"rated": rating})


@router.post("/notebook/{notebook_id}/verdict")
async def notebook_verdict(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    proposal_id: Annotated[str, Form()] = "",
    verdict: Annotated[str, Form()] = "",
) -> Response:
    """Accept (code loaded into the editor) or reject a proposal: the recommender learns it."""
    if verdict not in ("accepted", "rejected"):
        raise AscentError("invalid_argument", "The verdict is either accepted or rejected.")
    await flows.rate_proposal(gw, user, notebook_id, proposal_id, verdict=verdict)
    return await _notebook_response(request, gw, user, notebook_id, "verdict", {"verdict": verdict})


@router.get("/notebook/{notebook_id}/export.ipynb")
async def notebook_export(notebook_id: str, user: PageUser, gw: GatewayDep) -> Response:
    view = await flows.session_runs(gw, user, notebook_id)
    latest = _latest([RunView.of(run) for run in view.runs], view.notebook.last_run_id)
    if latest is not None:
        # The export holds the run's whole output, not the list's summary of it.
        latest = RunView.of(await flows.session_run(gw, user, notebook_id, latest.id))
    text = presentation.to_ipynb(view.notebook.name, view.notebook.code, latest)
    filename = _ascii_name(view.notebook.name, ".ipynb")
    return Response(
        text,
        media_type="application/x-ipynb+json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/notebook/{notebook_id}/import")
async def notebook_import(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Reads an .ipynb and shows what it holds (cells, title) with a confirmation: nothing is
    replaced until the learner confirms (`import/confirm`)."""
    try:
        await flows.get_session(gw, user, notebook_id)
        filename, content = await datasets.read_upload(gw, file)
        imported = presentation.from_ipynb(content, gw.settings.max_code_chars)
    except AscentError as err:
        if err.code == "not_found":
            raise
        return await _notebook_response(
            request,
            gw,
            user,
            notebook_id,
            "import_status",
            {"import_error": err.message},
            status_code=err.http_status,
        )
    preview = {"filename": filename, "notebook": imported}
    return await _notebook_response(
        request, gw, user, notebook_id, "import_status", {"import_preview": preview}
    )


@router.post("/notebook/{notebook_id}/import/confirm")
async def notebook_import_confirm(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    code: Annotated[str, Form()] = "",
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not code.strip():
        raise AscentError("invalid_argument", "There is no code to import.")
    await flows.import_code(gw, user, notebook_id, code, title)
    # The editor, dashboard and everything else start again from the imported code.
    return redirect(request, f"/notebook/{notebook_id}")
