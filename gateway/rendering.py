"""Jinja2 rendering: one template serves a full page, or one named block for HTMX."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from gateway import policy
from gateway.accounts.views import UserInfo
from gateway.markdown import render_inline, render_markdown
from gateway.notebook import presentation
from services.common.ml.scoring import metric_label

GATEWAY = Path(__file__).resolve().parent
# The layout and error page are shared; every other template sits in its domain's package
# (gateway/<domain>/templates/), beside the routes that render it. Names are unique across
# the folders, so `{% include "_run.html" %}` finds the notebook's from any page.
DOMAINS = (
    "accounts",
    "notebook",
    "curriculum",
    "cohorts",
    "authoring",
    "analytics",
    "apps",
    "serving",
)
TEMPLATES = [GATEWAY / "templates", *(GATEWAY / domain / "templates" for domain in DOMAINS)]


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request", "").lower() == "true"


def redirect(request: Request, url: str) -> Response:
    """A 303 for a plain request; for HTMX, an `HX-Redirect` so the whole page changes."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def _parse_moment(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def timeago(value: str | datetime | None, now: datetime | None = None) -> str:
    moment = _parse_moment(value)
    if moment is None:
        return ""
    seconds = int(((now or datetime.now(UTC)) - moment).total_seconds())
    if seconds < 45:
        return "just now"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = round(minutes / 60)
    if hours < 24:
        return f"{hours} h ago"
    days = round(hours / 24)
    return f"{days} day{'s' if days != 1 else ''} ago"


def percent(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def number(value: float | None, digits: int = 4) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def score_label(metric: str | None) -> str | None:
    """How a page heads the ranking metric ("Accuracy", "R²"): the shared library's name for
    it, capitalised as a column label."""
    if not metric:
        return None
    label = metric_label(metric)
    return label[:1].upper() + label[1:]


def score_text(metric: str | None, value: float | None) -> str:
    """The ranking score as shown: a percentage for accuracy, "R² 0.812" otherwise."""
    if metric is None or value is None:
        return "—"
    if metric == "accuracy":
        return percent(value)
    return f"{score_label(metric)} {value:.3f}"


@pass_context
def may(context: Context, action: str) -> bool:
    """`may('author')` in a template: the policy's answer for the page's `user`."""
    user = context.get("user")
    return policy.may(user if isinstance(user, UserInfo) else None, action)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        # A name the route forgot is an error on the page, not an empty string.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["timeago"] = timeago
    env.filters["inline_md"] = render_inline
    # Learner-written Markdown (explanations) goes through the lessons' safe renderer.
    env.filters["markdown"] = render_markdown
    env.filters["percent"] = percent
    env.filters["number"] = number
    env.globals["may"] = may
    env.filters["tb_lines"] = presentation.traceback_lines
    env.filters["output_tail"] = presentation.output_tail
    env.globals["heat"] = presentation.heat
    env.globals["class_labels"] = presentation.class_labels
    env.globals["matrix_problem"] = presentation.matrix_problem
    env.globals["metric_warning"] = presentation.metric_warning
    env.globals["score_delta"] = presentation.score_delta
    env.globals["metric_delta"] = presentation.metric_delta
    env.globals["score_text"] = score_text
    return env


env = _environment()


def render_html(
    template: str, context: Mapping[str, Any], blocks: Sequence[str] | None = None
) -> str:
    tmpl = env.get_template(template)
    if not blocks:
        return tmpl.render(context)
    ctx = tmpl.new_context(dict(context))
    return "".join("".join(tmpl.blocks[block](ctx)) for block in blocks)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    block: str | None = None,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    fragment: bool = False,
) -> HTMLResponse:
    """The full page, or only `block` when HTMX asked (the `HX-Request` header) or the route
    serves nothing but that block (`fragment`)."""
    # The layout's own names: pages without a logged-in user (login, errors) have none.
    layout = {"user": None, "active": ""}
    full = {
        "request": request,
        "csrf": getattr(request.state, "csrf", ""),
        # The response's CSP nonce (gateway/security.py), for CodeMirror's <style> element.
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        **layout,
        **context,
    }
    blocks = [block] if block is not None and (fragment or is_htmx(request)) else None
    return HTMLResponse(
        render_html(template, full, blocks), status_code=status_code, headers=dict(headers or {})
    )
