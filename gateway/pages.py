"""HTML pages and their HTMX fragments. Orchestration lives in `gateway.flows`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from gateway import auth, flows
from gateway.auth import PageUser, UserInfo
from gateway.context import Gateway, GatewayDep, get_gateway
from gateway.rendering import is_htmx, render
from gateway.schemas import dataset_json, progress_json, run_json, session_json, track_json
from services.common.errors import AscentError

router = APIRouter(include_in_schema=False)

RUNS_CHANGED = {"HX-Trigger": "runs-changed"}


def _redirect(request: Request, url: str) -> Response:
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# -- accounts ---------------------------------------------------------------------------------
async def _account_form(
    request: Request, template: str, error: str | None = None, status: int = 200
) -> Response:
    browser, fresh = auth.browser_session_for(request)
    if browser.uid is not None and error is None and await _known(request, browser.uid):
        return RedirectResponse("/notebook", status_code=303)
    request.state.csrf = browser.csrf
    response = render(
        request, template, {"error": error, "user": None}, block="form", status_code=status
    )
    if fresh:
        auth.write_browser_session(request, response, browser)
    return response


async def _known(request: Request, uid: str) -> bool:
    return await auth.user_by_id(get_gateway(request), uid) is not None


async def _account_post(request: Request, template: str) -> tuple[str, str] | Response:
    browser = auth.read_browser_session(request)
    if browser is None or not await auth.csrf_ok(request, browser):
        return await _account_form(
            request, template, "Your form expired; please try again.", status=403
        )
    form = await request.form()
    username = form.get("username")
    password = form.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return await _account_form(request, template, "Enter a username and a password.", 400)
    return username, password


async def _log_in(request: Request, user: UserInfo) -> Response:
    response = _redirect(request, "/notebook")
    # A fresh CSRF token at login: one planted before authentication is worthless after it.
    auth.write_browser_session(request, response, auth.new_browser_session(user.id))
    return response


@router.get("/")
async def home(request: Request) -> Response:
    browser = auth.read_browser_session(request)
    if browser is not None and browser.uid is not None and await _known(request, browser.uid):
        return RedirectResponse("/notebook", status_code=303)
    return RedirectResponse("/login", status_code=303)


@router.get("/login")
async def login_page(request: Request) -> Response:
    return await _account_form(request, "login.html")


@router.post("/login")
async def login(request: Request, gw: GatewayDep) -> Response:
    posted = await _account_post(request, "login.html")
    if isinstance(posted, Response):
        return posted
    try:
        user = await auth.authenticate(gw, *posted)
    except AscentError as err:
        return await _account_form(request, "login.html", err.message, err.http_status)
    return await _log_in(request, user)


@router.get("/register")
async def register_page(request: Request) -> Response:
    return await _account_form(request, "register.html")


@router.post("/register")
async def register(request: Request, gw: GatewayDep) -> Response:
    posted = await _account_post(request, "register.html")
    if isinstance(posted, Response):
        return posted
    try:
        user = await auth.register(gw, *posted)
    except AscentError as err:
        return await _account_form(request, "register.html", err.message, err.http_status)
    return await _log_in(request, user)


@router.post("/logout")
async def logout(request: Request) -> Response:
    browser = auth.read_browser_session(request)
    if browser is not None and browser.uid is not None:
        await auth.require_csrf(request, browser)
    response = _redirect(request, "/login")
    auth.clear_browser_session(request, response)
    return response


# -- notebook ---------------------------------------------------------------------------------
async def _notebook_context(gw: Gateway, user: UserInfo, notebook_id: str) -> dict[str, Any]:
    view = await flows.session_view(gw, user, notebook_id)
    sessions = await flows.list_sessions(gw, user)
    return {
        "user": user,
        "session": session_json(view.notebook),
        "dataset": dataset_json(view.notebook),
        "runs": [run_json(run) for run in view.runs],
        "runs_error": view.runs_error,
        "sessions": [session_json(notebook) for notebook in sessions],
    }


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
        context: dict[str, Any] = {"user": user, "session": {"id": notebook_id}}
    else:
        context = await _notebook_context(gw, user, notebook_id)
    context.update(extra or {})
    return render(
        request, "notebook.html", context, block, status_code=status_code, headers=headers
    )


@router.get("/notebook")
async def notebook_home(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    notebook = await flows.latest_or_new_session(gw, user)
    return _redirect(request, f"/notebook/{notebook.id}")


@router.post("/notebook/new")
async def notebook_new(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    notebook = await flows.create_session(gw, user)
    return _redirect(request, f"/notebook/{notebook.id}")


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
) -> Response:
    notebook = await flows.save_code(gw, user, notebook_id, code)
    return await _notebook_response(
        request, gw, user, notebook_id, "save_status", {"saved_at": notebook.updated_at}
    )


@router.post("/notebook/{notebook_id}/dataset")
async def notebook_upload(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        filename, content = await flows.read_upload(gw, file)
        summary = await flows.upload_dataset(gw, user, notebook_id, filename, content)
    except AscentError as err:
        if err.code == "not_found":
            raise
        notebook = await flows.get_session(gw, user, notebook_id)
        extra = {"dataset": dataset_json(notebook), "upload_error": err.message}
        return await _notebook_response(
            request, gw, user, notebook_id, "dataset", extra, status_code=err.http_status
        )
    extra = {"dataset": summary.as_json(), "upload": summary.as_json()}
    return await _notebook_response(request, gw, user, notebook_id, "dataset", extra)


@router.post("/notebook/{notebook_id}/run")
async def notebook_run(
    request: Request,
    notebook_id: str,
    code: Annotated[str, Form()],
    user: PageUser,
    gw: GatewayDep,
) -> Response:
    run = await flows.run_code(gw, user, notebook_id, code)
    return await _notebook_response(
        request, gw, user, notebook_id, "output", {"run": run_json(run)}, headers=RUNS_CHANGED
    )


@router.get("/notebook/{notebook_id}/runs")
async def notebook_runs(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
) -> Response:
    view = await flows.session_view(gw, user, notebook_id)
    extra = {"runs": [run_json(run) for run in view.runs], "runs_error": view.runs_error}
    return await _notebook_response(request, gw, user, notebook_id, "runs", extra)


@router.post("/notebook/{notebook_id}/improve")
async def notebook_improve(
    request: Request,
    notebook_id: str,
    user: PageUser,
    gw: GatewayDep,
) -> Response:
    improvement = await flows.improve(gw, user, notebook_id)
    return await _notebook_response(
        request,
        gw,
        user,
        notebook_id,
        "coach",
        {"improvement": improvement.as_json()},
        headers=RUNS_CHANGED,
    )


# -- progress ---------------------------------------------------------------------------------
@router.get("/progress")
async def progress_page(request: Request, user: PageUser, gw: GatewayDep) -> Response:
    context: dict[str, Any] = {"user": user, "progress": None, "tracks": [], "errors": []}
    try:
        context["progress"] = progress_json(await flows.progress(gw, user))
    except AscentError as err:
        context["errors"].append(err.message)
    try:
        context["tracks"] = [track_json(track) for track in await flows.tracks(gw, user)]
    except AscentError as err:
        if err.message not in context["errors"]:
            context["errors"].append(err.message)
    return render(request, "progress.html", context, block="progress")
