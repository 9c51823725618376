"""Safe Markdown for lessons: raw HTML is escaped (html=False) and markdown-it refuses
javascript:/vbscript:/file:/data: links, so a lesson can never inject script."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> Markup:
    return Markup(_md.render(text or ""))
